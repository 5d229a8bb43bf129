import { aliasOrder, distinctIds, type IdentityLink, type IdentityStore } from "../state/identity.js";
import { type RedisRunner, script } from "./client.js";
import { corrupt } from "./decode.js";

// Per identifier a set of every identifier of the person (its own included). Each step touches
// one set (one key, so one slot of a Redis Cluster): add the identifiers given, and answer what
// the set holds now.
const ADD_AND_READ = script(`
for i = 1, #ARGV, 1000 do
  redis.call('SADD', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV)))
end
return redis.call('SMEMBERS', KEYS[1])`);
const SMEMBERS = script(`return redis.call('SMEMBERS', KEYS[1])`);

/**
 * Identities shared by every instance with the same prefix (per business, like consent): one
 * Redis set per identifier, holding the person's identifiers. No expiry — a link forgotten would
 * split a person. `key` is a prefix an identifier is appended to, or a function naming its set.
 *
 * A link is a series of single-set steps, never one script over several keys (a Cluster keeps a
 * person's identifiers in different slots): write the union known so far into the set of every
 * identifier in it, each step answering what its set holds; while an answer brings an identifier
 * not yet known, write the larger union again. Usually one round trip (the steps go out
 * together). Why it is safe:
 * - Sets only grow. A process that dies between steps leaves each set holding what it held
 *   before or more — never less — so every earlier link still holds; the link completes when it
 *   is made again (every webhook that carries both identifiers makes it).
 * - Two links at once that share an identifier meet in its set: of their two steps on that set
 *   the later one reads the other's identifiers, and its link writes them onward. So once both
 *   return, every set of the person holds all of them, as the former one-script link left them.
 */
export class RedisIdentityStore implements IdentityStore {
  readonly #key: (id: string) => string;
  constructor(
    private readonly redis: RedisRunner,
    key: string | ((id: string) => string),
  ) {
    this.#key = typeof key === "string" ? (id) => key + id : key;
  }

  async link(ids: readonly string[], _link: IdentityLink): Promise<void> {
    const distinct = distinctIds(ids);
    if (!distinct) return;
    const all = new Set(distinct);
    /** How many identifiers each set was last given (all of `all` at the time). */
    const given = new Map<string, number>();
    for (;;) {
      const union = [...all];
      const due = union.filter((id) => given.get(id) !== union.length);
      if (due.length === 0) return;
      const answers = await Promise.all(
        due.map((id) => this.redis.run(ADD_AND_READ, [this.#key(id)], union, "identity.link")),
      );
      due.forEach((id, i) => {
        given.set(id, union.length);
        const members = answers[i];
        if (!Array.isArray(members) || members.some((m) => typeof m !== "string"))
          throw corrupt("identity.link", this.#key(id), "set of identifiers");
        for (const m of members as string[]) all.add(m);
      });
    }
  }

  async aliases(id: string): Promise<readonly string[]> {
    const key = this.#key(id);
    const members = await this.redis.run(SMEMBERS, [key], [], "identity.aliases");
    if (!Array.isArray(members) || members.some((m) => typeof m !== "string"))
      throw corrupt("identity.aliases", key, "set of identifiers");
    return members.length === 0 ? [id] : aliasOrder(id, members as string[]);
  }
}
