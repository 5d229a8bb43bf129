import { StoreUnavailableError } from "../errors/store.js";

/** Meta's cap on one phone number's block list. */
export const BLOCK_LIST_CAP = 64_000;

/** A local copy of the business number's block list, keyed by canonical recipient id. */
export interface BlockMirror {
  has(key: string): Promise<boolean>;
  add(keys: readonly string[]): Promise<void>;
  remove(keys: readonly string[]): Promise<void>;
  size(): Promise<number>;
  /** Replace the whole mirror (after a full sync from the list endpoint). */
  replace(keys: readonly string[]): Promise<void>;
}

/**
 * A Set: 64,000 entries fit in a few MB. Bounded to `max` keys (default twice Meta's cap: a user
 * can be mirrored under the number given and the wa_id Meta answered). Entries are never evicted
 * — forgetting a block would let a send through — so an `add` or `replace` that would pass the
 * bound is refused whole (`StoreUnavailableError`, `unreachable: false`) and changes nothing.
 */
export class MemoryBlockMirror implements BlockMirror {
  #keys = new Set<string>();
  readonly #max: number;

  /** @param options.max keys held (default 128,000). */
  constructor(options: { max?: number } = {}) {
    this.#max = options.max ?? 2 * BLOCK_LIST_CAP;
  }

  async has(key: string): Promise<boolean> {
    return this.#keys.has(key);
  }
  async add(keys: readonly string[]): Promise<void> {
    let added = 0;
    for (const k of new Set(keys)) if (!this.#keys.has(k)) added++;
    if (this.#keys.size + added > this.#max) throw full("blocklist.add", this.#max);
    for (const k of keys) this.#keys.add(k);
  }
  async remove(keys: readonly string[]): Promise<void> {
    for (const k of keys) this.#keys.delete(k);
  }
  async size(): Promise<number> {
    return this.#keys.size;
  }
  async replace(keys: readonly string[]): Promise<void> {
    const next = new Set(keys);
    if (next.size > this.#max) throw full("blocklist.replace", this.#max);
    this.#keys = next;
  }
}

function full(operation: string, max: number): StoreUnavailableError {
  return new StoreUnavailableError("memory", operation, `the block mirror holds at most ${max} users`, {
    unreachable: false,
  });
}
