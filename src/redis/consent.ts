import type { ConsentEvent, ConsentStore } from "../state/consent.js";
import { type RedisRunner, script } from "./client.js";
import { decodeConsentEvent } from "./decode.js";
import { type KeyOf, keyFn } from "./shared.js";

const RPUSH = script(`return redis.call('RPUSH', KEYS[1], ARGV[1])`);
const LRANGE = script(`return redis.call('LRANGE', KEYS[1], 0, -1)`);
/**
 * The consent ledger as one Redis list per person (no expiry: it is a legal record). `key` is a
 * prefix the person's key is appended to, or a function that names the list.
 */
export class RedisConsentStore implements ConsentStore {
  readonly #key: (id: string) => string;
  // The constructor every keyed Redis store has (a runner and a key prefix or function).
  constructor(
    private readonly redis: RedisRunner,
    key: KeyOf,
  ) {
    this.#key = keyFn(key);
  }

  async append(event: ConsentEvent): Promise<void> {
    await this.redis.run(RPUSH, [this.#key(event.key)], [JSON.stringify(event)], "consent.append");
  }

  async history(key: string): Promise<ConsentEvent[]> {
    const k = this.#key(key);
    const list = (await this.redis.run(LRANGE, [k], [], "consent.history")) as string[];
    return list.map((s) => decodeConsentEvent(s, "consent.history", k));
  }
}
