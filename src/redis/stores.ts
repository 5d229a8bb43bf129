import { createHash, randomUUID } from "node:crypto";
import { isStoreUnavailableError, StoreUnavailableError } from "../errors/store.js";
import { ConfigError } from "../errors/validation.js";
import type { PolicyStores } from "../policy/pipeline.js";
import type { AccountHealthStore, Restriction, RestrictionScope } from "../state/account-health.js";
import type { BlockMirror } from "../state/block-mirror.js";
import type {
  CampaignCheckpointStore,
  CheckpointEntry,
  PendingCheckpoint,
} from "../state/campaign-checkpoints.js";
import type { ConsentEvent, ConsentStore } from "../state/consent.js";
import { MemoryRateLimitStore, type RateDecision, type RateLimitStore } from "../state/rate-limits.js";
import type { ReserveRefusal, SendCaps, SendHistoryStore, SendRecord } from "../state/send-history.js";
import type { SessionWindowStore } from "../state/session-windows.js";
import type { SharedTemplateList, TemplateListStore } from "../state/template-list.js";
import type { DedupState, WebhookDedupStore } from "../state/webhook-dedup.js";
import {
  type RedisClientLike,
  type RedisRunner,
  type RedisRunnerOptions,
  redisRunner,
  script,
} from "./client.js";
import {
  decodeCheckpoint,
  decodeConsentEvent,
  decodeRestriction,
  decodeTemplateList,
  decodeTime,
} from "./decode.js";
import { RedisIdentityStore } from "./identity.js";

const DAY = 24 * 60 * 60 * 1000;

// Every script is one atomic step on the Redis server. Rate decisions read the time from
// Redis (`TIME`), never from the client, so instances with skewed clocks share one truth.
const NOW_MS =
  "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)";

/**
 * Undo steps (releases, refunds) run when something already failed — often while Redis stalls or
 * right after it restarted. They always go as EVAL with their source: an undo must never be lost
 * to a script cache Redis forgot.
 */
const FAILURE_PATH = { alwaysEval: true } as const;

const RECORD_INBOUND = script(`
local prev = tonumber(redis.call('GET', KEYS[1]))
local at = tonumber(ARGV[1])
if (not prev) or prev < at then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return 1`);
const GET = script(`return redis.call('GET', KEYS[1])`);
const RPUSH = script(`return redis.call('RPUSH', KEYS[1], ARGV[1])`);
const LRANGE = script(`return redis.call('LRANGE', KEYS[1], 0, -1)`);
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
// Account health: one hash field per scope; the restriction that lasts longer wins. A field
// "lift:<scope>" keeps the latest lift (Meta's time): older restrictions are over, and a lift
// older than the restriction in force changes nothing.
// Two restrictions of one scope merge as MemoryAccountHealthStore's merge(): the later start,
// the later end (open-ended wins), the source of the one that lasts longer.
const OPEN_RESTRICTION = script(`
local nxt = cjson.decode(ARGV[2])
local lifted = tonumber(redis.call('HGET', KEYS[1], 'lift:' .. ARGV[1]))
if lifted and nxt['since'] < lifted then return 0 end
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  local c = cjson.decode(cur)
  local longer = nxt
  if c['until'] == nil or (nxt['until'] ~= nil and nxt['until'] <= c['until']) then longer = c end
  local out = { scope = c['scope'], source = longer['source'], since = math.max(c['since'], nxt['since']) }
  if c['until'] ~= nil and nxt['until'] ~= nil then out['until'] = math.max(c['until'], nxt['until']) end
  redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(out))
  return 1
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1`);
const CLOSE_RESTRICTION = script(`
local at = tonumber(ARGV[2])
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[3] ~= '' then
  if cur then
    local c = cjson.decode(cur)
    if c['source'] == ARGV[3] and c['since'] <= at then redis.call('HDEL', KEYS[1], ARGV[1]) end
  end
  return 1
end
local lifted = tonumber(redis.call('HGET', KEYS[1], 'lift:' .. ARGV[1]))
if (not lifted) or lifted < at then redis.call('HSET', KEYS[1], 'lift:' .. ARGV[1], ARGV[2]) end
if cur and cjson.decode(cur)['since'] <= at then redis.call('HDEL', KEYS[1], ARGV[1]) end
return 1`);
const ACTIVE_RESTRICTIONS = script(`
local now = tonumber(ARGV[1])
local all = redis.call('HGETALL', KEYS[1])
local out = {}
for i = 1, #all, 2 do
  if string.sub(all[i], 1, 5) ~= 'lift:' then
    local r = cjson.decode(all[i + 1])
    if r['until'] ~= nil and r['until'] <= now then redis.call('HDEL', KEYS[1], all[i])
    else table.insert(out, all[i + 1]) end
  end
end
return out`);
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
// The shared template list and its generation (bumped by every invalidation): a list fetched
// before an invalidation is never stored after it.
const TEMPLATES_GET = script(
  `return { redis.call('GET', KEYS[1]) or false, redis.call('GET', KEYS[2]) or '0' }`,
);
const TEMPLATES_SET = script(`
if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1`);
const TEMPLATES_INVALIDATE = script(`
redis.call('INCR', KEYS[2])
redis.call('DEL', KEYS[1])
return 1`);
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

