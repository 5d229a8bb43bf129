import { isFamily, WhatsAppError } from "./base.js";

/**
 * A shared state store (Redis, PostgreSQL) did not answer in time or failed. Decisions that
 * need it fail closed: the send is refused, nothing reaches Meta.
 */
export class StoreUnavailableError extends WhatsAppError {
  readonly code = "store_unavailable" as const;
  readonly family = "store" as const;
  /** Which store: `redis`, `postgres`. */
  readonly store: string;
  /** What was being done: `rate-limits.window`, `consent.history`, … */
  readonly operation: string;
  /**
   * True when the store could not be reached in time (timeout, connection refused or lost);
   * false when it answered with an error (a script error, a wrong key type).
   */
  readonly unreachable: boolean;

  constructor(
    store: string,
    operation: string,
    reason: string,
    options: { cause?: unknown; unreachable?: boolean } = {},
  ) {
    super(`${store} is unavailable (${operation}): ${reason}`, options);
    this.store = store;
    this.operation = operation;
    this.unreachable = options.unreachable ?? true;
  }
}

export function isStoreUnavailableError(value: unknown): value is StoreUnavailableError {
  return isFamily(value, "store");
}
