/**
 * A Map that keeps at most `max` entries, evicting the least recently used. It allocates as it
 * grows (no up-front allocation for `max`), so a client that tracks a handful of people costs a
 * handful of entries — which matters for serverless cold starts.
 *
 * Stores whose entries a guard still needs use {@link BoundedMap.setIfRoom} instead of `set`:
 * an entry is only evicted when the store says it can go, so reaching the bound never loosens a
 * decision.
 *
 * Why not lru-cache (measured with lru-cache 11.5.3 on Node 20, docs/performance.md "Bounded
 * maps"): bounded by `max`, it allocates for `max` up front — five stores bounded at 1,000,000
 * took 140 MB and 306 ms to build holding ten entries each; bounded by `maxSize` it grows, but
 * holds an entry in ~84 B against a Map's ~37 B (five maps a campaign recipient) and reads are
 * ~1.3–1.5x slower; and neither form can refuse to evict an entry a guard still needs (setIfRoom).
 */
export class BoundedMap<K, V> {
  readonly #map = new Map<K, V>();

  constructor(readonly max: number) {}

  get(key: K): V | undefined {
    const value = this.#map.get(key);
    // Recency only matters near the cap; below half of it, reads stay cheap.
    if (value !== undefined && this.#map.size > this.max / 2) {
      this.#map.delete(key);
      this.#map.set(key, value);
    }
    return value;
  }

  /** The value without touching its recency (for bookkeeping reads that are not uses). */
  peek(key: K): V | undefined {
    return this.#map.get(key);
  }

  /** Every entry, least recently used first. */
  entries(): IterableIterator<[K, V]> {
    return this.#map.entries();
  }

  has(key: K): boolean {
    return this.#map.has(key);
  }

  /** Set, evicting the least recently used entry when over `max`. */
  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.max) this.#map.delete(this.#map.keys().next().value as K);
  }

  /**
   * Set `key` only if it is already present, there is room, or one of the `scan` least recently
   * used entries may go (`evictable`). False when nothing could make room: the caller refuses.
   */
  setIfRoom(key: K, value: V, evictable: (key: K, value: V) => boolean, scan = 16): boolean {
    if (this.#map.has(key) || this.#map.size < this.max) {
      this.#map.delete(key);
      this.#map.set(key, value);
      return true;
    }
    let seen = 0;
    for (const [k, v] of this.#map) {
      if (seen++ >= scan) break;
      if (evictable(k, v)) {
        this.#map.delete(k);
        this.#map.set(key, value);
        return true;
      }
    }
    return false;
  }

  /** Set without evicting anything, even past `max`: for what must never be dropped. */
  keep(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
  }

  delete(key: K): boolean {
    return this.#map.delete(key);
  }

  get size(): number {
    return this.#map.size;
  }
}
