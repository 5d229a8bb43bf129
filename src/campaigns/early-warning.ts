/**
 * A running campaign's own early warning: over its most recent sends, the share of recipients
 * who opted out (STOP, an unsubscribe tap, Meta's marketing stop, 131050), the share of messages
 * that failed, and the share read. When one crosses its threshold the campaign stops itself —
 * before Meta's quality rating moves, which it computes from the same signals (blocks and reports,
 * opt-outs, failed deliveries, low engagement).
 */

/** Thresholds of a campaign's early warning (`campaigns.run({ earlyWarning })`). */
export interface EarlyWarningOptions {
  /** The most recent sends the signals are measured over. @default 500 */
  window?: number;
  /** No verdict before this many sends are in the window. @default 50 */
  minSent?: number;
  /**
   * Stop when opt-outs from the window's recipients reach this share of its sends (and at least
   * `minOptOuts`). Users who get unwanted marketing opt out or block; a few in a hundred is a
   * campaign Meta will see as low quality. @default 0.02
   */
  maxOptOutRate?: number;
  /** @default 3 */
  minOptOuts?: number;
  /**
   * Stop when failed deliveries (131049 per-user limits, 131050 stopped marketing, 131026 not on
   * WhatsApp, …) reach this share of the window's sends (and at least `minFailures`): a list
   * that fails this much is stale or unconsented. @default 0.1
   */
  maxFailureRate?: number;
  /** @default 5 */
  minFailures?: number;
  /**
   * Stop when fewer than this share of the window's sends older than `readGraceMs` were read
   * (users who ignore a business mark it as spam more often). Off unless set: read receipts can
   * be turned off by users, so the share depends on the audience.
   */
  minReadRate?: number;
  /** How long after a send its read receipt is still awaited before it counts as unread. @default 600000 */
  readGraceMs?: number;
}

/** What a campaign's early warning measured (in `report.signals`). */
export interface CampaignSignalReport {
  /** Sends in the window (the most recent `window` sends of this run). */
  sent: number;
  /** Recipients in the window who opted out after the send. */
  optOuts: number;
  /** Messages in the window that failed after Meta accepted them, and by Graph code. */
  failures: number;
  failedBy: Record<string, number>;
  /** Messages in the window read by their recipient. */
  read: number;
  optOutRate: number;
  failureRate: number;
  readRate: number;
  /** Which signal stopped the run, if one did. */
  tripped?: "opt-outs" | "failures" | "read-rate";
}

interface Entry {
  key: string;
  correlationId: string;
  at: number;
  optedOut: boolean;
  failed: number | undefined;
  read: boolean;
}

const rate = (n: number, d: number) => (d === 0 ? 0 : n / d);
const percent = (r: number) => `${(r * 100).toFixed(1)}%`;

/** The sliding window of one run's sends and what their recipients did. */
export class EarlyWarning {
  readonly #o: Required<Omit<EarlyWarningOptions, "minReadRate">> & { minReadRate: number | undefined };
  readonly #ring: Array<Entry | undefined>;
  #next = 0;
  #size = 0;
  readonly #byKey = new Map<string, Entry>();
  readonly #byId = new Map<string, Entry>();
  #optOuts = 0;
  #failures = 0;
  #read = 0;
  readonly #failedBy: Record<string, number> = {};
  #tripped: CampaignSignalReport["tripped"];
  /** Sends under way (asked of Meta, no answer yet), and whether their recipient opted out meanwhile. */
  readonly #underWay = new Map<string, boolean>();

