/**
 * What a campaign recorded for one recipient. Only two states are kept: a send that Meta
 * accepted, and a claim taken just before a send whose outcome is not known (the process died,
 * or the connection broke after the request was written). Recipients that got nothing —
 * refused, failed, deferred — leave no entry, so running the campaign again tries them again.
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
      /** The `biz_opaque_callback_data` the send carries: status webhooks settle it. */
      correlationId: string;
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
   * Claim `key` in `campaign` for a send, atomically. Undefined when the claim was taken; the
   * entry already there otherwise (then nothing may be sent).
   */
  claim(
    campaign: string,
    key: string,
    entry: CheckpointEntry & { state: "pending" },
  ): Promise<CheckpointEntry | undefined>;
  /** Meta accepted the send: the claim becomes `sent`. */
  settle(campaign: string, key: string, entry: CheckpointEntry & { state: "sent" }): Promise<void>;
  /** Nothing was sent: forget the claim, so a later run tries this recipient again. */
  release(campaign: string, key: string): Promise<void>;
  /** What is recorded for `key`, if anything. */
  get(campaign: string, key: string): Promise<CheckpointEntry | undefined>;
}

/**
 * In-memory checkpoints, private to one process: a resume after a crash of that process starts
 * from nothing, so use a shared store (`redisStores`) for campaigns that must survive a
 * restart. About 100 bytes per recipient sent; campaigns beyond `maxCampaigns` are forgotten,
 * oldest first.
 */
export class MemoryCampaignCheckpointStore implements CampaignCheckpointStore {
  readonly #campaigns = new Map<string, Map<string, CheckpointEntry>>();
  readonly #maxCampaigns: number;

  /** @param options.maxCampaigns campaigns remembered (default 100). */
  constructor(options: { maxCampaigns?: number } = {}) {
    this.#maxCampaigns = options.maxCampaigns ?? 100;
  }

  #of(campaign: string): Map<string, CheckpointEntry> {
    let entries = this.#campaigns.get(campaign);
    if (!entries) {
      entries = new Map();
      this.#campaigns.set(campaign, entries);
      if (this.#campaigns.size > this.#maxCampaigns)
        this.#campaigns.delete(this.#campaigns.keys().next().value as string);
    }
    return entries;
  }

  async claim(
    campaign: string,
    key: string,
    entry: CheckpointEntry & { state: "pending" },
  ): Promise<CheckpointEntry | undefined> {
    const entries = this.#of(campaign);
    const existing = entries.get(key);
    if (existing) return { ...existing };
    entries.set(key, { ...entry });
    return undefined;
  }

  async settle(campaign: string, key: string, entry: CheckpointEntry & { state: "sent" }): Promise<void> {
    this.#of(campaign).set(key, { ...entry });
  }

  async release(campaign: string, key: string): Promise<void> {
    this.#campaigns.get(campaign)?.delete(key);
  }

  async get(campaign: string, key: string): Promise<CheckpointEntry | undefined> {
    const entry = this.#campaigns.get(campaign)?.get(key);
    return entry && { ...entry };
  }
}
