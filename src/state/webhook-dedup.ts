/** Meta retries a delivery for up to 7 days, so a duplicate can arrive that late. */
export const DEDUP_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Remembers which webhook events were processed, so a redelivery reaches handlers once. Keys
 * are ids (`m:<wamid>`, `s:<wamid>:<status>`, or a hash for changes without an id), never
 * payloads.
 */
export interface WebhookDedupStore {
  /** Claim `key` until `now + ttlMs`. False when it is already claimed (a duplicate). */
  claim(key: string, ttlMs: number, now: number): Promise<boolean>;
  /** Give a claim back: processing failed, so a redelivery must be processed. */
  release(key: string): Promise<void>;
}

/**
 * In-memory de-duplication bounded to `max` keys (oldest claims evicted first). A process that
 * receives more than `max` events in 7 days forgets the oldest early; share a Redis store
 * across instances.
 */
export class MemoryWebhookDedupStore implements WebhookDedupStore {
  readonly #until = new Map<string, number>();
  readonly #max: number;

  /** @param options.max keys remembered (default 500,000). */
  constructor(options: { max?: number } = {}) {
    this.#max = options.max ?? 500_000;
  }

  async claim(key: string, ttlMs: number, now: number): Promise<boolean> {
    const until = this.#until.get(key);
    if (until !== undefined && until > now) return false;
    this.#until.delete(key);
    this.#until.set(key, now + ttlMs);
    if (this.#until.size > this.#max) this.#until.delete(this.#until.keys().next().value as string);
    return true;
  }

  async release(key: string): Promise<void> {
    this.#until.delete(key);
  }

  get size(): number {
    return this.#until.size;
  }
}
