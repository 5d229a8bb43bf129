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

const SENT = 0;
const PENDING = 1;
const RELEASED = 2;
/** A row whose entry did not fit the columns (another shape, extra fields): held as a copy. */
const ODD = 3;

/**
 * One campaign's entries as rows of parallel columns: the key maps to a row number, and a row
 * is a state byte, its time (exact: a float64), its run (an index into the campaign's runs) and
 * its one string (the wamid or the correlation id). No object per recipient and no heap number
 * per time. Rows are never freed one at a time (a campaign's entries go together, at its TTL),
 * so a rewrite reuses its row.
 */
class Rows {
  readonly index = new KeyIndex();
  touched: number;
  #state = new Uint8Array(16);
  #at = new Float64Array(16);
  #run = new Uint32Array(16);
  #text: (string | undefined)[] = [];
  #runs: string[] = [];
  readonly #runIndex = new Map<string, number>();
  /** Entries that did not fit the columns, by row. */
  #odd: Map<number, CheckpointEntry> | undefined;

  constructor(touched: number) {
    this.touched = touched;
  }

  get size(): number {
    return this.index.size;
  }

  get(key: string): CheckpointEntry | undefined {
    const row = this.index.get(key);
    return row === undefined ? undefined : this.#read(row);
  }

  /** The state of `key`'s entry without building it. */
  state(key: string): CheckpointEntry["state"] | undefined {
    const row = this.index.get(key);
    if (row === undefined) return undefined;
    const s = this.#state[row] as number;
    if (s === ODD) return this.#odd?.get(row)?.state;
    return s === SENT ? "sent" : s === PENDING ? "pending" : "released";
  }

