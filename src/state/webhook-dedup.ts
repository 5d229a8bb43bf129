/** Meta retries a webhook delivery for up to 7 days: nothing it sends comes later than that. */
export const META_REDELIVERY_MS = 7 * 24 * 60 * 60 * 1000;

/** Meta retries a delivery for up to 7 days, so a duplicate can arrive that late. */
export const DEDUP_TTL_MS = META_REDELIVERY_MS;

/**
 * How long one delivery may hold an event while it stores the event's effects. A redelivery that
 * meets a live lease is answered 503 (Meta delivers again later); a lease left by a process that
 * died lapses after this long, and the next redelivery applies the event in full.
 */
export const DEDUP_LEASE_MS = 60_000;

/** Where an event stands: never seen, being processed by some delivery, or processed. */
export type DedupState = "new" | "processing" | "done";

/**
 * Remembers which webhook events were processed, so a redelivery reaches handlers once. Keys
 * are ids (`m:<wamid>`, `s:<wamid>:<status>`, or a hash for changes without an id), never
 * payloads.
 *
 * An event counts as processed only after its effects are stored: `begin` takes a short lease,
 * the handler stores the effects, then `complete` marks the event done. Nothing has to be undone
 * when a delivery fails — a lease that is never completed simply lapses — so a store that stalls
 * or a process that dies halfway can delay an event but never lose it.
 */
export interface WebhookDedupStore {
  /**
   * Start processing `key`: `"new"` when this caller now holds a lease until `now + leaseMs`;
   * `"processing"` when another delivery holds a live lease; `"done"` when it was processed.
   */
  begin(key: string, leaseMs: number, now: number): Promise<DedupState>;
  /** The event's effects are stored: remember it as processed until `now + ttlMs`. */
  complete(key: string, ttlMs: number, now: number): Promise<void>;
  /**
   * Give a lease back early (the delivery failed), so a prompt redelivery need not wait for the
   * lease to lapse. Best effort: correctness never depends on it.
   */
  abandon(key: string): Promise<void>;
}

/**
 * In-memory de-duplication bounded to `max` keys (oldest first). A process that receives more
 * than `max` events in 7 days forgets the oldest early: their redelivery is applied again (every
 * effect is idempotent) and reaches handlers again. Share a Redis store across instances.
 */
export class MemoryWebhookDedupStore implements WebhookDedupStore {
  /** Per key: until when, and whether the event is done (or only leased). */
  readonly #entries = new Map<string, { until: number; done: boolean }>();
  readonly #max: number;

  /** @param options.max keys remembered (default 500,000). */
  constructor(options: { max?: number } = {}) {
    this.#max = options.max ?? 500_000;
  }

  async begin(key: string, leaseMs: number, now: number): Promise<DedupState> {
    const entry = this.#entries.get(key);
    if (entry !== undefined && entry.until > now) return entry.done ? "done" : "processing";
    this.#set(key, { until: now + leaseMs, done: false });
    return "new";
  }

  async complete(key: string, ttlMs: number, now: number): Promise<void> {
    this.#set(key, { until: now + ttlMs, done: true });
  }

  async abandon(key: string): Promise<void> {
    if (this.#entries.get(key)?.done === false) this.#entries.delete(key);
  }

  #set(key: string, entry: { until: number; done: boolean }): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value as string);
  }

  get size(): number {
    return this.#entries.size;
  }
}
