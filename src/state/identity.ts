import { StoreUnavailableError } from "../errors/store.js";

/**
 * Where a link came from, kept with it: `webhook:contacts`, `webhook:status`,
 * `webhook:user_id_update`, `webhook:user_changed_user_id`, `send:contacts`, `block:contacts`, …
 */
export interface IdentityLink {
  /** When Meta said so (ms since epoch). */
  at: number;
  source: string;
}

/**
 * Which identifiers name one person. Meta knows a WhatsApp user by a phone number (`wa_id`) and
 * by business-scoped user ids (BSUIDs, `user_id`; a new one after a change of number); wa-guard
 * links them whenever Meta puts them side by side (a webhook's `contacts`, a status's
 * `recipient_user_id`, a send response, `user_id_update`), and every guard then reads the
 * person's state under all of them.
 *
 * Links are only ever added: two identifiers once linked stay linked (a person's STOP under an old
 * BSUID still stops them), so a person is everything reachable through links. Keys are canonical
 * recipient ids (digits without `+`, or the BSUID).
 */
export interface IdentityStore {
  /** Record that `ids` name one person. Idempotent; fewer than two distinct ids is a no-op. */
  link(ids: readonly string[], link: IdentityLink): Promise<void>;
  /** Every identifier known for the person `id` names: `id` first, then the others (sorted). */
  aliases(id: string): Promise<readonly string[]>;
  /**
   * The same, answered at once: stores in this process (memory) provide it, so a send decision
   * never waits for the lookup. Shared stores leave it out.
   */
  aliasesNow?(id: string): readonly string[];
}

/** The distinct ids of a link, or undefined when there is nothing to link. */
export function distinctIds(ids: readonly string[]): string[] | undefined {
  const distinct = [...new Set(ids.filter((id) => typeof id === "string" && id.length > 0))];
  return distinct.length < 2 ? undefined : distinct;
}

/** `id` first, then the rest in a stable order. */
export function aliasOrder(id: string, members: Iterable<string>): string[] {
  return [id, ...[...members].filter((m) => m !== id).sort()];
}

/**
 * In-memory identities: each person's identifiers share one Set. Bounded to `max` identifiers
 * (default 1,000,000); a link is never forgotten to make room — forgetting would split a person
 * and let a STOP under one identifier miss the other — so a link that would pass the bound is
 * refused whole (`StoreUnavailableError`, `unreachable: false`) and changes nothing.
 */
export class MemoryIdentityStore implements IdentityStore {
  readonly #person = new Map<string, Set<string>>();
  readonly #max: number;

  /** @param options.max identifiers held (default 1,000,000). */
  constructor(options: { max?: number } = {}) {
    this.#max = options.max ?? 1_000_000;
  }

  async link(ids: readonly string[], _link: IdentityLink): Promise<void> {
    const distinct = distinctIds(ids);
    if (!distinct) return;
    const fresh = distinct.filter((id) => !this.#person.has(id)).length;
    if (this.#person.size + fresh > this.#max) {
      throw new StoreUnavailableError(
        "memory",
        "identity.link",
        `the in-memory identity store holds ${this.#max} identifiers; use a shared store (Redis, PostgreSQL) for more`,
        { unreachable: false },
      );
    }
    // Merge every person touched into the largest: the fewest identifiers move.
    const people = new Set<Set<string>>();
    for (const id of distinct) {
      const p = this.#person.get(id);
      if (p) people.add(p);
    }
    let into: Set<string> | undefined;
    for (const p of people) if (!into || p.size > into.size) into = p;
    const merged = into ?? new Set<string>();
    for (const p of people) {
      if (p === merged) continue;
      for (const id of p) {
        merged.add(id);
        this.#person.set(id, merged);
      }
    }
    for (const id of distinct) {
      merged.add(id);
      this.#person.set(id, merged);
    }
  }

  async aliases(id: string): Promise<readonly string[]> {
    return this.aliasesNow(id);
  }

  aliasesNow(id: string): readonly string[] {
    const p = this.#person.get(id);
    return p ? aliasOrder(id, p) : [id];
  }

  /** Identifiers held. */
  get size(): number {
    return this.#person.size;
  }
}
