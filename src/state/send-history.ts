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
/** A recipient's sends: most have one, held without an array around it. */
type Sends = Entry | Entry[];

const each = (sends: Sends | undefined): readonly Entry[] =>
  sends === undefined ? [] : Array.isArray(sends) ? sends : [sends];

/**
 * In-memory history: seven days per recipient, bounded to `max` recipients. Check and record are
 * one synchronous step (`reserve`), so every client sharing the store — `withOptions()` copies,
 * separate clients given the same store — shares its caps.
 *
 * Reaching `max` never forgets a send a cap still needs: a recipient is evicted only when all of
 * their sends are older than 7 days. When no one can go, a business-initiated send to a new
 * recipient is refused (`full`) — use a shared store (Redis) for more recipients a week.
 *
 * Layout, for a campaign's many recipients: a recipient with one send holds that entry alone (no
 * array); equal fingerprints share one string (a campaign's sends all have the same one); the
 * 24-hour reach queue is two flat arrays (keys, times) rather than a pair per send.
 */
export class MemorySendHistoryStore implements SendHistoryStore {
  readonly #byKey: BoundedMap<string, Sends>;
  /** Time-ordered (key, at) of business-initiated sends in the last 24 h, and each key's latest. */
  #queueKeys: string[] = [];
  #queueAts: number[] = [];
  #head = 0;
  readonly #latest = new Map<string, number>();
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

  /** Check every cap and record, without yielding: atomic for every caller in this process. */
  #reserve(entry: SendRecord, caps: SendCaps): ReserveRefusal | undefined {
    const held = this.#byKey.get(entry.key);
    // The caps count the person's sends under every identifier.
    const others = entry.aliases?.flatMap((k) => (k === entry.key ? [] : each(this.#byKey.get(k))));
    const all = others?.length ? [...each(held), ...others] : held === undefined ? undefined : each(held);
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
      const counted = this.#latest.has(entry.key) || (entry.aliases ?? []).some((k) => this.#latest.has(k));
      if (!counted && this.#latest.size >= caps.reachLimit) return "limit";
    }
    const recorded: Entry = {
      at: entry.at,
      marketing: entry.marketing,
      fingerprint: this.#intern(entry.fingerprint),
      reach: entry.reach,
    };
    const weekAgo = entry.at - 7 * DAY;
    const kept = held === undefined ? [] : each(held).filter((e) => e.at > weekAgo);
    // Most users have one entry: the entry itself; else an exact-size array, not one grown by push.
    const next: Sends = kept.length ? [...kept, recorded] : recorded;
    const stale = (_: string, sends: Sends) => each(sends).every((e) => e.at <= weekAgo);
    if (!this.#byKey.setIfRoom(entry.key, next, stale)) return "full";
    if (entry.reach) {
      this.#queueKeys.push(entry.key);
      this.#queueAts.push(entry.at);
      if ((this.#latest.get(entry.key) ?? Number.NEGATIVE_INFINITY) < entry.at)
        this.#latest.set(entry.key, entry.at);
      this.#compact();
    }
    return undefined;
  }

  async release(entry: SendRecord): Promise<void> {
    const held = this.#byKey.get(entry.key);
    if (held === undefined) return;
    const list = each(held);
    const i = list.findIndex((e) => e.at === entry.at && e.fingerprint === entry.fingerprint);
    if (i < 0) return;
    const rest = list.filter((_, j) => j !== i);
    // Forgetting the only send leaves the recipient held with none (as an empty list did before).
    this.#byKey.keep(entry.key, rest.length === 1 ? (rest[0] as Entry) : rest);
    if (this.#latest.get(entry.key) === entry.at) {
      // The recipient still counts if another send within the 24 hours reached them; that send's
      // place in the time-ordered queue is taken again, so it leaves the count when it ages out.
      const still = rest
        .filter((e) => e.reach && e.at > entry.at - DAY)
        .reduce((m, e) => Math.max(m, e.at), Number.NEGATIVE_INFINITY);
      if (still === Number.NEGATIVE_INFINITY) this.#latest.delete(entry.key);
      else {
        this.#latest.set(entry.key, still);
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
    return { unique: this.#latest.size, includes: this.#latest.has(key) };
  }

  async marketingSince(key: string, since: number): Promise<number> {
    return each(this.#byKey.get(key)).filter((e) => e.marketing && e.at > since).length;
  }

  async sentSince(key: string, fingerprint: string, since: number): Promise<boolean> {
    return each(this.#byKey.get(key)).some((e) => e.fingerprint === fingerprint && e.at > since);
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
      if (this.#latest.get(key) === at) this.#latest.delete(key);
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
    const latest = [...this.#latest].sort((a, b) => a[1] - b[1]);
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
