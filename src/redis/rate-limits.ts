import { isStoreUnavailableError } from "../errors/store.js";
import { MemoryRateLimitStore, type RateDecision, type RateLimitStore } from "../state/rate-limits.js";
import { type RedisRunner, script } from "./client.js";
import { FAILURE_PATH, NOW_MS } from "./shared.js";

// Exact sliding window on a sorted set scored by Redis time. Members are "<client at>:<seq>" so
// a refund can find the unit a send took.
const WINDOW = script(`
${NOW_MS}
local limit = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - windowMs)
local n = redis.call('ZCARD', KEYS[1])
if n >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], n - limit, n - limit, 'WITHSCORES')
  local wait = tonumber(oldest[2]) + windowMs - now
  if wait < 1 then wait = 1 end
  return {0, wait}
end
if ARGV[3] == '1' then
  local seq = redis.call('INCR', KEYS[2])
  redis.call('PEXPIRE', KEYS[2], windowMs * 2 + 1000)
  redis.call('ZADD', KEYS[1], now, ARGV[4] .. ':' .. seq)
  redis.call('PEXPIRE', KEYS[1], windowMs * 2 + 1000)
end
return {1, 0, now}`);
const REFUND_WINDOW = script(
  `
local prefix = ARGV[1] .. ':'
local members = redis.call('ZREVRANGE', KEYS[1], 0, -1)
for _, m in ipairs(members) do
  if string.sub(m, 1, #prefix) == prefix then redis.call('ZREM', KEYS[1], m) return 1 end
end
return 0`,
  FAILURE_PATH,
);
// Token bucket in a hash: tokens and the Redis time they were counted at.
const BUCKET = script(`
${NOW_MS}
local burst = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local s = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = burst
if s[1] then tokens = math.min(burst, tonumber(s[1]) + (now - tonumber(s[2])) / interval) end
if tokens < 1 then return {0, math.ceil((1 - tokens) * interval)} end
if ARGV[3] == '1' then
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'at', now)
  redis.call('PEXPIRE', KEYS[1], math.ceil(burst * interval) + 1000)
end
return {1, 0}`);
const REFUND_BUCKET = script(
  `
local t = redis.call('HGET', KEYS[1], 'tokens')
if not t then return 0 end
redis.call('HSET', KEYS[1], 'tokens', tostring(math.min(tonumber(ARGV[1]), tonumber(t) + 1)))
return 1`,
  FAILURE_PATH,
);
/** What rate decisions do while Redis is unreachable. */
export interface RateLimitFallback {
  /**
   * `local`: decide in this process with `1/instances` of each budget (throughput per second,
   * pair-rate burst), so a fleet that lost Redis together stays near the number's limit.
   * `open`: let every send through (Meta's 130429 / 131056 then do the limiting).
   * @default "local"
   */
  mode?: "local" | "open";
  /** How many instances share the phone number. @default 1 */
  instances?: number;
}

/**
 * Rate limits decided by Redis with Redis's own clock: the `now` callers pass is used only to
 * label a unit so it can be refunded. While Redis is unreachable, decisions follow the
 * {@link RateLimitFallback}.
 */
export class RedisRateLimitStore implements RateLimitStore {
  readonly remote = true;
  readonly #local = new MemoryRateLimitStore();
  readonly #mode: "local" | "open";
  readonly #share: number;

  constructor(
    private readonly redis: RedisRunner,
    private readonly prefix: string,
    fallback: RateLimitFallback = {},
  ) {
    this.#mode = fallback.mode ?? "local";
    const instances = fallback.instances ?? 1;
    if (!Number.isInteger(instances) || instances < 1)
      throw new TypeError("rateLimitFallback.instances must be a positive integer");
    this.#share = 1 / instances;
  }

  // The signature of RateLimitStore.window (and take below), as every store spells it out.
  async window(
    key: string,
    limit: number,
    windowMs: number,
    now: number,
    consume: boolean,
  ): Promise<RateDecision> {
    const k = this.prefix + key;
    try {
      const [ok, wait, at] = (await this.redis.run(
        WINDOW,
        [k, `${k}:seq`],
        [limit, windowMs, consume ? 1 : 0, now],
        "rate-limits.window",
      )) as [number, number, number?];
      return Number(ok) === 1
        ? { ok: true, retryAfterMs: 0, at: Number(at) }
        : { ok: false, retryAfterMs: Number(wait) };
    } catch (error) {
      if (!isStoreUnavailableError(error) || !error.unreachable) throw error;
      if (this.#mode === "open") return { ok: true, retryAfterMs: 0 };
      return this.#local.window(key, Math.max(1, Math.floor(limit * this.#share)), windowMs, now, consume);
    }
  }

  async refundWindow(key: string, at: number): Promise<void> {
    await this.#local.refundWindow(key, at);
    await this.redis
      .run(REFUND_WINDOW, [this.prefix + key], [at], "rate-limits.refundWindow")
      .catch((error: unknown) => {
        if (!isStoreUnavailableError(error)) throw error;
      });
  }

  async bucket(
    key: string,
    burst: number,
    intervalMs: number,
    now: number,
    consume: boolean,
  ): Promise<RateDecision> {
    try {
      const [ok, wait] = (await this.redis.run(
        BUCKET,
        [this.prefix + key],
        [burst, intervalMs, consume ? 1 : 0],
        "rate-limits.bucket",
      )) as [number, number];
      return { ok: Number(ok) === 1, retryAfterMs: Number(wait) };
    } catch (error) {
      if (!isStoreUnavailableError(error) || !error.unreachable) throw error;
      if (this.#mode === "open") return { ok: true, retryAfterMs: 0 };
      // 1/instances of the burst, and of the refill rate.
      return this.#local.bucket(
        key,
        Math.max(1, Math.floor(burst * this.#share)),
        intervalMs / this.#share,
        now,
        consume,
      );
    }
  }

  async refundBucket(key: string, burst: number): Promise<void> {
    await this.#local.refundBucket(key, Math.max(1, Math.floor(burst * this.#share)));
    await this.redis
      .run(REFUND_BUCKET, [this.prefix + key], [burst], "rate-limits.refundBucket")
      .catch((error: unknown) => {
        if (!isStoreUnavailableError(error)) throw error;
      });
  }
}
