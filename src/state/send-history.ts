import { StoreUnavailableError } from "../errors/store.js";
import { BoundedMap } from "../internal/bounded-map.js";

const DAY = 24 * 60 * 60 * 1000;

/** Business-initiated sends, for the messaging-limit and frequency guards. */
export interface SendHistoryStore {
  /** Record a business-initiated send to `key`; `reach: false` when it went inside an open window. */
  record(entry: SendRecord): Promise<void>;
  /** Forget a recorded send that did not go out (Meta refused it, or it was never sent). */
  release(entry: SendRecord): Promise<void>;
  /** Unique recipients of business-initiated messages in the 24 hours before `now`, and whether `key` is one. */
  reach(key: string, now: number): Promise<{ unique: number; includes: boolean }>;
  /** Marketing sends to `key` since `since`. */
  marketingSince(key: string, since: number): Promise<number>;
  /** Whether a message with this fingerprint went to `key` since `since`. */
  sentSince(key: string, fingerprint: string, since: number): Promise<boolean>;
  /**
   * Shared stores: check the caps and record the send in one atomic step, so instances deciding
   * at the same moment cannot both take the last slot. Returns the cap that is already full, or
   * undefined when the send was recorded. Without it, the pipeline records after its checks
   * (atomic within one process).
   */
  reserve?(entry: SendRecord, caps: SendCaps): Promise<ReserveRefusal | undefined>;
}

/**
 * Why `reserve` refused: a cap is full (`identical`, `day`, `week`, `limit`), or the store itself
 * is (`full`: a bounded memory store holds `max` recipients who all sent within 7 days).
 */
export type ReserveRefusal = "identical" | "day" | "week" | "limit" | "full";

/** The caps `reserve` enforces; an absent cap is not checked. */
export interface SendCaps {
  /** Refuse when a send with the same fingerprint went to the user after this time. */
  identicalSince?: number;
  /** Marketing sends to the user in the 24 hours before `at` (marketing entries only). */
  marketingPerDay?: number;
  /** Marketing sends to the user in the 7 days before `at`. */
  marketingPerWeek?: number;
  /** Unique users reached in the 24 hours before `at` (entries that count toward reach only). */
  reachLimit?: number;
}

export interface SendRecord {
  key: string;
  at: number;
  marketing: boolean;
  fingerprint: string;
  /** Counts toward the messaging limit (sent outside an open customer service window). */
  reach: boolean;
  /**
   * The person's other identifiers (phone number, BSUIDs): `reserve` counts their sends toward
   * the caps too. The send is recorded under `key` only.
   */
  aliases?: readonly string[];
}

type Entry = Omit<SendRecord, "key" | "aliases">;

const MARKETING = 1;
const REACH = 2;
/** The row holds one send in its columns. */
const ONE = 4;
/** The row's sends (none, or two and more) are a list in `#lists`. */
const LIST = 8;

/**
 * In-memory history: seven days per recipient, bounded to `max` recipients. Check and record are
 * one synchronous step (`reserve`), so every client sharing the store — `withOptions()` copies,
 * separate clients given the same store — shares its caps.
 *
 * Reaching `max` never forgets a send a cap still needs: a recipient is evicted only when all of
 * their sends are older than 7 days. When no one can go, a business-initiated send to a new
 * recipient is refused (`full`) — use a shared store (Redis) for more recipients a week.
 *
 * Layout, for a campaign's many recipients: each recipient is a row of parallel columns (the map
 * holds only the row number). A row holds one send in its columns — time (float64, exact), flags,
 * fingerprint — and the time of the recipient's latest send counted toward reach (the 24-hour
 * unique count); a recipient with none or several sends keeps them as a list beside it. Equal
 * fingerprints share one string (a campaign's sends all have the same one); the 24-hour reach
 * queue is two flat arrays (keys, times). No object and no heap number per recipient.
 */
