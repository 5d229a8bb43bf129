import { isFamily, WhatsAppError } from "./base.js";

/**
 * Whether a failed request may have reached Meta.
 * - `not_sent`: provably not delivered (connection refused, DNS failure, connect timeout,
 *   aborted before dispatch). Safe to retry.
 * - `unknown`: the request may have been processed (timeout or reset after it was written).
 *   Never retried automatically; reconcile through status webhooks using the correlation id.
 */
export type TransportOutcome = "not_sent" | "unknown";

export type TransportFailure =
  | "connect"
  | "dns"
  | "connect_timeout"
  | "headers_timeout"
  | "body_timeout"
  | "timeout"
  | "reset"
  | "aborted"
  | "invalid_response"
  /** The request could not be built (bad argument, encoding failure); nothing was sent. */
  | "invalid_request"
  | "other";

export interface TransportErrorOptions {
  outcome: TransportOutcome;
  reason: TransportFailure;
  cause?: unknown;
  method?: string;
  path?: string;
  /** HTTP status, when a response arrived but could not be understood. */
  status?: number;
}

/** The HTTP exchange with Meta failed. `outcome` says whether the request may have been processed. */
export class TransportError extends WhatsAppError {
  readonly code = "transport_failed" as const;
  readonly family = "transport" as const;
  readonly outcome: TransportOutcome;
  readonly reason: TransportFailure;
  /** Set on sends: the `biz_opaque_callback_data` the request carried, to reconcile by webhook. */
  correlationId?: string;
  readonly method?: string;
  readonly path?: string;
  readonly status?: number;

  constructor(message: string, options: TransportErrorOptions) {
    super(message, { cause: options.cause });
    this.outcome = options.outcome;
    this.reason = options.reason;
    if (options.method !== undefined) this.method = options.method;
    if (options.path !== undefined) this.path = options.path;
    if (options.status !== undefined) this.status = options.status;
  }
}

export function isTransportError(value: unknown): value is TransportError {
  return isFamily(value, "transport");
}
