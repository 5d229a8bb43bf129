// The stores as they were before their compact layouts (main at 9c25fd8), kept as the reference
// the compact ones are checked against: same calls, same answers.
import { BoundedMap } from "../../src/internal/bounded-map.js";
import type {
  CampaignCheckpointStore,
  CheckpointEntry,
  PendingCheckpoint,
} from "../../src/state/campaign-checkpoints.js";
import type { RateDecision, RateLimitStore } from "../../src/state/rate-limits.js";
import type { ReserveRefusal, SendCaps, SendHistoryStore, SendRecord } from "../../src/state/send-history.js";

const DAY = 24 * 60 * 60 * 1000;

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
export class ReferenceSendHistory implements SendHistoryStore {
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
    if (this.#reserve(entry, {}) === "full") throw new Error("full");
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

/** A bucket taken with another burst or interval than the store's usual one keeps them beside it. */
interface OddBucket {
  emptyAt: number;
  burst: number;
  intervalMs: number;
}

/**
 * In-memory rate limits; pair-rate state bounded to `maxKeys` recipients. A recipient's bucket is
 * forgotten only once it has refilled (forgetting it then changes nothing); when every bucket
 * held is still draining, a new recipient waits.
 */
export class ReferenceRateLimits implements RateLimitStore {
  /** Per key: admitted event times within the window, oldest first. */
  readonly #logs = new Map<string, number[]>();
  /**
   * Per key, one number: the time at which the bucket would have held no token had it never been
   * capped (`at - tokens × intervalMs`). Tokens at `now` are `min(burst, (now - emptyAt) /
   * intervalMs)`, so a bucket costs one map entry and one number rather than an object of four. A
   * bucket taken with another burst or interval than the first one this store saw keeps them
   * beside it (the room check and a refund need them).
   */
  readonly #buckets: BoundedMap<string, number | OddBucket>;
  /**
   * Plain-number entries hold `emptyAt - epoch` (the first `now` this store saw): a whole number
   * of milliseconds within ±24 days of it is a small integer to V8, with no heap number behind it.
   */
  #epoch: number | undefined;
  /** The burst and interval of the first bucket taken: those of every plain-number entry. */
  #usual: { burst: number; intervalMs: number } | undefined;

  /** @param options.maxKeys recipients whose pair-rate state is kept (default 1,000,000). */
  constructor(options: { maxKeys?: number } = {}) {
    this.#buckets = new BoundedMap(options.maxKeys ?? 1_000_000);
  }

  /**
   * Exact sliding window. Any limit works on one key, so callers with different limits share
   * one history instead of resetting each other's.
   */
  async window(
    key: string,
    limit: number,
    windowMs: number,
    now: number,
    consume: boolean,
  ): Promise<RateDecision> {
    let log = this.#logs.get(key);
    if (!log) {
      // A look that takes nothing leaves nothing behind (a hold checked for every send).
      if (!consume) return { ok: limit > 0, retryAfterMs: limit > 0 ? 0 : windowMs, at: now };
      log = [];
      this.#logs.set(key, log);
    }
    let drop = 0;
    while (drop < log.length && (log[drop] as number) <= now - windowMs) drop++;
    if (drop > 0) log.splice(0, drop);
    if (log.length >= limit) {
      const wait = (log[log.length - limit] as number) + windowMs - now;
      return { ok: false, retryAfterMs: Math.max(1, Math.ceil(wait)) };
    }
    if (consume) {
      // Keep the log ordered even if times arrive slightly out of order.
      let i = log.length;
      while (i > 0 && (log[i - 1] as number) > now) i--;
      log.splice(i, 0, now);
    }
    return { ok: true, retryAfterMs: 0, at: now };
  }

  async refundWindow(key: string, at: number): Promise<void> {
    const log = this.#logs.get(key);
    const i = log?.lastIndexOf(at) ?? -1;
    if (log && i >= 0) log.splice(i, 1);
  }

  async bucket(
    key: string,
    burst: number,
    intervalMs: number,
    now: number,
    consume: boolean,
  ): Promise<RateDecision> {
    const held = this.#buckets.get(key);
    const emptyAt =
      held === undefined
        ? undefined
        : typeof held === "number"
          ? held + (this.#epoch as number)
          : held.emptyAt;
    const tokens = emptyAt === undefined ? burst : Math.min(burst, (now - emptyAt) / intervalMs);
    if (tokens < 1) return { ok: false, retryAfterMs: Math.ceil((1 - tokens) * intervalMs) };
    if (consume) {
      // Only a bucket that has refilled may make room: forgetting one still drained would hand
      // its recipient a fresh burst. With none, the new recipient waits for the oldest to refill.
      const next = now - (tokens - 1) * intervalMs;
      this.#usual ??= { burst, intervalMs };
      this.#epoch ??= now;
      const usual = this.#usual;
      const value =
        burst === usual.burst && intervalMs === usual.intervalMs
          ? next - this.#epoch
          : { emptyAt: next, burst, intervalMs };
      if (!this.#buckets.setIfRoom(key, value, (_, b) => this.#refilled(b, now)))
        return { ok: false, retryAfterMs: intervalMs };
    }
    return { ok: true, retryAfterMs: 0 };
  }

  #refilled(b: number | OddBucket, now: number): boolean {
    if (typeof b !== "number") return now - b.emptyAt >= b.burst * b.intervalMs;
    const usual = this.#usual as { burst: number; intervalMs: number };
    return now - (b + (this.#epoch as number)) >= usual.burst * usual.intervalMs;
  }

  async refundBucket(key: string, _burst: number): Promise<void> {
    // One token back is an empty bucket one interval earlier. Tokens are capped at `burst` when
    // read, so the cap needs no state of its own.
    const held = this.#buckets.get(key);
    if (held === undefined) return;
    if (typeof held !== "number") held.emptyAt -= held.intervalMs;
    else this.#buckets.set(key, held - (this.#usual as { intervalMs: number }).intervalMs);
  }
}

/**
 * In-memory checkpoints, private to one process: a resume after a crash of that process starts
 * from nothing, so use a shared store (`redisStores`) for campaigns that must survive a
 * restart. Like the Redis store, a campaign is kept `ttlMs` after its last change (never evicted
 * earlier to make room: forgetting would mean sending twice). About 200 bytes per recipient.
 */
export class ReferenceCheckpoints implements CampaignCheckpointStore {
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
    if (!existing && this.#count >= this.#max) throw new Error("full");
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
