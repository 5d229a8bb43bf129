import { BoundedMap } from "../internal/bounded-map.js";

/** Meta's customer service window: 24 hours from the user's last message or call. */
export const WINDOW_MS = 24 * 60 * 60 * 1000;

/** When a window opened at `last` closes, `marginMs` early; undefined when there is none. */
export function windowClosesAt(last: number | undefined, marginMs = 0): number | undefined {
  return last === undefined ? undefined : last + WINDOW_MS - marginMs;
}

/** Whether a window opened at `last` is still open at `now` (closing `marginMs` early). */
export function windowOpen(last: number | undefined, now: number, marginMs = 0): boolean {
  // A last message from the future (a corrupt entry, a clock far ahead) opens nothing; a minute
  // of skew between instances is allowed.
  if (last !== undefined && last > now + 60_000) return false;
  const closes = windowClosesAt(last, marginMs);
  return closes !== undefined && now < closes;
}

/** When each person last wrote to (or called) the business. Keys are canonical recipient ids. */
export interface SessionWindowStore {
  recordInbound(key: string, at: number): Promise<void>;
  /**
   * When the person last wrote, as far as the window goes: after `close(key, at)`, a message at or
   * before `at` counts as 24 hours before `at` (the window was closed then).
   */
  lastInbound(key: string): Promise<number | undefined>;
  /**
   * Meta said at `at` that the person's window was closed (a 131047 answer or failed status):
   * every message recorded up to `at` stops counting as an open window; a later one reopens it.
   * Optional for a store of your own (then a 131047 changes nothing here).
   */
  close?(key: string, at: number): Promise<void>;
}

/** What `lastInbound` reports for a last message `last` and a close at `closed`. */
export function afterClose(last: number | undefined, closed: number | undefined): number | undefined {
  if (closed === undefined || last === undefined || last > closed) return last;
  return Math.min(last, closed - WINDOW_MS);
}

/** The latest of some times, such as a person's last message under each identifier (undefined when none). */
export function latest(times: ReadonlyArray<number | undefined>): number | undefined {
  let last: number | undefined;
  for (const t of times) if (t !== undefined && (last === undefined || t > last)) last = t;
  return last;
}

/** The person's last message under any of their identifiers (one window per person). */
export async function lastInboundOf(
  store: SessionWindowStore,
  keys: readonly string[],
): Promise<number | undefined> {
  if (keys.length === 1) return store.lastInbound(keys[0] as string);
  return latest(await Promise.all(keys.map((k) => store.lastInbound(k))));
}

/** In-memory window store, bounded to `max` people (least recently active evicted: windows closed, the safe side). */
export class MemorySessionWindowStore implements SessionWindowStore {
  readonly #last: BoundedMap<string, number>;
  /** When Meta said a person's window was closed (131047); bounded like the windows. */
  readonly #closed: BoundedMap<string, number>;

  /** @param options.max people remembered (default 1,000,000). */
  constructor(options: { max?: number } = {}) {
    this.#last = new BoundedMap(options.max ?? 1_000_000);
    this.#closed = new BoundedMap(options.max ?? 1_000_000);
  }

  async close(key: string, at: number): Promise<void> {
    const prev = this.#closed.get(key);
    if (prev === undefined || at > prev) this.#closed.set(key, at);
  }

  async recordInbound(key: string, at: number): Promise<void> {
    const prev = this.#last.get(key);
    if (prev === undefined || at > prev) this.#last.set(key, at);
  }

  async lastInbound(key: string): Promise<number | undefined> {
    return afterClose(this.#last.get(key), this.#closed.get(key));
  }
}