// Send history: per recipient a sorted set of sends (score: time; member: time, fingerprint hash,
// marketing and reach flags, a sequence), and per phone number a sorted set of recipients by
// their latest business-initiated send that counts toward the messaging limit.
const RELEASE_SEND = script(
  `
local at = tonumber(ARGV[1])
local prefix = ARGV[1] .. '|' .. ARGV[2] .. '|'
local found = nil
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], at, at)) do
  if string.sub(m, 1, #prefix) == prefix then found = m break end
end
if not found then return 0 end
redis.call('ZREM', KEYS[1], found)
if tonumber(redis.call('ZSCORE', KEYS[2], ARGV[3])) == at then
  local latest = nil
  for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    local t, _, _, r = string.match(m, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|')
    if r == '1' then latest = t end
  end
  if latest then redis.call('ZADD', KEYS[2], latest, ARGV[3]) else redis.call('ZREM', KEYS[2], ARGV[3]) end
end
return 1`,
  FAILURE_PATH,
);
const REACH = script(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - 86400000)
local mine = redis.call('ZSCORE', KEYS[1], ARGV[2])
return {redis.call('ZCARD', KEYS[1]), mine and 1 or 0}`);
const SENDS_SINCE = script(`
local n = 0
local found = 0
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '+inf')) do
  local _, fp, mk = string.match(m, '^([^|]*)|([^|]*)|([^|]*)|')
  if mk == '1' then n = n + 1 end
  if fp == ARGV[2] then found = 1 end
end
return {n, found}`);

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

// Check the caps and record in one step (ARGV: at, fp, marketing, reach, user, identicalSince,
// perDay, perWeek, reachLimit, then the person's other identifiers; '' = no cap). KEYS: the
// user's sends, reach, seq, then the sends under each other identifier (counted, not written).
const RESERVE_SEND = script(`
local at = tonumber(ARGV[1])
local day = at - 86400000
local week = at - 7 * 86400000
local perDay, perWeek = 0, 0
for k = 1, #KEYS do
  if k == 1 or k > 3 then
    local rows = redis.call('ZRANGEBYSCORE', KEYS[k], '(' .. week, '+inf', 'WITHSCORES')
    for i = 1, #rows, 2 do
      local t = tonumber(rows[i + 1])
      local _, fp, mk = string.match(rows[i], '^([^|]*)|([^|]*)|([^|]*)|')
      if ARGV[6] ~= '' and fp == ARGV[2] and t > tonumber(ARGV[6]) then return 'identical' end
      if mk == '1' then
        perWeek = perWeek + 1
        if t > day then perDay = perDay + 1 end
      end
    end
  end
end
if ARGV[3] == '1' then
  if ARGV[7] ~= '' and perDay >= tonumber(ARGV[7]) then return 'day' end
  if ARGV[8] ~= '' and perWeek >= tonumber(ARGV[8]) then return 'week' end
end
if ARGV[4] == '1' and ARGV[9] ~= '' then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', day)
  local counted = redis.call('ZSCORE', KEYS[2], ARGV[5])
  for a = 10, #ARGV do
    if not counted then counted = redis.call('ZSCORE', KEYS[2], ARGV[a]) end
  end
  if (not counted) and redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[9]) then
    return 'limit'
  end
