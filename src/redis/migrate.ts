import { ConfigError } from "../errors/validation.js";
import { type RedisClientLike, type RedisRunnerOptions, redisRunner, script } from "./client.js";
import { RedisIdentityStore } from "./identity.js";
import { isClusterClient, type RedisKeyLayout, redisKeys } from "./stores.js";

// One page of the source's keys under the prefix.
const SCAN = script(`return redis.call('SCAN', ARGV[1], 'MATCH', ARGV[2], 'COUNT', ARGV[3])`);
// A key as its type, time to live and members (wa-guard stores text only: JSON, numbers, ids).
const READ = script(`
local t = redis.call('TYPE', KEYS[1])['ok']
local ttl = redis.call('PTTL', KEYS[1])
local m = {}
if t == 'string' then m = {redis.call('GET', KEYS[1])}
elseif t == 'list' then m = redis.call('LRANGE', KEYS[1], 0, -1)
elseif t == 'set' then m = redis.call('SMEMBERS', KEYS[1])
elseif t == 'hash' then m = redis.call('HGETALL', KEYS[1])
elseif t == 'zset' then m = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES') end
return {t, ttl, m}`);
// Merge a key into the target without taking anything away from what is there: a list gains the
// entries it lacks (a consent ledger keeps every event once), a set or sorted set the members it
// lacks, a hash the fields it lacks; a string is set where there is none, and over a smaller
// number (the latest inbound time, a counter) or a de-duplication lease ('p') the source has
// seen done ('d'). A key that expires
// keeps at least the source's time to live; one that does not expire is left so.
// ARGV: type, source PTTL, then the members.
const MERGE = script(`
local t, ttl = ARGV[1], tonumber(ARGV[2])
local existed = redis.call('EXISTS', KEYS[1]) == 1
local cur = existed and redis.call('TYPE', KEYS[1])['ok'] or t
if cur ~= t then return redis.error_reply('WRONGTYPE target ' .. cur .. ', source ' .. t) end
if t == 'string' then
  local have = redis.call('GET', KEYS[1])
  if not existed then redis.call('SET', KEYS[1], ARGV[3])
  elseif (tonumber(have) and tonumber(ARGV[3]) and tonumber(ARGV[3]) > tonumber(have))
    or (have == 'p' and ARGV[3] == 'd') then
    redis.call('SET', KEYS[1], ARGV[3], 'KEEPTTL')
  end
elseif t == 'list' then
  local have = {}
  for _, v in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do have[v] = true end
  for i = 3, #ARGV do
    if not have[ARGV[i]] then redis.call('RPUSH', KEYS[1], ARGV[i]) have[ARGV[i]] = true end
  end
elseif t == 'set' then
  for i = 3, #ARGV do redis.call('SADD', KEYS[1], ARGV[i]) end
elseif t == 'hash' then
  for i = 3, #ARGV, 2 do redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) end
elseif t == 'zset' then
  for i = 3, #ARGV, 2 do redis.call('ZADD', KEYS[1], 'NX', ARGV[i + 1], ARGV[i]) end
end
if ttl > 0 and redis.call('EXISTS', KEYS[1]) == 1 then
  local left = redis.call('PTTL', KEYS[1])
  if (not existed) or (left >= 0 and left < ttl) then redis.call('PEXPIRE', KEYS[1], ttl) end
end
return 1`);

export interface MigrateRedisLayoutOptions extends RedisRunnerOptions {
  /** The prefix both sides use. @default "wa-guard" */
  prefix?: string;
  /** The source's layout. @default "single" */
  from?: RedisKeyLayout;
  /** The target's layout. @default "cluster" */
  to?: RedisKeyLayout;
  /** Keys read per SCAN page. @default 500 */
  batch?: number;
}

export interface MigrateRedisLayoutResult {
  /** Keys read from the source and merged into the target. */
  copied: number;
  /** Keys under the prefix that are not wa-guard state under the source layout (left alone). */
  skipped: number;
}

/** Members per write (even, so pairs stay whole). */
const CHUNK = 4_000;
const escapeGlob = (s: string) => s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

/**
 * Copy the wa-guard state under `prefix` from one Redis to another, renaming every key from the
 * `from` layout to the `to` layout: by default from a single Redis (the names of every earlier
 * release) to a Redis Cluster. The copy only adds — consent events and identities the target
 * lacks, members and fields it lacks, values where it has none — so it can run while a fleet
 * writes to both, and again: a second run picks up what the source gained since the first,
 * without duplicating anything. The source is only read. Identities are linked through the
 * target's identity store, so people linked on either side stay one person.
 *
 * @example
 * const result = await migrateRedisLayout(new Redis(oldUrl), new Cluster(nodes));
 */
