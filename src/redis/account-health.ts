import type { AccountHealthStore, Restriction, RestrictionScope } from "../state/account-health.js";
import { type RedisRunner, script } from "./client.js";
import { decodeRestriction } from "./decode.js";

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
