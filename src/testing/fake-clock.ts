import { abortReason, type Clock } from "../state/clock.js";

export interface FakeClockOptions {
  /** Start time (ms since epoch or a Date). @default 2026-01-01T00:00:00Z */
  start?: number | Date;
  /**
   * When true, `sleep(ms)` moves time forward by `ms` at once, so retries and waits finish
   * instantly and deterministically. When false, sleepers wait for {@link FakeClock.advance}.
   * @default true
   */
  autoAdvance?: boolean;
}

interface Sleeper {
  until: number;
  resolve: () => void;
}

/** A clock you move by hand. Share one between the client and `FakeCloudApi`. */
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
    if (this.#autoAdvance) {
      this.advance(Math.max(0, ms));
      return Promise.resolve();
    }
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
      if (ms <= 0) this.advance(0);
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
