import { StoreUnavailableError } from "../errors/store.js";
import type {
  CampaignCheckpointStore,
  CheckpointEntry,
  PendingCheckpoint,
} from "../state/campaign-checkpoints.js";
import { type RedisRunner, type Script, script } from "./client.js";
import { decodeCheckpoint } from "./decode.js";
import { DAY, FAILURE_PATH } from "./shared.js";

// Campaign checkpoints: one hash per campaign, a field per recipient; claiming is HSETNX-like but
// returns what was there, so the caller can tell a sent recipient from a pending one.
const CHECKPOINT_CLAIM = script(`
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  local c = cjson.decode(cur)
  if c['state'] ~= 'released' or c['run'] == ARGV[4] then return cur end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return false`);
const CHECKPOINT_SET = script(`
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`);
/** The same step for a release, which runs on failure paths: never dependent on the script cache. */
const CHECKPOINT_RELEASE = script(
  `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`,
  FAILURE_PATH,
);
/** Release only an entry still pending: a settle by hand never overwrites a send recorded meanwhile. */
const CHECKPOINT_RELEASE_PENDING = script(`
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return 0 end
local ok, c = pcall(cjson.decode, cur)
if not ok or type(c) ~= 'table' or c['state'] ~= 'pending' then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`);
const HGET = script(`return redis.call('HGET', KEYS[1], ARGV[1])`);
/** One HSCAN step over a campaign's hash, keeping only pending entries: { cursor, {field, value, …} }. */
const CHECKPOINT_PENDING = script(`
local r = redis.call('HSCAN', KEYS[1], ARGV[1], 'COUNT', ARGV[2])
local out = {}
for i = 1, #r[2], 2 do
  local ok, c = pcall(cjson.decode, r[2][i + 1])
  if not ok or type(c) ~= 'table' or c['state'] == 'pending' then
    out[#out + 1] = r[2][i]
    out[#out + 1] = r[2][i + 1]
  end
end
return { r[1], out }`);
/**
 * Campaign checkpoints: a hash per campaign (`<prefix><campaign id>`), one field per recipient,
 * kept `ttlMs` after the campaign's last change. A claim is one atomic step, so two instances
 * running the same campaign id at once never both send to one recipient.
 */
export class RedisCampaignCheckpointStore implements CampaignCheckpointStore {
  constructor(
    private readonly redis: RedisRunner,
    private readonly prefix: string,
    private readonly ttlMs: number = 30 * DAY,
  ) {}

  async claim(
    campaign: string,
    key: string,
    entry: CheckpointEntry & { state: "pending" },
  ): Promise<CheckpointEntry | undefined> {
    const cur = await this.redis.run(
      CHECKPOINT_CLAIM,
      [this.prefix + campaign],
      [key, JSON.stringify(entry), this.ttlMs, entry.run],
      "campaigns.claim",
    );
    return cur === null || cur === undefined
      ? undefined
      : decodeCheckpoint(cur, "campaigns.claim", `${this.prefix + campaign} ${key}`);
  }

  // settle, release and releasePending: the CampaignCheckpointStore signatures, each one script.
  async settle(campaign: string, key: string, entry: CheckpointEntry & { state: "sent" }): Promise<void> {
    await this.#write(CHECKPOINT_SET, campaign, key, entry, "campaigns.settle");
  }

  async release(
    campaign: string,
    key: string,
    entry: CheckpointEntry & { state: "released" },
  ): Promise<void> {
    await this.#write(CHECKPOINT_RELEASE, campaign, key, entry, "campaigns.release");
  }

  async releasePending(
    campaign: string,
    key: string,
    entry: CheckpointEntry & { state: "released" },
  ): Promise<boolean> {
    const done = await this.#write(
      CHECKPOINT_RELEASE_PENDING,
      campaign,
      key,
      entry,
      "campaigns.releasePending",
    );
    return Number(done) === 1;
  }

  /** Run a script that writes `entry` at `key` of the campaign's hash (and renews its TTL). */
  #write(script: Script, campaign: string, key: string, entry: CheckpointEntry, operation: string) {
    return this.redis.run(
      script,
      [this.prefix + campaign],
      [key, JSON.stringify(entry), this.ttlMs],
      operation,
    );
  }

  /** HSCAN in steps of 1,000 fields: Redis is never blocked for a whole large campaign. */
  async pending(campaign: string): Promise<PendingCheckpoint[]> {
    const hash = this.prefix + campaign;
    const out: PendingCheckpoint[] = [];
    let cursor = "0";
    do {
      const reply = await this.redis.run(CHECKPOINT_PENDING, [hash], [cursor, 1_000], "campaigns.pending");
      const [next, fields] = Array.isArray(reply) ? reply : [];
      if ((typeof next !== "string" && typeof next !== "number") || !Array.isArray(fields))
        throw new StoreUnavailableError("redis", "campaigns.pending", `unexpected reply for ${hash}`, {
          unreachable: false,
        });
      for (let i = 0; i + 1 < fields.length; i += 2) {
        const key = String(fields[i]);
        // An entry wa-guard did not write fails closed, naming the key.
        const entry = decodeCheckpoint(fields[i + 1], "campaigns.pending", `${hash} ${key}`);
        if (entry.state === "pending") out.push({ key, entry });
      }
      cursor = String(next);
    } while (cursor !== "0");
    return out;
  }

  async get(campaign: string, key: string): Promise<CheckpointEntry | undefined> {
    const cur = await this.redis.run(HGET, [this.prefix + campaign], [key], "campaigns.get");
    return cur === null || cur === undefined
      ? undefined
      : decodeCheckpoint(cur, "campaigns.get", `${this.prefix + campaign} ${key}`);
  }
}
