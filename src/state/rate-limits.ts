import { BoundedMap } from "../internal/bounded-map.js";
import { internKey } from "../internal/recipients.js";

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
   * Plain-number entries hold `(emptyAt - epoch) × 8`, `epoch` the first `now` this store saw: a
   * time on a 1/8 ms grid (whole milliseconds, and the fractional steps of a fake clock) within
   * ±3 days of it is a small integer to V8, with no heap number behind it. A time the encoding
   * would not give back exactly (far from the epoch, or too fine) is kept as an `OddBucket`.
   */
  #epoch: number | undefined;
  /**
   * Bucket keys share the prefix of the first one (`pair:<phone-number-id>:`): a key under it is
   * held as the rest, the recipient's key, one string with the other stores' (`internKey`);
   * any other key (or a rest starting with U+0000) as U+0000 and the key, so no two keys meet.
   */
  #prefix: string | undefined;
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
    const slot = this.#slot(key);
    const held = this.#buckets.get(slot);
    const emptyAt =
      held === undefined ? undefined : typeof held === "number" ? this.#decode(held) : held.emptyAt;
    const tokens = emptyAt === undefined ? burst : Math.min(burst, (now - emptyAt) / intervalMs);
    if (tokens < 1) return { ok: false, retryAfterMs: Math.ceil((1 - tokens) * intervalMs) };
    if (consume) {
      // Only a bucket that has refilled may make room: forgetting one still drained would hand
      // its recipient a fresh burst. With none, the new recipient waits for the oldest to refill.
      const next = now - (tokens - 1) * intervalMs;
      this.#usual ??= { burst, intervalMs };
      this.#epoch ??= now;
      const usual = this.#usual;
      const coded = (next - this.#epoch) * 8;
      const value =
        burst === usual.burst && intervalMs === usual.intervalMs && this.#decode(coded) === next
          ? coded
          : { emptyAt: next, burst, intervalMs };
      if (!this.#buckets.setIfRoom(this.#slot(key, true), value, (_, b) => this.#refilled(b, now)))
        return { ok: false, retryAfterMs: intervalMs };
    }
    return { ok: true, retryAfterMs: 0 };
  }

  /** The last key asked and its slot: a send peeks, then takes, under one key. */
  #lastKey: string | undefined;
  #lastSlot = "";
  #lastHeld = false;

  /**
   * The map key of `key`. Only a key about to be stored is interned (`held`): a lookup needs
   * equal characters, not the same string.
   */
  #slot(key: string, held = false): string {
    if (key === this.#lastKey && (!held || this.#lastHeld)) return this.#lastSlot;
    this.#prefix ??= key.slice(0, key.lastIndexOf(":") + 1);
    const prefix = this.#prefix;
    const slot =
      key.startsWith(prefix) && key.charCodeAt(prefix.length) !== 0
        ? held
          ? internKey(key.slice(prefix.length))
          : key.slice(prefix.length)
        : `\u0000${key}`;
    this.#lastKey = key;
    this.#lastSlot = slot;
    this.#lastHeld = held;
    return slot;
  }

  #decode(coded: number): number {
    return coded / 8 + (this.#epoch as number);
  }

  #refilled(b: number | OddBucket, now: number): boolean {
    if (typeof b !== "number") return now - b.emptyAt >= b.burst * b.intervalMs;
    const usual = this.#usual as { burst: number; intervalMs: number };
    return now - this.#decode(b) >= usual.burst * usual.intervalMs;
  }

  async refundBucket(key: string, _burst: number): Promise<void> {
    // One token back is an empty bucket one interval earlier. Tokens are capped at `burst` when
    // read, so the cap needs no state of its own.
    const slot = this.#slot(key);
    const held = this.#buckets.get(slot);
    if (held === undefined) return;
    if (typeof held !== "number") {
      held.emptyAt -= held.intervalMs;
      return;
    }
    const usual = this.#usual as { burst: number; intervalMs: number };
    const emptyAt = this.#decode(held) - usual.intervalMs;
    const coded = (emptyAt - (this.#epoch as number)) * 8;
    this.#buckets.set(
      this.#slot(key, true),
      this.#decode(coded) === emptyAt ? coded : { emptyAt, burst: usual.burst, intervalMs: usual.intervalMs },
    );
  }
}