  constructor(options: EarlyWarningOptions = {}) {
    this.#o = {
      window: Math.max(1, Math.floor(options.window ?? 500)),
      minSent: options.minSent ?? 50,
      maxOptOutRate: options.maxOptOutRate ?? 0.02,
      minOptOuts: options.minOptOuts ?? 3,
      maxFailureRate: options.maxFailureRate ?? 0.1,
      minFailures: options.minFailures ?? 5,
      minReadRate: options.minReadRate,
      readGraceMs: options.readGraceMs ?? 600_000,
    };
    this.#ring = new Array(this.#o.window);
  }

  /** A send to `key` is about to be asked of Meta: an opt-out before its answer still counts. */
  expect(key: string): void {
    if (!this.#underWay.has(key)) this.#underWay.set(key, false);
  }

  /** The send to `key` did not go out (refused, failed, deferred). */
  drop(key: string): void {
    this.#underWay.delete(key);
  }

  /** A message of this run was accepted by Meta. A reason to stop, or undefined. */
  sent(key: string, correlationId: string, at: number): string | undefined {
    const old = this.#ring[this.#next];
    if (old) this.#forget(old);
    const entry: Entry = { key, correlationId, at, optedOut: false, failed: undefined, read: false };
    this.#ring[this.#next] = entry;
    this.#next = (this.#next + 1) % this.#o.window;
    this.#size = Math.min(this.#size + 1, this.#o.window);
    this.#byKey.set(key, entry);
    this.#byId.set(correlationId, entry);
    if (this.#underWay.get(key) === true) {
      entry.optedOut = true;
      this.#optOuts++;
    }
    this.#underWay.delete(key);
    // Signals that came before there were enough sends are judged as soon as there are.
    return this.#verdict(at);
  }

  /** A recipient (canonical key) opted out. A reason to stop, or undefined. */
  optOut(key: string): string | undefined {
    const e = this.#byKey.get(key);
    if (!e && this.#underWay.has(key)) {
      this.#underWay.set(key, true);
      return undefined;
    }
    if (!e || e.optedOut) return undefined;
    e.optedOut = true;
    this.#optOuts++;
    return this.#verdict();
  }

  /** A status of one of this run's messages. A reason to stop, or undefined. */
  status(correlationId: string, status: string, code: number | undefined, now: number): string | undefined {
    const e = this.#byId.get(correlationId);
    if (!e) return undefined;
    if (status === "failed" && e.failed === undefined) {
      e.failed = code ?? 0;
      this.#failures++;
      this.#failedBy[e.failed] = (this.#failedBy[e.failed] ?? 0) + 1;
    } else if (status === "read" && !e.read) {
      e.read = true;
      this.#read++;
    }
    return this.#verdict(now);
  }

  report(): CampaignSignalReport {
    const out: CampaignSignalReport = {
      sent: this.#size,
      optOuts: this.#optOuts,
      failures: this.#failures,
      failedBy: { ...this.#failedBy },
      read: this.#read,
      optOutRate: rate(this.#optOuts, this.#size),
      failureRate: rate(this.#failures, this.#size),
      readRate: rate(this.#read, this.#size),
    };
    if (this.#tripped) out.tripped = this.#tripped;
    return out;
  }

  #forget(e: Entry): void {
    if (this.#byKey.get(e.key) === e) this.#byKey.delete(e.key);
    this.#byId.delete(e.correlationId);
    if (e.optedOut) this.#optOuts--;
    if (e.read) this.#read--;
    if (e.failed !== undefined) {
      this.#failures--;
      const left = (this.#failedBy[e.failed] ?? 1) - 1;
      if (left === 0) delete this.#failedBy[e.failed];
      else this.#failedBy[e.failed] = left;
    }
  }

  #verdict(now?: number): string | undefined {
    const o = this.#o;
    const sent = this.#size;
    if (this.#tripped || sent < o.minSent) return undefined;
    if (this.#optOuts >= o.minOptOuts && rate(this.#optOuts, sent) >= o.maxOptOutRate) {
      this.#tripped = "opt-outs";
      return `early warning: ${this.#optOuts} of the last ${sent} recipients opted out (${percent(rate(this.#optOuts, sent))}, limit ${percent(o.maxOptOutRate)})`;
    }
    if (this.#failures >= o.minFailures && rate(this.#failures, sent) >= o.maxFailureRate) {
      this.#tripped = "failures";
      return `early warning: ${this.#failures} of the last ${sent} messages failed (${percent(rate(this.#failures, sent))}, limit ${percent(o.maxFailureRate)}; by code ${JSON.stringify(this.#failedBy)})`;
    }
    if (o.minReadRate !== undefined && now !== undefined) {
      let due = 0;
      let read = 0;
      for (const e of this.#ring) {
        if (!e || now - e.at < o.readGraceMs) continue;
        due++;
        if (e.read) read++;
      }
      if (due >= o.minSent && rate(read, due) < o.minReadRate) {
        this.#tripped = "read-rate";
        return `early warning: only ${read} of ${due} messages older than ${Math.round(o.readGraceMs / 60_000)} min were read (${percent(rate(read, due))}, minimum ${percent(o.minReadRate)})`;
      }
    }
    return undefined;
  }
}
