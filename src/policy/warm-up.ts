/**
 * New-number warm-up: a phone number that starts sending business-initiated messages at full
 * speed looks like abuse (a number registered minutes before it sends a hundred templates, a
 * steady message a second to people who never wrote). The warm-up guard ramps business-initiated
 * sends from the number's start date: a cap per rolling 24 hours and a minimum gap between sends,
 * both growing with the number's age, until the warm-up is over.
 */

import type { RateLimitStore } from "../state/rate-limits.js";

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
   * epoch, or `"first-send"`: from the number's first business-initiated send through wa-guard,
   * recorded in the rate-limit store (so shared by a fleet on `redisStores`). The schedule counts
   * from here; past its last step the guard lets everything through.
   */
  since: Date | number | "first-send";
  /** Replaces the default schedule (`DEFAULT_WARM_UP_SCHEDULE`). Steps in increasing `fromHours`. */
  schedule?: WarmUpStep[];
}

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
/**
 * How long the first send is remembered: far past any schedule's end. It is kept as the single
 * entry of a sliding window of this length in the rate-limit store (atomic, shared by a fleet,
 * on the store's clock): a look at a full window says when its entry was taken.
 */
const FIRST_SEND_MEMORY_MS = 10 * 365 * DAY;
/** How old a recorded first send must be before an instance keeps it without reading it again. */
const SETTLED_MS = 60_000;

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

/** The resolved warm-up: start time (or from the first send) and schedule. */
export interface WarmUp {
  since: number | "first-send";
  schedule: readonly WarmUpStep[];
}

/** The step in force at `now` for a start at `since`, or undefined once the warm-up is over. */
export function warmUpStep(
  schedule: readonly WarmUpStep[],
  since: number,
  now: number,
): WarmUpStep | undefined {
  const age = now - since;
  if (age < 0) return schedule[0];
  let step: WarmUpStep | undefined;
  for (const s of schedule) if (age >= s.fromHours * HOUR) step = s;
  if (!step || (!Number.isFinite(step.perDay) && step.gapMs <= 0)) return undefined;
  return step;
}

/** Check and resolve `policy.warmUp` (a `ConfigError` message, or the warm-up). */
export function resolveWarmUp(o: WarmUpOptions): WarmUp | string {
  const since = o.since instanceof Date ? o.since.getTime() : o.since;
  if (since !== "first-send" && (typeof since !== "number" || !Number.isFinite(since)))
    return 'policy.warmUp.since must be a Date, milliseconds since the epoch or "first-send"';
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

/**
 * A phone number's warm-up as kept in the rate-limit store: its start (given, or its first
 * business-initiated send), the sends of the rolling 24 hours and the gap since the last one.
 */
export class WarmUpState {
  /** The start, once known (a given date, or a first send already recorded). */
  #since: number | undefined;
  /** The warm-up is over for good: nothing is read any more. */
  #over = false;
  readonly #end: number;

  constructor(
    readonly warmUp: WarmUp,
    private readonly rates: RateLimitStore,
    private readonly phoneNumberId: () => string,
  ) {
    if (warmUp.since !== "first-send") this.#since = warmUp.since;
    const last = warmUp.schedule[warmUp.schedule.length - 1] as WarmUpStep;
    // The last step may cap forever; only an uncapped last step ends the warm-up.
    this.#end =
      !Number.isFinite(last.perDay) && last.gapMs <= 0 ? last.fromHours * HOUR : Number.POSITIVE_INFINITY;
  }

  dayKey(): string {
    return `warmup:day:${this.phoneNumberId()}`;
  }
  gapKey(): string {
    return `warmup:gap:${this.phoneNumberId()}`;
  }
  #firstKey(): string {
    return `warmup:first:${this.phoneNumberId()}`;
  }

  /**
   * When the warm-up started: the given date, or the first send recorded — `undefined` when
   * counting from the first send and none was made yet (the next one starts it).
   */
  async since(now: number): Promise<number | undefined> {
    if (this.#since !== undefined) return this.#since;
    const first = await this.rates.window(this.#firstKey(), 1, FIRST_SEND_MEMORY_MS, now, false);
    if (first.ok) return undefined;
    const since = now + first.retryAfterMs - FIRST_SEND_MEMORY_MS;
    // A start a minute old is settled; a younger one may still be given back (a first send the
    // policy then refused), so it is read again next time.
    if (now - since > SETTLED_MS) this.#since = since;
    return since;
  }

  /** The step in force at `now`, or undefined when the warm-up is over. */
  async step(now: number): Promise<WarmUpStep | undefined> {
    if (this.#over) return undefined;
    const since = (await this.since(now)) ?? now;
    if (now - since >= this.#end) this.#over = true;
    return warmUpStep(this.warmUp.schedule, since, now);
  }

  /** The step in force, from what is known without a read (for messages). */
  stepKnown(now: number): WarmUpStep | undefined {
    return this.#over ? undefined : warmUpStep(this.warmUp.schedule, this.#since ?? now, now);
  }

  /**
   * Record a send as the first when none is recorded. Given back when the policy refuses the send
   * after all (`unmarkFirst`); it stays recorded if Meta then refuses it.
   */
  async markFirst(now: number): Promise<boolean> {
    if (this.#since !== undefined) return false;
    const taken = await this.rates.window(this.#firstKey(), 1, FIRST_SEND_MEMORY_MS, now, true);
    return taken.ok;
  }

  /** Give back a first send recorded at `at` that the policy then refused (capacity given back). */
  async unmarkFirst(at: number): Promise<void> {
    await this.rates.refundWindow(this.#firstKey(), at);
  }

  /**
   * Business-initiated sends of the rolling 24 hours, up to `cap`. The store answers only yes or
   * no to "room for `limit`?", so this asks it about log2(cap) limits (plans only).
   */
  async sentToday(cap: number, now: number): Promise<number> {
    const room = async (limit: number) => (await this.rates.window(this.dayKey(), limit, DAY, now, false)).ok;
    if (await room(1)) return 0;
    if (!(await room(cap))) return cap;
    // room(lo) is false, room(hi) true: the count is lo ≤ n < hi.
    let lo = 1;
    let hi = cap;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await room(mid)) hi = mid;
      else lo = mid;
    }
    return lo;
  }
}
