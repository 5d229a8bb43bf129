/**
 * New-number warm-up: a phone number that starts sending business-initiated messages at full
 * speed looks like abuse (a number registered minutes before it sends a hundred templates, a
 * steady message a second to people who never wrote). The warm-up guard ramps business-initiated
 * sends from the number's start date: a cap per rolling 24 hours and a minimum gap between sends,
 * both growing with the number's age, until the warm-up is over.
 */

/** One step of a warm-up schedule: in force from `fromHours` after the start until the next step. */
export interface WarmUpStep {
  /** Hours after the start when this step begins (the first step begins at 0). */
  fromHours: number;
  /** Business-initiated sends allowed in any rolling 24 hours. */
  perDay: number;
  /** Least time between two business-initiated sends, in milliseconds (0: only the throughput guard). */
  gapMs: number;
}

/** `policy.warmUp`: on when given. */
export interface WarmUpOptions {
  /**
   * When the phone number started sending (its registration): a `Date` or milliseconds since the
   * epoch. The schedule counts from here; past its last step the guard lets everything through.
   */
  since: Date | number;
  /** Replaces the default schedule (`DEFAULT_WARM_UP_SCHEDULE`). Steps in increasing `fromHours`. */
  schedule?: WarmUpStep[];
}

const HOUR = 60 * 60 * 1000;

/**
 * The default ramp. Its first day stays far under Meta's smallest messaging limit (250 users a
 * day) and never sends two business-initiated messages less than 30 seconds apart (then 10, 3, 1
 * s): the patterns that read as abuse — a hundred messages minutes after registering, a message a
 * second for half a minute — cannot happen. It ends after 14 days, when Meta's own limits and the
 * throughput guard take over.
 */
export const DEFAULT_WARM_UP_SCHEDULE: readonly WarmUpStep[] = [
  { fromHours: 0, perDay: 20, gapMs: 30_000 },
  { fromHours: 24, perDay: 100, gapMs: 10_000 },
  { fromHours: 72, perDay: 250, gapMs: 3_000 },
  { fromHours: 7 * 24, perDay: 1_000, gapMs: 1_000 },
  { fromHours: 14 * 24, perDay: Number.POSITIVE_INFINITY, gapMs: 0 },
];

/** The resolved warm-up: start time and schedule. */
export interface WarmUp {
  since: number;
  schedule: readonly WarmUpStep[];
}

/** The step in force at `now`, or undefined once the warm-up is over (or before it started). */
export function warmUpStep(w: WarmUp, now: number): WarmUpStep | undefined {
  const age = now - w.since;
  if (age < 0) return w.schedule[0];
  let step: WarmUpStep | undefined;
  for (const s of w.schedule) if (age >= s.fromHours * HOUR) step = s;
  if (!step || (!Number.isFinite(step.perDay) && step.gapMs <= 0)) return undefined;
  return step;
}

/** Check and resolve `policy.warmUp` (a `ConfigError` message, or the warm-up). */
export function resolveWarmUp(o: WarmUpOptions): WarmUp | string {
  const since = o.since instanceof Date ? o.since.getTime() : o.since;
  if (typeof since !== "number" || !Number.isFinite(since))
    return "policy.warmUp.since must be a Date or milliseconds since the epoch";
  const schedule = o.schedule ?? DEFAULT_WARM_UP_SCHEDULE;
  if (!Array.isArray(schedule) || schedule.length === 0)
    return "policy.warmUp.schedule must hold at least one step";
  let last = -1;
  for (const [i, s] of schedule.entries()) {
    const bad = (what: string) => `policy.warmUp.schedule[${i}].${what}`;
    if (typeof s?.fromHours !== "number" || !(s.fromHours >= 0) || s.fromHours <= last)
      return `${bad("fromHours")} must be a number ≥ 0, greater than the step before`;
    if (
      typeof s.perDay !== "number" ||
      !(s.perDay >= 0) ||
      (Number.isFinite(s.perDay) && !Number.isInteger(s.perDay))
    )
      return `${bad("perDay")} must be a whole number ≥ 0 (or Infinity)`;
    if (typeof s.gapMs !== "number" || !Number.isInteger(s.gapMs) || s.gapMs < 0)
      return `${bad("gapMs")} must be a whole number of milliseconds ≥ 0`;
    last = s.fromHours;
  }
  if (schedule[0]!.fromHours !== 0) return "policy.warmUp.schedule[0].fromHours must be 0";
  return { since, schedule };
}
