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

/** A bucket taken with another burst or interval than the store's usual one keeps them beside it. */
interface OddBucket {
  emptyAt: number;
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
  /**
   * Per key, one number: the time at which the bucket would have held no token had it never been
   * capped (`at - tokens × intervalMs`). Tokens at `now` are `min(burst, (now - emptyAt) /
   * intervalMs)`, so a bucket costs one map entry and one number rather than an object of four. A
   * bucket taken with another burst or interval than the first one this store saw keeps them
   * beside it (the room check and a refund need them).
   */
  readonly #buckets: BoundedMap<string, number | OddBucket>;
  /**
   * Plain-number entries hold `emptyAt - epoch` (the first `now` this store saw): a whole number
   * of milliseconds within ±24 days of it is a small integer to V8, with no heap number behind it.
   */
  #epoch: number | undefined;
  /** The burst and interval of the first bucket taken: those of every plain-number entry. */
  #usual: { burst: number; intervalMs: number } | undefined;

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
      // A look that takes nothing leaves nothing behind (a hold checked for every send).
      if (!consume) return { ok: limit > 0, retryAfterMs: limit > 0 ? 0 : windowMs, at: now };
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
    const held = this.#buckets.get(key);
    const emptyAt =
      held === undefined
        ? undefined
        : typeof held === "number"
          ? held + (this.#epoch as number)
          : held.emptyAt;
    const tokens = emptyAt === undefined ? burst : Math.min(burst, (now - emptyAt) / intervalMs);
    if (tokens < 1) return { ok: false, retryAfterMs: Math.ceil((1 - tokens) * intervalMs) };
    if (consume) {
      // Only a bucket that has refilled may make room: forgetting one still drained would hand
      // its recipient a fresh burst. With none, the new recipient waits for the oldest to refill.
      const next = now - (tokens - 1) * intervalMs;
      this.#usual ??= { burst, intervalMs };
      this.#epoch ??= now;
      const usual = this.#usual;
      const value =
        burst === usual.burst && intervalMs === usual.intervalMs
          ? next - this.#epoch
          : { emptyAt: next, burst, intervalMs };
      if (!this.#buckets.setIfRoom(key, value, (_, b) => this.#refilled(b, now)))
        return { ok: false, retryAfterMs: intervalMs };
    }
    return { ok: true, retryAfterMs: 0 };
  }

  #refilled(b: number | OddBucket, now: number): boolean {
    if (typeof b !== "number") return now - b.emptyAt >= b.burst * b.intervalMs;
    const usual = this.#usual as { burst: number; intervalMs: number };
    return now - (b + (this.#epoch as number)) >= usual.burst * usual.intervalMs;
  }

  async refundBucket(key: string, _burst: number): Promise<void> {
    // One token back is an empty bucket one interval earlier. Tokens are capped at `burst` when
    // read, so the cap needs no state of its own.
    const held = this.#buckets.get(key);
    if (held === undefined) return;
    if (typeof held !== "number") held.emptyAt -= held.intervalMs;
    else this.#buckets.set(key, held - (this.#usual as { intervalMs: number }).intervalMs);
  }
}
