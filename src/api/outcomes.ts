import { BoundedMap } from "../internal/bounded-map.js";

/** What is known of a send whose HTTP exchange failed after the request was written. */
export interface SendOutcome {
  correlationId: string;
  /** Recipient as given to the send. */
  to: string;
  /** When the send was attempted (ms). */
  at: number;
  /** `unknown` until a status webhook says `sent`, `delivered`, `read` or `failed`. */
  state: string;
}

/**
 * Sends that ended with `TransportError` outcome `unknown`, by correlation id, until a status
 * webhook carrying that `biz_opaque_callback_data` settles them. Bounded; per process.
 */
export class UnknownOutcomes {
  readonly #byId = new BoundedMap<string, SendOutcome>(100_000);

  record(correlationId: string, to: string, at: number): void {
    this.#byId.set(correlationId, { correlationId, to, at, state: "unknown" });
  }

  /** A status webhook for `correlationId` arrived. True when it settled a send recorded here. */
  settle(correlationId: string, status: string): boolean {
    const entry = this.#byId.get(correlationId);
    if (!entry) return false;
    entry.state = status;
    return true;
  }

  get(correlationId: string): SendOutcome | undefined {
    const entry = this.#byId.get(correlationId);
    return entry && { ...entry };
  }
}