export class MemorySendHistoryStore implements SendHistoryStore {
  /** Recipient → row. */
  readonly #byKey: BoundedMap<string, number>;
  #at = new Float64Array(0);
  /** The latest send counted toward reach within the last 24 h (NaN: none). */
  #latest = new Float64Array(0);
  #flags = new Uint8Array(0);
  #fingerprint: (string | undefined)[] = [];
  /** Rows whose sends are a list (none, or two and more). */
  readonly #lists = new Map<number, Entry[]>();
  /** Rows given back by evicted recipients, reused first. */
  readonly #free: number[] = [];
  #rows = 0;
  /** Recipients with a latest reach time (rows, and `#orphans`). */
  #counted = 0;
  /**
   * Latest reach times of recipients evicted while still counted (the queue forgets them when
   * they age out, as it does for the rest); a later send to them takes theirs back.
   */
  readonly #orphans = new Map<string, number>();
  /** Time-ordered (key, at) of business-initiated sends in the last 24 h. */
  #queueKeys: string[] = [];
  #queueAts: number[] = [];
  #head = 0;
  /** One string per distinct fingerprint, so entries share it (cleared when it reaches its size). */
  readonly #fingerprints = new Map<string, string>();

  constructor(options: { max?: number } = {}) {
    this.#byKey = new BoundedMap(options.max ?? 1_000_000);
  }