  set(key: string, entry: CheckpointEntry): void {
    let row = this.index.get(key);
    if (row === undefined) {
      row = this.index.add(key);
      if (row === this.#state.length) this.#grow();
    } else this.#odd?.delete(row);
    const fits = columnar(entry);
    if (fits === undefined) {
      this.#odd ??= new Map();
      this.#odd.set(row, { ...entry });
      this.#state[row] = ODD;
      this.#text[row] = undefined;
      return;
    }
    this.#state[row] = fits;
    this.#at[row] = entry.at;
    this.#run[row] = this.#runOf(entry.run);
    this.#text[row] =
      entry.state === "sent" ? entry.messageId : entry.state === "pending" ? entry.correlationId : undefined;
  }

  *entries(): IterableIterator<[string, CheckpointEntry]> {
    for (const [key, row] of this.index.entries()) yield [key, this.#read(row)];
  }

  #read(row: number): CheckpointEntry {
    const s = this.#state[row] as number;
    if (s === ODD) return { ...(this.#odd?.get(row) as CheckpointEntry) };
    const run = this.#runs[this.#run[row] as number] as string;
    const at = this.#at[row] as number;
    const text = this.#text[row] as string;
    if (s === SENT) return { state: "sent", messageId: text, run, at };
    if (s === PENDING) return { state: "pending", correlationId: text, run, at };
    return { state: "released", run, at };
  }

  /** A campaign has a run or a few (each `run()` a token): entries share its string by index. */
  #runOf(run: string): number {
    let i = this.#runIndex.get(run);
    if (i === undefined) {
      i = this.#runs.length;
      this.#runs.push(run);
      this.#runIndex.set(run, i);
    }
    return i;
  }

  /** Columns grow by half (not double): less room held empty, still amortised constant time. */
  #grow(): void {
    const n = Math.max(16, Math.ceil(this.#state.length * 1.5));
    const state = new Uint8Array(n);
    state.set(this.#state);
    this.#state = state;
    const at = new Float64Array(n);
    at.set(this.#at);
    this.#at = at;
    const run = new Uint32Array(n);
    run.set(this.#run);
    this.#run = run;
  }
}

/**
 * Keys to row numbers (0, 1, 2, … in the order added; never removed): the keys in one array and
 * an open-addressed table of row numbers, about 16–20 bytes a key where a `Map` entry takes ~37.
 * The hash is seeded per table (a list of keys chosen to collide in one table does not in
 * another), and equal keys are compared as strings, so a collision only costs a probe.
 */
export class KeyIndex {
  readonly #keys: string[] = [];
  /** Row + 1 per slot (0: empty); the length a power of two, at most three quarters full. */
  #slots = new Int32Array(16);
  readonly #seed = (Math.random() * 0x100000000) | 0;

  get size(): number {
    return this.#keys.length;
  }

  #hash(key: string): number {
    let h = this.#seed ^ key.length;
    for (let i = 0; i < key.length; i++) {
      h = Math.imul(h ^ key.charCodeAt(i), 0x5bd1e995);
      h ^= h >>> 15;
    }
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  }

  get(key: string): number | undefined {
    const mask = this.#slots.length - 1;
    for (let i = this.#hash(key) & mask; ; i = (i + 1) & mask) {
      const slot = this.#slots[i] as number;
      if (slot === 0) return undefined;
      if (this.#keys[slot - 1] === key) return slot - 1;
    }
  }

  /** Add a key not present; its row number. */
  add(key: string): number {
    const row = this.#keys.length;
    this.#keys.push(key);
    if ((row + 1) * 4 > this.#slots.length * 3) {
      this.#slots = new Int32Array(this.#slots.length * 2);
      for (let r = 0; r < this.#keys.length; r++) this.#place(this.#keys[r] as string, r);
    } else this.#place(key, row);
    return row;
  }

  #place(key: string, row: number): void {
    const mask = this.#slots.length - 1;
    let i = this.#hash(key) & mask;
    while (this.#slots[i] !== 0) i = (i + 1) & mask;
    this.#slots[i] = row + 1;
  }

  /** Every key with its row, in the order added. */
  *entries(): IterableIterator<[string, number]> {
    for (let r = 0; r < this.#keys.length; r++) yield [this.#keys[r] as string, r];
  }
}

/**
 * The column state of an entry of exactly the documented shape (its fields in their documented
 * order, strings and a number where they belong); undefined for anything else, which is then
 * held as a copy so it reads back as given.
 */
function columnar(entry: CheckpointEntry): number | undefined {
  if (typeof entry.at !== "number" || typeof entry.run !== "string") return undefined;
  const keys = Object.keys(entry);
  if (entry.state === "released")
    return keys.length === 3 && keys[0] === "state" && keys[1] === "run" && keys[2] === "at"
      ? RELEASED
      : undefined;
  if (entry.state !== "sent" && entry.state !== "pending") return undefined;
  const [text, state] =
    entry.state === "sent" ? (["messageId", SENT] as const) : (["correlationId", PENDING] as const);
  return keys.length === 4 &&
    keys[0] === "state" &&
    keys[1] === text &&
    keys[2] === "run" &&
    keys[3] === "at" &&
    typeof (entry as Record<string, unknown>)[text] === "string"
    ? state
    : undefined;
}

/**
 * In-memory checkpoints, private to one process: a resume after a crash of that process starts
 * from nothing, so use a shared store (`redisStores`) for campaigns that must survive a
 * restart. Like the Redis store, a campaign is kept `ttlMs` after its last change (never evicted
 * earlier to make room: forgetting would mean sending twice). About 20 bytes per recipient
 * besides the recipient's key and the wamid (rows of parallel columns, see `Rows`).
 */
export class MemoryCampaignCheckpointStore implements CampaignCheckpointStore {
  readonly #campaigns = new Map<string, Rows>();
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
    for (const c of this.#campaigns.values()) n += c.size;
    return n;
  }

  #of(campaign: string): Rows {
    const now = this.#now();
    let found = this.#campaigns.get(campaign);
    if (found && now - found.touched >= this.#ttlMs) found = undefined;
    if (!found) {
      for (const [id, c] of this.#campaigns) if (now - c.touched >= this.#ttlMs) this.#campaigns.delete(id);
      found = new Rows(now);
      this.#campaigns.set(campaign, found);
    }
    found.touched = now;
    return found;
  }

  async claim(
    campaign: string,
    key: string,
    entry: CheckpointEntry & { state: "pending" },
  ): Promise<CheckpointEntry | undefined> {
    const entries = this.#of(campaign);
    const existing = entries.get(key);
    if (existing && (existing.state !== "released" || existing.run === entry.run)) return existing;
    if (!existing && this.#count >= this.#max) this.#count = this.#size(); // TTLs may have freed some
    if (!existing && this.#count >= this.#max)
      throw new StoreUnavailableError(
        "memory",
        "campaigns.claim",
        `the in-memory checkpoints hold ${this.#max} recipients; use a shared store (Redis) for more`,
        { unreachable: false },
      );
    if (!existing) this.#count++;
    entries.set(key, entry);
    return undefined;
  }

  // settle and release are one write in memory; they stay two methods of the store interface.
  async settle(campaign: string, key: string, entry: CheckpointEntry & { state: "sent" }): Promise<void> {
    this.#of(campaign).set(key, entry);
  }

  async release(
    campaign: string,
    key: string,
    entry: CheckpointEntry & { state: "released" },
  ): Promise<void> {
    this.#of(campaign).set(key, entry);
  }

  async releasePending(
    campaign: string,
    key: string,
    entry: CheckpointEntry & { state: "released" },
  ): Promise<boolean> {
    const c = this.#campaigns.get(campaign);
    if (!c || this.#now() - c.touched >= this.#ttlMs || c.state(key) !== "pending") return false;
    this.#of(campaign).set(key, entry);
    return true;
  }

  async pending(campaign: string): Promise<PendingCheckpoint[]> {
    const c = this.#campaigns.get(campaign);
    if (!c || this.#now() - c.touched >= this.#ttlMs) return [];
    const out: PendingCheckpoint[] = [];
    for (const [key, entry] of c.entries()) if (entry.state === "pending") out.push({ key, entry });
    return out;
  }

  async get(campaign: string, key: string): Promise<CheckpointEntry | undefined> {
    const c = this.#campaigns.get(campaign);
    if (!c || this.#now() - c.touched >= this.#ttlMs) return undefined;
    return c.get(key);
  }
}
