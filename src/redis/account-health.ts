import type { AccountHealthStore, Restriction, RestrictionScope } from "../state/account-health.js";
import { type RedisRunner, script } from "./client.js";
import { decodeRestriction } from "./decode.js";

// Account health: one hash field per scope, the scope's restriction as callers read it, with
// each source's restriction kept apart under "by" (MemoryAccountHealthStore's ScopeRestrictions):
//   <scope> = {"scope","source","since","until"?, "by":[{"source","since","until"?}, ...]}
// The top-level fields are the merge of "by" as scopeView() makes it: the scope's latest start,
// the latest end (open-ended wins), the source of the one that lasts longer. A lift by source
// removes that source's entry only. A field without "by" (written before sources were kept
// apart, or by an older version in a rolling deploy) is one entry of its own source, read as it
// was written. A field "lift:<scope>" keeps the latest lift (Meta's time): older restrictions are
// over, and a lift older than the scope's latest start changes nothing.
// One key per store, each script one round trip (Redis Cluster: one slot).
const SCOPE_LIB = `
local function entries(c)
  if type(c['by']) == 'table' then return c['by'] end
  return { { source = c['source'], since = c['since'], ['until'] = c['until'] } }
end
local function encode(scope, since, by)
  local best = by[1]
  for i = 2, #by do
    local e = by[i]
    if not (best['until'] == nil or (e['until'] ~= nil and e['until'] <= best['until'])) then best = e end
  end
  return cjson.encode({ scope = scope, source = best['source'], since = since, ['until'] = best['until'], by = by })
end
`;
const OPEN_RESTRICTION = script(`${SCOPE_LIB}
local nxt = cjson.decode(ARGV[2])
local lifted = tonumber(redis.call('HGET', KEYS[1], 'lift:' .. ARGV[1]))
if lifted and nxt['since'] < lifted then return 0 end
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local since = nxt['since']
local by = {}
if cur then
  local c = cjson.decode(cur)
  since = math.max(c['since'], nxt['since'])
  by = entries(c)
end
local found = false
for i = 1, #by do
  local e = by[i]
  if e['source'] == nxt['source'] then
    found = true
    local u = nil
    if e['until'] ~= nil and nxt['until'] ~= nil then u = math.max(e['until'], nxt['until']) end
    by[i] = { source = e['source'], since = math.max(e['since'], nxt['since']), ['until'] = u }
  end
end
if not found then table.insert(by, { source = nxt['source'], since = nxt['since'], ['until'] = nxt['until'] }) end
redis.call('HSET', KEYS[1], ARGV[1], encode(ARGV[1], since, by))
return 1`);
const CLOSE_RESTRICTION = script(`${SCOPE_LIB}
local at = tonumber(ARGV[2])
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[3] ~= '' then
  if cur then
    local c = cjson.decode(cur)
    if c['since'] <= at then
      local by = entries(c)
      local rest = {}
      for i = 1, #by do
        if by[i]['source'] ~= ARGV[3] then table.insert(rest, by[i]) end
      end
      if #rest == 0 then redis.call('HDEL', KEYS[1], ARGV[1])
      elseif #rest < #by then redis.call('HSET', KEYS[1], ARGV[1], encode(ARGV[1], c['since'], rest)) end
    end
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
