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

/** A Set: 64,000 entries fit in a few MB. */
export class MemoryBlockMirror implements BlockMirror {
  #keys = new Set<string>();

  async has(key: string): Promise<boolean> {
    return this.#keys.has(key);
  }
  async add(keys: readonly string[]): Promise<void> {
    for (const k of keys) this.#keys.add(k);
  }
  async remove(keys: readonly string[]): Promise<void> {
    for (const k of keys) this.#keys.delete(k);
  }
  async size(): Promise<number> {
    return this.#keys.size;
  }
  async replace(keys: readonly string[]): Promise<void> {
    this.#keys = new Set(keys);
  }
}
