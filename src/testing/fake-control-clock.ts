import { type Clock, systemClock } from "../state/clock.js";
import { FakeClock } from "./fake-clock.js";
import { FakeControlError } from "./fake-control-input.js";

/** The fake server's clock: wall-clock time that can be moved forward, or virtual time. */
export interface ControlClock extends Clock {
  readonly mode: "system" | "virtual";
  advance(ms: number): void;
  /** Jump to an absolute time (never backwards). */
  set(time: number): void;
}

/**
 * Wall-clock time plus an offset the test moves forward: real timers, and a way to close a
 * 24-hour window without waiting a day.
 */
class ShiftedSystemClock implements ControlClock {
  readonly mode = "system";
  #offset = 0;

  now(): number {
    return Date.now() + this.#offset;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return systemClock.sleep(ms, signal);
  }

  advance(ms: number): void {
    this.#offset += ms;
  }

  set(time: number): void {
    const now = this.now();
    if (time < now) throw backwards(time, now);
    this.#offset += time - now;
  }
}

/** Virtual time: stands still until moved (sleeps, such as injected latency, jump to their end). */
class VirtualClock extends FakeClock implements ControlClock {
  readonly mode = "virtual";

  override set(time: number): void {
    if (time < this.now()) throw backwards(time, this.now());
    super.set(time);
  }
}

function backwards(time: number, now: number): FakeControlError {
  return new FakeControlError(
    `the fake's clock cannot go backwards: ${new Date(time).toISOString()} is before now (${new Date(now).toISOString()})`,
  );
}

export function controlClock(mode: "system" | "virtual", start?: number): ControlClock {
  return mode === "system"
    ? new ShiftedSystemClock()
    : new VirtualClock(start === undefined ? {} : { start });
}
