import { aliasOrder, distinctIds, type IdentityLink, type IdentityStore } from "../state/identity.js";
import { type RedisRunner, script } from "./client.js";
import { corrupt } from "./decode.js";

// Per identifier a set of every identifier of the person (its own included). A link merges the
// sets of the ids given and of everyone already linked to them, and writes the union to each
// member, in one step. ARGV: the key prefix, then the ids; KEYS: the ids' sets. The members
// reached through the sets are written under keys built here (one Redis, not a Cluster: the
// members of a person hash to different slots).
const LINK = script(`
local prefix = ARGV[1]
local seen, all = {}, {}
for i = 2, #ARGV do
  local id = ARGV[i]
  if not seen[id] then seen[id] = true; all[#all + 1] = id end
  for _, m in ipairs(redis.call('SMEMBERS', KEYS[i - 1])) do
    if not seen[m] then seen[m] = true; all[#all + 1] = m end
  end
end
for _, m in ipairs(all) do
  for i = 1, #all, 1000 do
    redis.call('SADD', prefix .. m, unpack(all, i, math.min(i + 999, #all)))
  end
end
return #all`);
const SMEMBERS = script(`return redis.call('SMEMBERS', KEYS[1])`);

/**
 * Identities shared by every instance with the same prefix (per business, like consent): one
 * Redis set per identifier, holding the person's identifiers. No expiry — a link forgotten would
 * split a person.
 */
export class RedisIdentityStore implements IdentityStore {
  constructor(
    private readonly redis: RedisRunner,
    private readonly prefix: string,
  ) {}

  async link(ids: readonly string[], _link: IdentityLink): Promise<void> {
    const distinct = distinctIds(ids);
    if (!distinct) return;
    await this.redis.run(
      LINK,
      distinct.map((id) => this.prefix + id),
      [this.prefix, ...distinct],
      "identity.link",
    );
  }

  async aliases(id: string): Promise<readonly string[]> {
    const key = this.prefix + id;
    const members = await this.redis.run(SMEMBERS, [key], [], "identity.aliases");
    if (!Array.isArray(members) || members.some((m) => typeof m !== "string"))
      throw corrupt("identity.aliases", key, "set of identifiers");
    return members.length === 0 ? [id] : aliasOrder(id, members as string[]);
  }
}