export async function migrateRedisLayout(
  source: RedisClientLike,
  target: RedisClientLike,
  options: MigrateRedisLayoutOptions = {},
): Promise<MigrateRedisLayoutResult> {
  const prefix = options.prefix ?? "wa-guard";
  const from = options.from ?? "single";
  const to = options.to ?? "cluster";
  for (const [name, v] of [
    ["from", from],
    ["to", to],
  ] as const)
    if (v !== "single" && v !== "cluster")
      throw new ConfigError(`migrateRedisLayout(): ${name} must be "single" or "cluster", got ${String(v)}`);
  if (from === to) throw new ConfigError("migrateRedisLayout(): from and to name the same layout");
  if (isClusterClient(source))
    throw new ConfigError("migrateRedisLayout(): the source must be one Redis (SCAN reads one server)");
  if (/[{}]/.test(prefix))
    throw new ConfigError('migrateRedisLayout(): the prefix may not contain "{" or "}"');
  const batch = options.batch ?? 500;
  if (!Number.isInteger(batch) || batch < 1)
    throw new ConfigError(`migrateRedisLayout(): batch must be a positive integer, got ${String(batch)}`);
  const src = redisRunner(source, options);
  const dst = redisRunner(target, options);
  const toKeys = (phone: string) => redisKeys(prefix, phone, to);
  const identity = new RedisIdentityStore(dst, toKeys("0").who);
  // A key's kind and id under the source layout.
  const phoneRe = from === "single" ? /^(\d+):(.+)$/s : /^\{(\d+)\}:(.+)$/s;
  const wabaRe = from === "single" ? /^waba:(\d+):(.+)$/s : /^waba:\{(\d+)\}:(.+)$/s;
  const personRe = from === "single" ? /^(consent|seen|who):(.+)$/s : /^(consent|seen|who):\{(.+)\}$/s;
  const rename = (key: string): { target: string; who?: string } | undefined => {
    const rest = key.slice(prefix.length + 1);
    const person = personRe.exec(rest);
    if (person) {
      const [, kind, id] = person as unknown as [string, "consent" | "seen" | "who", string];
      return kind === "who" ? { target: toKeys("0").who(id), who: id } : { target: toKeys("0")[kind](id) };
    }
    const waba = wabaRe.exec(rest);
    if (waba) {
      // As per number below: the WABA's template list stays behind, its restrictions go.
      if (/^templates(:|$)/.test(waba[2] as string)) return undefined;
      return { target: `${toKeys("0").waba(waba[1] as string)}:${waba[2]}` };
    }
    const phone = phoneRe.exec(rest);
    // The template list is a cache every instance fetches again from Meta: copying it could bring
    // back a list the new instances already dropped (a template paused since), so it stays behind.
    if (phone && /^templates(:|$)/.test(phone[2] as string)) return undefined;
    if (phone) return { target: `${toKeys(phone[1] as string).phone}:${phone[2]}` };
    return undefined;
  };
  let cursor = "0";
  let copied = 0;
  let skipped = 0;
  do {
    const [next, keys] = (await src.run(
      SCAN,
      [],
      [cursor, `${escapeGlob(prefix)}:*`, batch],
      "migrate.scan",
    )) as [string, string[]];
    cursor = String(next);
    for (const key of keys) {
      const name = rename(key);
      if (!name) {
        skipped++;
        continue;
      }
      const [type, ttl, members] = (await src.run(READ, [key], [], "migrate.read")) as [
        string,
        number,
        string[],
      ];
      if (type === "none") continue; // expired or deleted since the scan
      if (name.who !== undefined)
        await identity.link([name.who, ...members], { at: Date.now(), source: "migrate" });
      // In chunks of whole pairs (hash fields, sorted-set scores): Lua limits a call's arguments.
      else
        for (let i = 0; i < Math.max(1, members.length); i += CHUNK)
          await dst.run(
            MERGE,
            [name.target],
            [type, Number(ttl), ...members.slice(i, i + CHUNK)],
            "migrate.write",
          );
      copied++;
    }
  } while (cursor !== "0");
  return { copied, skipped };
}
