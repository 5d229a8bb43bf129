import { StoreUnavailableError } from "../errors/store.js";

/**
 * What a campaign recorded for one recipient: a send Meta accepted; a claim taken just before a
 * send whose outcome is not known yet (or never will be: the process died, the connection broke
 * after the request was written); or a recipient that a run attempted and that got nothing —
 * refused, failed, deferred — which a later run tries again and the same run treats as done.
 */
export type CheckpointEntry =
  | {
      state: "sent";
      /** The wamid Meta returned. */
      messageId: string;
      /** The run that sent it (each `run()` gets a fresh token). */
      run: string;
      at: number;
    }
  | {
      state: "pending";
      /** The `biz_opaque_callback_data` the send carries: its status webhook settles the entry. */
      correlationId: string;
      run: string;
      at: number;
    }
  | {
      state: "released";
      /** The run that attempted it and sent nothing. */
      run: string;
      at: number;
    };

/**
 * The campaign checkpoint: which recipients of a campaign were sent, or may have been. A run
 * claims a recipient before sending, so a second run of the same campaign id — after a crash,
 * an abort, or on another instance at the same time — never sends to them again.
 */
export interface CampaignCheckpointStore {
  /**
   * Claim `key` in `campaign` for a send, atomically. Undefined when the claim was taken (no
   * entry, or one `released` by another run); otherwise the entry there, and nothing may be sent.
   */
  claim(
    campaign: string,
    key: string,
    entry: CheckpointEntry & { state: "pending" },
  ): Promise<CheckpointEntry | undefined>;
  /** Meta accepted the send: the claim becomes `sent`. */
  settle(campaign: string, key: string, entry: CheckpointEntry & { state: "sent" }): Promise<void>;
  /** Nothing was sent: the claim becomes `released`, so a later run tries this recipient again. */
  release(campaign: string, key: string, entry: CheckpointEntry & { state: "released" }): Promise<void>;
  /**
   * Release `key` only if its entry is still `pending`, in one step; true when it did. Used by
   * `wa.campaigns.settle(…, "not_sent")`, so a status webhook that records the send meanwhile is
   * never overwritten. Optional for a store of your own (then `release` is used, after a read).
   */
  releasePending?(
    campaign: string,
    key: string,
    entry: CheckpointEntry & { state: "released" },
  ): Promise<boolean>;
  /** What is recorded for `key`, if anything. */
  get(campaign: string, key: string): Promise<CheckpointEntry | undefined>;
  /**
   * Every recipient of `campaign` whose entry is `pending`: a send whose outcome is unknown
   * (`wa.campaigns.unknown()`). Optional for a store of your own; without it `unknown()` throws
   * a `ConfigError`. Order is unspecified.
   */
  pending?(campaign: string): Promise<PendingCheckpoint[]>;
}

/** A recipient whose campaign send has an unknown outcome, as the checkpoint holds it. */
export interface PendingCheckpoint {
  /** The recipient's canonical id (digits of the phone number, or the BSUID). */
  key: string;
  entry: CheckpointEntry & { state: "pending" };
}

const DAY = 24 * 60 * 60 * 1000;

/**
 * In-memory checkpoints, private to one process: a resume after a crash of that process starts
 * from nothing, so use a shared store (`redisStores`) for campaigns that must survive a
 * restart. Like the Redis store, a campaign is kept `ttlMs` after its last change (never evicted
 * earlier to make room: forgetting would mean sending twice). About 200 bytes per recipient.
 */
export class MemoryCampaignCheckpointStore implements CampaignCheckpointStore {
  readonly #campaigns = new Map<string, { entries: Map<string, CheckpointEntry>; touched: number }>();
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #max: number;
  /** Entries held, counted up on claims and recounted when the bound is reached (TTLs free some). */
  #count = 0;

  /**
   * @param options.ttlMs how long a campaign is kept after its last change (default 30 days).
   * @param options.maxEntries recipients held across campaigns (default 1,000,000). An entry is
   *   never evicted early (it is what keeps a recipient from a second send); at the bound a claim
   *   for a new recipient is refused, so nothing is sent to them.
   */
  constructor(options: { ttlMs?: number; now?: () => number; maxEntries?: number } = {}) {
    this.#ttlMs = options.ttlMs ?? 30 * DAY;
    this.#now = options.now ?? Date.now;
    this.#max = options.maxEntries ?? 1_000_000;
  }

  #size(): number {
    let n = 0;
    for (const c of this.#campaigns.values()) n += c.entries.size;
    return n;
  }

  #of(campaign: string): Map<string, CheckpointEntry> {
    const now = this.#now();
    let found = this.#campaigns.get(campaign);
    if (found && now - found.touched >= this.#ttlMs) found = undefined;
    if (!found) {
      for (const [id, c] of this.#campaigns) if (now - c.touched >= this.#ttlMs) this.#campaigns.delete(id);
      found = { entries: new Map(), touched: now };
      this.#campaigns.set(campaign, found);
    }
    found.touched = now;
    return found.entries;
  }

  async claim(
    campaign: string,
    key: string,
    entry: CheckpointEntry & { state: "pending" },
  ): Promise<CheckpointEntry | undefined> {
    const entries = this.#of(campaign);
    const existing = entries.get(key);
    if (existing && (existing.state !== "released" || existing.run === entry.run)) return { ...existing };
    if (!existing && this.#count >= this.#max) this.#count = this.#size(); // TTLs may have freed some
    if (!existing && this.#count >= this.#max)
      throw new StoreUnavailableError(
        "memory",
        "campaigns.claim",
        `the in-memory checkpoints hold ${this.#max} recipients; use a shared store (Redis) for more`,
        { unreachable: false },
      );
    if (!existing) this.#count++;
    entries.set(key, { ...entry });
    return undefined;
  }

  // settle and release are one write in memory; they stay two methods of the store interface.
  async settle(campaign: string, key: string, entry: CheckpointEntry & { state: "sent" }): Promise<void> {
    this.#of(campaign).set(key, { ...entry });
  }

  async release(
    campaign: string,
    key: string,
    entry: CheckpointEntry & { state: "released" },
  ): Promise<void> {
    this.#of(campaign).set(key, { ...entry });
  }

  async releasePending(
    campaign: string,
    key: string,
    entry: CheckpointEntry & { state: "released" },
  ): Promise<boolean> {
    const c = this.#campaigns.get(campaign);
    if (!c || this.#now() - c.touched >= this.#ttlMs || c.entries.get(key)?.state !== "pending") return false;
    this.#of(campaign).set(key, { ...entry });
    return true;
  }

  async pending(campaign: string): Promise<PendingCheckpoint[]> {
    const c = this.#campaigns.get(campaign);
    if (!c || this.#now() - c.touched >= this.#ttlMs) return [];
    const out: PendingCheckpoint[] = [];
    for (const [key, entry] of c.entries)
      if (entry.state === "pending") out.push({ key, entry: { ...entry } });
    return out;
  }

  async get(campaign: string, key: string): Promise<CheckpointEntry | undefined> {
    const c = this.#campaigns.get(campaign);
    if (!c || this.#now() - c.touched >= this.#ttlMs) return undefined;
    const entry = c.entries.get(key);
    return entry && { ...entry };
  }
}
