import type { DedupState, WebhookDedupStore } from "../state/webhook-dedup.js";
import { type RedisRunner, script } from "./client.js";
import { FAILURE_PATH, type KeyOf, keyFn } from "./shared.js";

// Webhook de-duplication: 'p' while a delivery holds a lease on the event, 'd' once it is done.
const DEDUP_BEGIN = script(`
local v = redis.call('GET', KEYS[1])
if v == 'd' then return 'done' end
if v then return 'processing' end
redis.call('SET', KEYS[1], 'p', 'PX', ARGV[1])
return 'new'`);
const DEDUP_COMPLETE = script(`return redis.call('SET', KEYS[1], 'd', 'PX', ARGV[1])`);
const DEDUP_ABANDON = script(
  `
if redis.call('GET', KEYS[1]) == 'p' then redis.call('DEL', KEYS[1]) end
return 1`,
  FAILURE_PATH,
);
/**
 * Webhook de-duplication, one key per event: a lease while a delivery stores the event's
 * effects, then "done" for the de-duplication window. Nothing is undone on failure (a lease
 * lapses), so a stalled or restarted Redis can delay an event but never mark it done unapplied.
 */
export class RedisWebhookDedupStore implements WebhookDedupStore {
  readonly #key: (id: string) => string;
  constructor(
    private readonly redis: RedisRunner,
    key: KeyOf,
  ) {
    this.#key = keyFn(key);
  }

  async begin(key: string, leaseMs: number): Promise<DedupState> {
    const state = await this.redis.run(DEDUP_BEGIN, [this.#key(key)], [Math.max(1, leaseMs)], "dedup.begin");
    return String(state) as DedupState;
  }
  async complete(key: string, ttlMs: number): Promise<void> {
    await this.redis.run(DEDUP_COMPLETE, [this.#key(key)], [Math.max(1, ttlMs)], "dedup.complete");
  }
  async abandon(key: string): Promise<void> {
    await this.redis.run(DEDUP_ABANDON, [this.#key(key)], [], "dedup.abandon");
  }
}
