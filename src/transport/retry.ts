import { isGraphApiError } from "../errors/graph.js";
import { graphCodeInfo } from "../errors/graph-codes.js";
import { isTransportError } from "../errors/transport.js";

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Longest wait honoured from a Retry-After header or code guidance; longer → no retry. */
  maxRetryAfterMs: number;
  /** Cap for computed exponential backoff. */
  maxBackoffMs: number;
}

/**
 * A client-wide retry budget (as in AWS SDK v3's retry quota): each retry costs `cost`
 * tokens, each success refunds one, and no retry happens when the budget is empty. It stops
 * a fleet of callers from turning an outage into a retry storm.
 */
export class RetryBudget {
  private tokens: number;

  constructor(
    readonly capacity = 50,
    readonly cost = 5,
  ) {
    this.tokens = capacity;
  }

  tryAcquire(): boolean {
    if (this.tokens < this.cost) return false;
    this.tokens -= this.cost;
    return true;
  }

  refund(): void {
    if (this.tokens < this.capacity) this.tokens++;
  }

  get available(): number {
    return this.tokens;
  }
}

/**
 * How long to wait before retry number `attempt` (0-based), or `undefined` if this error must
 * not be retried. Only errors that prove the request was not accepted are retried: a transport
 * failure with outcome `not_sent`, or a Graph code the table marks retryable.
 */
export function retryDelayMs(
  error: unknown,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | undefined {
  if (attempt >= policy.maxRetries) return undefined;
  let base: number;
  let factor = 2;
  if (isTransportError(error)) {
    if (error.outcome !== "not_sent" || error.reason === "aborted" || error.reason === "invalid_request")
      return undefined;
    base = 200;
  } else if (isGraphApiError(error)) {
    if (!error.retryable) return undefined;
    if (error.retryAfterMs !== undefined) {
      return error.retryAfterMs > policy.maxRetryAfterMs ? undefined : error.retryAfterMs;
    }
    const info = graphCodeInfo(error.graphCode);
    base = info.retryBaseMs ?? 500;
    factor = info.retryFactor ?? 2;
  } else {
    return undefined;
  }
  const ceiling = Math.min(policy.maxBackoffMs, base * factor ** attempt);
  if (ceiling > policy.maxRetryAfterMs) return undefined;
  // Jitter in [ceiling/2, ceiling]: spreads a fleet's retries without ever retrying early.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Parse `Retry-After` (delta-seconds or HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
