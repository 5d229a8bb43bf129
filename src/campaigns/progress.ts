/**
 * What a run tells about itself while it goes: its pace over the last few seconds, its pauses
 * (a restriction that lifts soon), and the progress event built from them.
 */
import type { Clock } from "../state/clock.js";
import type { CampaignCounts, CampaignProgress, CampaignReport } from "./types.js";

/** Progress reports the pace over about this long. */
export const PACE_WINDOW_MS = 5_000;

/**
 * Sends per second over the last few seconds: a sliding-window throughput admits bursts, so a
 * single short interval would swing between far above and far below the real rate.
 */
export class PaceMeter {
  #samples: Array<{ at: number; sent: number }>;

  constructor(startedAt: number) {
    this.#samples = [{ at: startedAt, sent: 0 }];
  }

  /** Record `sent` at `now`; the pace since the oldest sample of the window. */
  perSecond(now: number, sent: number): number {
    const samples = this.#samples;
    samples.push({ at: now, sent });
    while (samples.length > 2 && samples[1]!.at <= now - PACE_WINDOW_MS) samples.shift();
    const oldest = samples[0]!;
    // Over at least a second: Meta's limits are per second, and a burst is not a rate.
    return ((sent - oldest.sent) * 1000) / Math.max(1000, now - oldest.at);
  }
}

export interface Pause {
  until: number;
  reason: string;
}

/** The run's pauses: the one now in force, which sends wait on, and every one for the report. */
export class Pauses {
  readonly #clock: Clock;
  readonly #halt: AbortSignal;
  #current: (Pause & { gate: Promise<void> }) | undefined;
  readonly #list: CampaignReport["pauses"] = [];

  /** `halt` ends every pause at once (the run stopped). */
  constructor(clock: Clock, halt: AbortSignal) {
    this.#clock = clock;
    this.#halt = halt;
  }

  /** Pause for `ms`; false when the pause in force already lasts as long. */
  pauseFor(ms: number, reason: string): boolean {
    const until = this.#clock.now() + ms;
    if (this.#current && this.#current.until >= until) return false;
    const from = this.#clock.now();
    const gate = this.#clock.sleep(ms, this.#halt).catch(() => undefined); // stopping ends it
    this.#current = { until, reason, gate };
    // The same restriction again before its pause ended: one longer pause in the report.
    const last = this.#list.at(-1);
    if (last && last.reason === reason && last.until >= from) last.until = until;
    else this.#list.push({ reason, from, until });
    return true;
  }

  /** The pause in force at `now`, if any; `gate` resolves when it ends. */
  at(now: number): (Pause & { gate: Promise<void> }) | undefined {
    return this.#current && now < this.#current.until ? this.#current : undefined;
  }

  /** Every pause so far (copies). */
  report(): CampaignReport["pauses"] {
    return this.#list.map((p) => ({ ...p }));
  }
}

/** The progress event: counts, pace, and (when `total` is known) the time left at the run's rate. */
export function progressOf(run: {
  id: string;
  state: CampaignProgress["state"];
  counts: CampaignCounts;
  now: number;
  startedAt: number;
  perSecond: number;
  total: number | undefined;
  pause: Pause | undefined;
}): CampaignProgress {
  const { counts, total, state } = run;
  const elapsedMs = run.now - run.startedAt;
  const progress: CampaignProgress = {
    id: run.id,
    state,
    ...structuredClone(counts),
    elapsedMs,
    perSecond: Math.round(run.perSecond * 10) / 10,
  };
  if (total !== undefined) {
    progress.total = total;
    const rate = elapsedMs > 0 ? counts.done / elapsedMs : 0;
    if (rate > 0 && state !== "finished" && state !== "stopped")
      progress.etaMs = Math.round(Math.max(0, total - counts.done) / rate);
  }
  if (run.pause) {
    progress.pausedUntil = run.pause.until;
    progress.pauseReason = run.pause.reason;
  }
  return progress;
}