end
local seq = redis.call('INCR', KEYS[3])
redis.call('ZADD', KEYS[1], at, ARGV[1] .. '|' .. ARGV[2] .. '|' .. ARGV[3] .. '|' .. ARGV[4] .. '|' .. seq)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', week)
redis.call('PEXPIRE', KEYS[1], 8 * 86400000)
if ARGV[4] == '1' then
  local cur = tonumber(redis.call('ZSCORE', KEYS[2], ARGV[5]))
  if (not cur) or cur < at then redis.call('ZADD', KEYS[2], at, ARGV[5]) end
  redis.call('PEXPIRE', KEYS[2], 2 * 86400000)
end
return ''`);

/**
 * How keys are named. `single`: the names every release before Cluster support used, for one
 * Redis (no hash tags). `cluster`: every key carries a hash tag, so each script touches one slot —
 * per phone number `<prefix>:{<phone number id>}:…`, per person `<prefix>:consent:{<id>}`,
 * `<prefix>:who:{<id>}`, `<prefix>:seen:{<event>}`. The two layouts name different keys: moving
 * from one to the other is a copy ({@link migrateRedisLayout}), never a switch of this option.
 */
export type RedisKeyLayout = "single" | "cluster";

/** An ioredis `Cluster` (`isCluster`) or a node-redis cluster client (`masters`). */
export function isClusterClient(client: unknown): boolean {
  if (client === null || typeof client !== "object") return false;
  const c = client as { isCluster?: unknown };
  return c.isCluster === true || "masters" in client;
}

/** Where each kind of state lives, for one prefix and phone number in one layout. */
export interface RedisKeys {
  /** Per phone number: windows, blocks, health, rates, sends, campaigns, templates. */
  readonly phone: string;
  readonly consent: (key: string) => string;
  readonly seen: (key: string) => string;
  readonly who: (id: string) => string;
}

/** The key names of a layout (see {@link RedisKeyLayout}). */
export function redisKeys(prefix: string, phoneNumberId: string, layout: RedisKeyLayout): RedisKeys {
  if (layout === "single")
    return {
      phone: `${prefix}:${phoneNumberId}`,
      consent: (k) => `${prefix}:consent:${k}`,
      seen: (k) => `${prefix}:seen:${k}`,
      who: (k) => `${prefix}:who:${k}`,
    };
  return {
    phone: `${prefix}:{${phoneNumberId}}`,
    consent: (k) => `${prefix}:consent:{${k}}`,
    seen: (k) => `${prefix}:seen:{${k}}`,
    who: (k) => `${prefix}:who:{${k}}`,
  };
}

export interface RedisStoresOptions extends RedisRunnerOptions {
  /** Prefix of every key. @default "wa-guard" */
  prefix?: string;
  /**
   * Key names (see {@link RedisKeyLayout}). A Redis Cluster client needs `cluster`.
   * @default "cluster" for an ioredis `Cluster` or a node-redis cluster client, "single" otherwise
   */
  keyLayout?: RedisKeyLayout;
  /**
   * The phone number the state belongs to: windows, blocks, rate limits and health are per
   * phone number; consent and webhook de-duplication are per business (prefix only).
   */
  phoneNumberId: string;
  /**
   * Rate limits while Redis is unreachable (every other decision fails closed with
   * `StoreUnavailableError`). @default { mode: "local", instances: 1 }
   */
  rateLimitFallback?: RateLimitFallback;
  /** How long a campaign's checkpoint is kept after its last change. @default 30 days */
  campaignTtlMs?: number;
}

/**
 * Policy state in Redis, shared by every instance that uses the same prefix: a window opened by
 * a webhook on one instance allows a reply from another, an opt-out recorded anywhere stops
 * marketing everywhere, and rate decisions hold for the fleet. Pass the result as
 * `stores` to `WhatsAppClient`.
 *
 */
export function redisStores(
  client: RedisClientLike,
  options: RedisStoresOptions,
): Required<
  Pick<
    PolicyStores,
    | "sessionWindows"
    | "consent"
    | "blockMirror"
    | "accountHealth"
    | "webhookDedup"
    | "rateLimits"
    | "sendHistory"
    | "campaigns"
    | "templates"
    | "identity"
  >
> {
  const redis = redisRunner(client, options);
  const prefix = options.prefix ?? "wa-guard";
  if (typeof options.phoneNumberId !== "string" || !/^\d+$/.test(options.phoneNumberId)) {
    throw new TypeError(
      "redisStores() needs { phoneNumberId } (digits): windows, blocks and limits are per number",
    );
  }
  const layout = keyLayoutOf(client, options.keyLayout, prefix);
  const keys = redisKeys(prefix, options.phoneNumberId, layout);
  const phone = keys.phone;
  return {
    sessionWindows: new RedisSessionWindowStore(redis, `${phone}:window:`),
    consent: new RedisConsentStore(redis, keys.consent),
    blockMirror: new RedisBlockMirror(redis, `${phone}:blocked`),
    accountHealth: new RedisAccountHealthStore(redis, `${phone}:health`),
    webhookDedup: new RedisWebhookDedupStore(redis, keys.seen),
    rateLimits: new RedisRateLimitStore(redis, `${phone}:rate:`, options.rateLimitFallback),
    sendHistory: new RedisSendHistoryStore(redis, `${phone}:sent:`),
    campaigns: new RedisCampaignCheckpointStore(redis, `${phone}:campaign:`, options.campaignTtlMs),
    templates: new RedisTemplateListStore(redis, `${phone}:templates`),
    identity: new RedisIdentityStore(redis, keys.who),
  };
}

function keyLayoutOf(client: unknown, asked: unknown, prefix: string): RedisKeyLayout {
  if (asked !== undefined && asked !== "single" && asked !== "cluster")
    throw new ConfigError(`redisStores(): keyLayout must be "single" or "cluster", got ${String(asked)}`);
  const cluster = isClusterClient(client);
  if (cluster && asked === "single")
    throw new ConfigError(
      'redisStores(): a Redis Cluster client needs keyLayout "cluster" (the single layout spans slots); ' +
        "copy an existing single Redis with migrateRedisLayout()",
    );
  const layout = asked ?? (cluster ? "cluster" : "single");
  if (layout === "cluster" && /[{}]/.test(prefix))
    throw new ConfigError('redisStores(): with keyLayout "cluster" the prefix may not contain "{" or "}"');
  return layout;
}

/** The key of an id: a prefix it is appended to, or a function. */
type KeyOf = string | ((id: string) => string);
const keyFn = (k: KeyOf): ((id: string) => string) => (typeof k === "string" ? (id) => k + id : k);

/** The template list in one string key, with a generation counter beside it. */
export class RedisTemplateListStore implements TemplateListStore {
  constructor(
    private readonly redis: RedisRunner,
    private readonly key: string,
  ) {}

  async get(): Promise<{ list: SharedTemplateList | undefined; generation: string }> {
    const [list, generation] = (await this.redis.run(
      TEMPLATES_GET,
      [this.key, `${this.key}:gen`],
      [],
      "templates.get",
    )) as [string | null | false, string | number];
    return {
      list: list ? decodeTemplateList(list, "templates.get", this.key) : undefined,
      generation: String(generation),
    };
  }

  async set(list: SharedTemplateList, ttlMs: number, generation: string): Promise<void> {
    await this.redis.run(
      TEMPLATES_SET,
      [this.key, `${this.key}:gen`],
      [JSON.stringify(list), generation, Math.max(1, ttlMs)],
      "templates.set",
    );
  }

  async invalidate(): Promise<void> {
    await this.redis.run(TEMPLATES_INVALIDATE, [this.key, `${this.key}:gen`], [], "templates.invalidate");
  }
}

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

  async settle(campaign: string, key: string, entry: CheckpointEntry & { state: "sent" }): Promise<void> {
    await this.redis.run(
      CHECKPOINT_SET,
      [this.prefix + campaign],
      [key, JSON.stringify(entry), this.ttlMs],
      "campaigns.settle",
    );
  }

  async release(
    campaign: string,
    key: string,
    entry: CheckpointEntry & { state: "released" },
  ): Promise<void> {
    await this.redis.run(
      CHECKPOINT_RELEASE,
      [this.prefix + campaign],
      [key, JSON.stringify(entry), this.ttlMs],
      "campaigns.release",
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

export class RedisSessionWindowStore implements SessionWindowStore {
  constructor(
    private readonly redis: RedisRunner,
    private readonly prefix: string,
  ) {}

  async recordInbound(key: string, at: number): Promise<void> {
    // Kept two days: the window is 24 h; block eligibility and reach look back as far.
    await this.redis.run(RECORD_INBOUND, [this.prefix + key], [at, 2 * DAY], "windows.recordInbound");
  }

  async lastInbound(key: string): Promise<number | undefined> {
    const v = await this.redis.run(GET, [this.prefix + key], [], "windows.lastInbound");
    return v === null || v === undefined
      ? undefined
      : decodeTime(v, "windows.lastInbound", this.prefix + key);
  }
}

/**
 * The consent ledger as one Redis list per person (no expiry: it is a legal record). `key` is a
 * prefix the person's key is appended to, or a function that names the list.
 */
export class RedisConsentStore implements ConsentStore {
  readonly #key: (id: string) => string;
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

export class RedisAccountHealthStore implements AccountHealthStore {
  constructor(
    private readonly redis: RedisRunner,
    private readonly key: string,
  ) {}

  async open(restriction: Restriction): Promise<void> {
    await this.redis.run(
      OPEN_RESTRICTION,
      [this.key],
      [restriction.scope, JSON.stringify(restriction)],
      "health.open",
    );
  }
  async close(scope: RestrictionScope, at: number, source?: string): Promise<void> {
    await this.redis.run(CLOSE_RESTRICTION, [this.key], [scope, at, source ?? ""], "health.close");
  }
  async active(now: number): Promise<Restriction[]> {
    const list = (await this.redis.run(ACTIVE_RESTRICTIONS, [this.key], [now], "health.active")) as string[];
    return list.map((s) => decodeRestriction(s, "health.active", this.key));
  }
}

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

/** A short, `|`-free stand-in for a message fingerprint (which can be long). */
const fp = (fingerprint: string) => createHash("sha1").update(fingerprint).digest("base64url").slice(0, 16);

/**
 * Business-initiated sends, shared: frequency caps and the messaging limit's unique recipients
 * count every instance's sends.
 */
export class RedisSendHistoryStore implements SendHistoryStore {
  constructor(
    private readonly redis: RedisRunner,
    private readonly prefix: string,
  ) {}

  async record(e: SendRecord): Promise<void> {
    await this.reserve(e, {}); // no caps: always recorded
  }

  async reserve(e: SendRecord, caps: SendCaps): Promise<ReserveRefusal | undefined> {
    const opt = (v: number | undefined) => (v === undefined ? "" : v);
    const aliases = (e.aliases ?? []).filter((k) => k !== e.key);
    const full = await this.redis.run(
      RESERVE_SEND,
      [
        `${this.prefix}u:${e.key}`,
        `${this.prefix}reach`,
        `${this.prefix}seq`,
        ...aliases.map((k) => `${this.prefix}u:${k}`),
      ],
      [
        e.at,
        fp(e.fingerprint),
        e.marketing ? 1 : 0,
        e.reach ? 1 : 0,
        e.key,
        opt(caps.identicalSince),
        opt(caps.marketingPerDay),
        opt(caps.marketingPerWeek),
        Number.isFinite(caps.reachLimit) ? opt(caps.reachLimit) : "",
        ...aliases,
      ],
      "send-history.reserve",
    );
    return full === "" || full === null || full === undefined ? undefined : (String(full) as ReserveRefusal);
  }

  async release(e: SendRecord): Promise<void> {
    await this.redis.run(
      RELEASE_SEND,
      [`${this.prefix}u:${e.key}`, `${this.prefix}reach`],
      [e.at, fp(e.fingerprint), e.key],
      "send-history.release",
    );
  }

  async reach(key: string, now: number): Promise<{ unique: number; includes: boolean }> {
    const [unique, mine] = (await this.redis.run(
      REACH,
      [`${this.prefix}reach`],
      [now, key],
      "send-history.reach",
    )) as [number, number];
    return { unique: Number(unique), includes: Number(mine) === 1 };
  }

  async marketingSince(key: string, since: number): Promise<number> {
    const [n] = (await this.redis.run(
      SENDS_SINCE,
      [`${this.prefix}u:${key}`],
      [since, ""],
      "send-history.marketingSince",
    )) as [number, number];
    return Number(n);
  }

  async sentSince(key: string, fingerprint: string, since: number): Promise<boolean> {
    const [, found] = (await this.redis.run(
      SENDS_SINCE,
      [`${this.prefix}u:${key}`],
      [since, fp(fingerprint)],
      "send-history.sentSince",
    )) as [number, number];
    return Number(found) === 1;
  }
}