  async record(entry: SendRecord): Promise<void> {
    if (this.#reserve(entry, {}) === "full") throw full(this.#byKey.max);
  }

  async reserve(entry: SendRecord, caps: SendCaps): Promise<ReserveRefusal | undefined> {
    return this.#reserve(entry, caps);
  }

  #intern(fingerprint: string): string {
    const known = this.#fingerprints.get(fingerprint);
    if (known !== undefined) return known;
    if (this.#fingerprints.size >= 4096) this.#fingerprints.clear();
    this.#fingerprints.set(fingerprint, fingerprint);
    return fingerprint;
  }

  /** The sends of row `row` (a fresh array; entries of a list are the list's own). */
  #sends(row: number | undefined): Entry[] {
    if (row === undefined) return [];
    const flags = this.#flags[row] as number;
    if (flags & ONE)
      return [
        {
          at: this.#at[row] as number,
          marketing: (flags & MARKETING) !== 0,
          fingerprint: this.#fingerprint[row] as string,
          reach: (flags & REACH) !== 0,
        },
      ];
    return [...(this.#lists.get(row) ?? [])];
  }

  /** Whether every send of row `row` is at or before `since`. */
  #allBefore(row: number, since: number): boolean {
    if ((this.#flags[row] as number) & ONE) return (this.#at[row] as number) <= since;
    return (this.#lists.get(row) ?? []).every((e) => e.at <= since);
  }

  /** The latest reach time held for `key` (no recency touched), or undefined. */
  #latestOf(key: string): number | undefined {
    const row = this.#byKey.peek(key);
    if (row === undefined) return this.#orphans.get(key);
    const at = this.#latest[row] as number;
    return Number.isNaN(at) ? undefined : at;
  }

  #setLatest(row: number, at: number | undefined): void {
    const was = !Number.isNaN(this.#latest[row] as number);
    const now = at !== undefined && !Number.isNaN(at);
    this.#latest[row] = now ? at : Number.NaN;
    this.#counted += (now ? 1 : 0) - (was ? 1 : 0);
  }

  #forgetLatest(key: string): void {
    const row = this.#byKey.peek(key);
    if (row !== undefined) this.#setLatest(row, undefined);
    else if (this.#orphans.delete(key)) this.#counted--;
  }

  /** Write `sends` into `row`: one send in its columns, else a list. */
  #write(row: number, sends: Entry[]): void {
    if (sends.length === 1) {
      const e = sends[0] as Entry;
      this.#lists.delete(row);
      this.#at[row] = e.at;
      this.#fingerprint[row] = e.fingerprint;
      this.#flags[row] = ONE | (e.marketing ? MARKETING : 0) | (e.reach ? REACH : 0);
    } else {
      this.#lists.set(row, sends);
      this.#fingerprint[row] = undefined;
      this.#flags[row] = LIST;
    }
  }

  /** A row for a new recipient: a freed one, or the next (the columns grow by half). */
  #newRow(): number {
    const free = this.#free.pop();
    if (free !== undefined) return free;
    const row = this.#rows++;
    if (row === this.#at.length) {
      const n = Math.max(16, Math.ceil(row * 1.5));
      const at = new Float64Array(n);
      at.set(this.#at);
      this.#at = at;
      const latest = new Float64Array(n).fill(Number.NaN);
      latest.set(this.#latest);
      this.#latest = latest;
      const flags = new Uint8Array(n);
      flags.set(this.#flags);
      this.#flags = flags;
    }
    this.#fingerprint[row] = undefined;
    return row;
  }

  /** Check every cap and record, without yielding: atomic for every caller in this process. */
  #reserve(entry: SendRecord, caps: SendCaps): ReserveRefusal | undefined {
    const heldRow = this.#byKey.get(entry.key);
    const held = heldRow === undefined ? undefined : this.#sends(heldRow);
    // The caps count the person's sends under every identifier.
    const others = entry.aliases?.flatMap((k) => (k === entry.key ? [] : this.#sends(this.#byKey.get(k))));
    const all = others?.length ? [...(held ?? []), ...others] : held;
    if (all && caps.identicalSince !== undefined) {
      const since = caps.identicalSince;
      if (all.some((e) => e.fingerprint === entry.fingerprint && e.at > since)) return "identical";
    }
    if (
      all &&
      entry.marketing &&
      (caps.marketingPerDay !== undefined || caps.marketingPerWeek !== undefined)
    ) {
      let day = 0;
      let week = 0;
      for (const e of all) {
        if (!e.marketing || e.at <= entry.at - 7 * DAY) continue;
        week++;
        if (e.at > entry.at - DAY) day++;
      }
      if (caps.marketingPerDay !== undefined && day >= caps.marketingPerDay) return "day";
      if (caps.marketingPerWeek !== undefined && week >= caps.marketingPerWeek) return "week";
    }
    if (entry.reach && caps.reachLimit !== undefined && Number.isFinite(caps.reachLimit)) {
      this.#prune(entry.at);
      const counted =
        this.#latestOf(entry.key) !== undefined ||
        (entry.aliases ?? []).some((k) => this.#latestOf(k) !== undefined);
      if (!counted && this.#counted >= caps.reachLimit) return "limit";
    }
    const recorded: Entry = {
      at: entry.at,
      marketing: entry.marketing,
      fingerprint: this.#intern(entry.fingerprint),
      reach: entry.reach,
    };
    const weekAgo = entry.at - 7 * DAY;
    const kept = held === undefined ? [] : held.filter((e) => e.at > weekAgo);
    const next = [...kept, recorded];
    let row = heldRow;
    if (row === undefined) {
      // A recipient evicted to make room gives their row back (and their reach time, if still
      // counted, is kept by key until it ages out).
      let evicted: number | undefined;
      let evictedKey: string | undefined;
      row = this.#newRow();
      const fresh = row;
      const stale = (k: string, r: number) => {
        if (!this.#allBefore(r, weekAgo)) return false;
        evicted = r;
        evictedKey = k;
        return true;
      };
      if (!this.#byKey.setIfRoom(entry.key, fresh, stale)) {
        this.#free.push(fresh);
        return "full";
      }
      if (evicted !== undefined) this.#evicted(evictedKey as string, evicted);
      const orphan = this.#orphans.get(entry.key);
      if (orphan !== undefined) {
        this.#orphans.delete(entry.key);
        this.#counted--;
        this.#setLatest(fresh, orphan);
      }
    } else this.#byKey.setIfRoom(entry.key, row, () => false);
    this.#write(row, next);
    if (entry.reach) {
      this.#queueKeys.push(entry.key);
      this.#queueAts.push(entry.at);
      if ((this.#latestOf(entry.key) ?? Number.NEGATIVE_INFINITY) < entry.at) this.#setLatest(row, entry.at);
      this.#compact();
    }
    return undefined;
  }

  /** Row `row` of `key` left the map: free it, keeping a still-counted reach time by key. */
  #evicted(key: string, row: number): void {
    const latest = this.#latest[row] as number;
    if (!Number.isNaN(latest)) {
      this.#setLatest(row, undefined);
      this.#orphans.set(key, latest);
      this.#counted++;
    }
    this.#lists.delete(row);
    this.#fingerprint[row] = undefined;
    this.#flags[row] = 0;
    this.#free.push(row);
  }

  async release(entry: SendRecord): Promise<void> {
    const row = this.#byKey.get(entry.key);
    if (row === undefined) return;
    const list = this.#sends(row);
    const i = list.findIndex((e) => e.at === entry.at && e.fingerprint === entry.fingerprint);
    if (i < 0) return;
    const rest = list.filter((_, j) => j !== i);
    // Forgetting the only send leaves the recipient held with none.
    this.#byKey.keep(entry.key, row);
    this.#write(row, rest);
    if (this.#latestOf(entry.key) === entry.at) {
      // The recipient still counts if another send within the 24 hours reached them; that send's
      // place in the time-ordered queue is taken again, so it leaves the count when it ages out.
      const still = rest
        .filter((e) => e.reach && e.at > entry.at - DAY)
        .reduce((m, e) => Math.max(m, e.at), Number.NEGATIVE_INFINITY);
      if (still === Number.NEGATIVE_INFINITY) this.#setLatest(row, undefined);
      else {
        this.#setLatest(row, still);
        this.#enqueue(entry.key, still);
      }
    }
  }

  /** Put (key, at) in its time order in the queue (binary search from the head). */
  #enqueue(key: string, at: number): void {
    let lo = this.#head;
    let hi = this.#queueAts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#queueAts[mid] as number) <= at) lo = mid + 1;
      else hi = mid;
    }
    this.#queueKeys.splice(lo, 0, key);
    this.#queueAts.splice(lo, 0, at);
  }

  async reach(key: string, now: number): Promise<{ unique: number; includes: boolean }> {
    this.#prune(now);
    return { unique: this.#counted, includes: this.#latestOf(key) !== undefined };
  }

  async marketingSince(key: string, since: number): Promise<number> {
    const row = this.#byKey.get(key);
    if (row === undefined) return 0;
    const flags = this.#flags[row] as number;
    // One send: read the columns (no entry built).
    if (flags & ONE) return flags & MARKETING && (this.#at[row] as number) > since ? 1 : 0;
    return (this.#lists.get(row) ?? []).filter((e) => e.marketing && e.at > since).length;
  }

  async sentSince(key: string, fingerprint: string, since: number): Promise<boolean> {
    const row = this.#byKey.get(key);
    if (row === undefined) return false;
    if ((this.#flags[row] as number) & ONE)
      return this.#fingerprint[row] === fingerprint && (this.#at[row] as number) > since;
    return (this.#lists.get(row) ?? []).some((e) => e.fingerprint === fingerprint && e.at > since);
  }

  /** Recipients held (each with sends in the last 7 days, or not yet evicted). */
  get size(): number {
    return this.#byKey.size;
  }

  #prune(now: number): void {
    while (this.#head < this.#queueAts.length) {
      const at = this.#queueAts[this.#head] as number;
      if (at > now - DAY) break;
      const key = this.#queueKeys[this.#head] as string;
      if (this.#latestOf(key) === at) this.#forgetLatest(key);
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queueAts.length) {
      this.#queueKeys.splice(0, this.#head);
      this.#queueAts.splice(0, this.#head);
      this.#head = 0;
    }
  }

  /** Many sends to the same people: keep only each recipient's latest, so the queue stays ≤ 2 × max. */
  #compact(): void {
    if (this.#queueAts.length - this.#head <= 2 * Math.max(1024, this.#byKey.max)) return;
    const latest: [string, number][] = [...this.#orphans];
    for (const [key, row] of this.#byKey.entries()) {
      const at = this.#latest[row] as number;
      if (!Number.isNaN(at)) latest.push([key, at]);
    }
    latest.sort((a, b) => a[1] - b[1]);
    this.#queueKeys = latest.map(([k]) => k);
    this.#queueAts = latest.map(([, at]) => at);
    this.#head = 0;
  }
}

function full(max: number): StoreUnavailableError {
  return new StoreUnavailableError(
    "memory",
    "send-history.record",
    `the in-memory send history holds ${max} recipients who were all sent to in the last 7 days`,
    { unreachable: false },
  );
}
