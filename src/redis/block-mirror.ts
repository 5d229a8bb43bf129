import { randomUUID } from "node:crypto";
import type { BlockMirror } from "../state/block-mirror.js";
import { type RedisRunner, script } from "./client.js";

const SISMEMBER = script(`return redis.call('SISMEMBER', KEYS[1], ARGV[1])`);
const SADD = script(`return redis.call('SADD', KEYS[1], unpack(ARGV))`);
const SREM = script(`return redis.call('SREM', KEYS[1], unpack(ARGV))`);
const SCARD = script(`return redis.call('SCARD', KEYS[1])`);
const RENAME_OR_DEL = script(`
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('RENAME', KEYS[1], KEYS[2])
  redis.call('PERSIST', KEYS[2])
else redis.call('DEL', KEYS[2]) end
return 1`);
const SADD_EXPIRING = script(`
redis.call('SADD', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`);
/** Members per call: large lists go in chunks (client libraries and Lua both limit arguments). */
const CHUNK = 5_000;
const chunks = <T>(list: readonly T[]) =>
  Array.from({ length: Math.ceil(list.length / CHUNK) }, (_, i) => list.slice(i * CHUNK, (i + 1) * CHUNK));
export class RedisBlockMirror implements BlockMirror {
  constructor(
    private readonly redis: RedisRunner,
    private readonly key: string,
  ) {}

  async has(key: string): Promise<boolean> {
    return Number(await this.redis.run(SISMEMBER, [this.key], [key], "blocklist.has")) === 1;
  }
  async add(keys: readonly string[]): Promise<void> {
    for (const part of chunks(keys)) await this.redis.run(SADD, [this.key], part, "blocklist.add");
  }
  async remove(keys: readonly string[]): Promise<void> {
    for (const part of chunks(keys)) await this.redis.run(SREM, [this.key], part, "blocklist.remove");
  }
  async size(): Promise<number> {
    return Number(await this.redis.run(SCARD, [this.key], [], "blocklist.size"));
  }
  /**
   * Built aside under a key of its own (two instances syncing at once never mix their sets),
   * then swapped in with one RENAME: readers never see a half-synced mirror.
   */
  async replace(keys: readonly string[]): Promise<void> {
    const next = `${this.key}:next:${randomUUID()}`;
    // The set under construction expires if this instance dies halfway; RENAME carries that TTL
    // over, so the swap clears it (PERSIST) in the same step.
    for (const part of chunks(keys))
      await this.redis.run(SADD_EXPIRING, [next], [600_000, ...part], "blocklist.replace");
    await this.redis.run(RENAME_OR_DEL, [next, this.key], [], "blocklist.replace");
  }
}
