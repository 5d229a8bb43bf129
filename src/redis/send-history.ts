import { createHash } from "node:crypto";
import type { ReserveRefusal, SendCaps, SendHistoryStore, SendRecord } from "../state/send-history.js";
import { type RedisRunner, script } from "./client.js";
import { FAILURE_PATH } from "./shared.js";

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
