import { BoundedMap } from "../internal/bounded-map.js";

export interface RateDecision {
  ok: boolean;
  /** When refused: how long until the same request would pass. */
  retryAfterMs: number;
  /** When the store decided, on the store's clock (Redis `TIME` for Redis stores). */
  at?: number;
}

/**
 * Capacity for throughput and pair-rate decisions. `take` decides and consumes in one step;
 * `peek` decides without consuming; `refund` gives back one unit taken at `at`.
 */
export interface RateLimitStore {
  /**
   * Decisions cost a round trip (a shared store): the pipeline then tries capacity alongside its
   * reads and gives it back when a check refuses, so a send decision is one round trip.
   */
  readonly remote?: boolean;
  /** At most `limit` events in any window of `windowMs` (exact sliding window). */
  window(key: string, limit: number, windowMs: number, now: number, consume: boolean): Promise<RateDecision>;
  /** Token bucket: `burst` tokens, one more every `intervalMs`. */
  bucket(
    key: string,
    burst: number,
    intervalMs: number,
    now: number,
    consume: boolean,
  ): Promise<RateDecision>;
  refundWindow(key: string, at: number): Promise<void>;
  refundBucket(key: string, burst: number): Promise<void>;
}

interface Bucket {
  tokens: number;
  at: number;
  burst: number;
  intervalMs: number;
}

/**
 * In-memory rate limits; pair-rate state bounded to `maxKeys` recipients. A recipient's bucket is
 * forgotten only once it has refilled (forgetting it then changes nothing); when every bucket
 * held is still draining, a new recipient waits.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  /** Per key: admitted event times within the window, oldest first. */
  readonly #logs = new Map<string, number[]>();
  readonly #buckets: BoundedMap<string, Bucket>;

  /** @param options.maxKeys recipients whose pair-rate state is kept (default 1,000,000). */
  constructor(options: { maxKeys?: number } = {}) {
    this.#buckets = new BoundedMap(options.maxKeys ?? 1_000_000);
  }

  /**
   * Exact sliding window. Any limit works on one key, so callers with different limits share
   * one history instead of resetting each other's.
   */
  async window(
    key: string,
    limit: number,
    windowMs: number,
    now: number,
    consume: boolean,
  ): Promise<RateDecision> {
    let log = this.#logs.get(key);
    if (!log) {
      log = [];
      this.#logs.set(key, log);
    }
    let drop = 0;
    while (drop < log.length && (log[drop] as number) <= now - windowMs) drop++;
    if (drop > 0) log.splice(0, drop);
    if (log.length >= limit) {
      const wait = (log[log.length - limit] as number) + windowMs - now;
      return { ok: false, retryAfterMs: Math.max(1, Math.ceil(wait)) };
    }
    if (consume) {
      // Keep the log ordered even if times arrive slightly out of order.
      let i = log.length;
      while (i > 0 && (log[i - 1] as number) > now) i--;
      log.splice(i, 0, now);
    }
    return { ok: true, retryAfterMs: 0, at: now };
  }

  async refundWindow(key: string, at: number): Promise<void> {
    const log = this.#logs.get(key);
    const i = log?.lastIndexOf(at) ?? -1;
    if (log && i >= 0) log.splice(i, 1);
  }

  async bucket(
    key: string,
    burst: number,
    intervalMs: number,
    now: number,
    consume: boolean,
  ): Promise<RateDecision> {
    const state = this.#buckets.get(key);
    const tokens = state ? Math.min(burst, state.tokens + (now - state.at) / intervalMs) : burst;
    if (tokens < 1) return { ok: false, retryAfterMs: Math.ceil((1 - tokens) * intervalMs) };
    if (consume) {
      // Only a bucket that has refilled may make room: forgetting one still drained would hand
      // its recipient a fresh burst. With none, the new recipient waits for the oldest to refill.
      const refilled = (_: string, b: Bucket) => b.tokens + (now - b.at) / b.intervalMs >= b.burst;
      if (!this.#buckets.setIfRoom(key, { tokens: tokens - 1, at: now, burst, intervalMs }, refilled))
        return { ok: false, retryAfterMs: intervalMs };
    }
    return { ok: true, retryAfterMs: 0 };
  }

  async refundBucket(key: string, burst: number): Promise<void> {
    const state = this.#buckets.get(key);
    if (state) state.tokens = Math.min(burst, state.tokens + 1);
  }
}
