/**
 * A Map that keeps at most `max` entries, evicting the least recently used. It allocates as it
 * grows (no up-front allocation for `max`), so a client that tracks a handful of people costs a
 * handful of entries — which matters for serverless cold starts.
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

  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.max) this.#map.delete(this.#map.keys().next().value as K);
  }

  get size(): number {
    return this.#map.size;
  }
}
