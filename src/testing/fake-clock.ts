import { abortReason, type Clock } from "../state/clock.js";

export interface FakeClockOptions {
  /** Start time (ms since epoch or a Date). @default 2026-01-01T00:00:00Z */
  start?: number | Date;
  /**
   * When true, time moves by itself, as virtual time: whenever the program has nothing left to
   * do but wait (every pending promise has settled), the clock jumps to the earliest sleeper's
   * time and wakes it. Waits finish instantly and deterministically, and concurrent work sees
   * time pass as it would in real time — ten sends sleeping at once share one jump, and work
   * started at a moment finishes at that moment. When false, sleepers wait for
   * {@link FakeClock.advance}.
   * @default true
   */
  autoAdvance?: boolean;
}

interface Sleeper {
  until: number;
  resolve: () => void;
}

/**
 * A clock you move by hand, or that moves itself as virtual time. Share one between the client
 * and `FakeCloudApi`.
 *
 * Hand-written rather than built on `@sinonjs/fake-timers`: wa-guard reads time only through the
 * injected {@link Clock}, so the clock needs to schedule only the SDK's own `sleep` calls — it
 * never replaces the global `setTimeout`/`Date`, which test runners, undici and loopback servers
 * keep using for real.
 */
export class FakeClock implements Clock {
  #now: number;
  readonly #autoAdvance: boolean;
  #sleepers: Sleeper[] = [];

  constructor(options: FakeClockOptions = {}) {
    const start = options.start ?? Date.UTC(2026, 0, 1);
    this.#now = typeof start === "number" ? start : start.getTime();
    this.#autoAdvance = options.autoAdvance ?? true;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise((resolve, reject) => {
      const sleeper: Sleeper = { until: this.#now + Math.max(0, ms), resolve };
      this.#sleepers.push(sleeper);
      signal?.addEventListener(
        "abort",
        () => {
          this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
          reject(abortReason(signal));
        },
        { once: true },
      );
      if (this.#autoAdvance) this.#whenIdle();
      else if (ms <= 0) this.advance(0);
    });
  }

  #idleScheduled = false;

  /** Once every promise has settled (a macrotask later), jump to the earliest sleeper. */
  #whenIdle(): void {
    if (this.#idleScheduled) return;
    this.#idleScheduled = true;
    const later = typeof setImmediate === "function" ? setImmediate : (f: () => void) => setTimeout(f, 0);
    later(() => {
      this.#idleScheduled = false;
      if (this.#sleepers.length === 0) return;
      const next = Math.min(...this.#sleepers.map((s) => s.until));
      this.advance(Math.max(0, next - this.#now));
      if (this.#sleepers.length > 0) this.#whenIdle();
    });
  }

  /** Move time forward and wake every sleeper whose time has come, in time order. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError("FakeClock.advance needs a non-negative number of ms");
    this.#now += ms;
    const due = this.#sleepers.filter((s) => s.until <= this.#now).sort((a, b) => a.until - b.until);
    this.#sleepers = this.#sleepers.filter((s) => s.until > this.#now);
    for (const s of due) s.resolve();
  }

  /** Jump to an absolute time (never backwards). */
  set(time: number | Date): void {
    const t = typeof time === "number" ? time : time.getTime();
    if (t < this.#now) throw new RangeError("FakeClock cannot go backwards");
    this.advance(t - this.#now);
  }

  /** Number of pending sleepers (manual mode). */
  get pending(): number {
    return this.#sleepers.length;
  }
}
