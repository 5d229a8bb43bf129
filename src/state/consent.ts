import { BoundedMap } from "../internal/bounded-map.js";

/** `marketing`, `utility`, `authentication`, or a topic of your own. `all` is used by opt-outs such as STOP. */
export type ConsentScope = "marketing" | "utility" | "authentication" | "all" | (string & {});

/** One entry of the append-only consent ledger. */
export interface ConsentEvent {
  /** Canonical recipient id. */
  key: string;
  action: "grant" | "revoke";
  scope: ConsentScope;
  /** Where it came from: `checkout-form`, `keyword:STOP`, `user_preferences`, `meta:131050`, … */
  source: string;
  /** What the business keeps as proof (text or a hash). */
  proof?: string;
  at: number;
}

export interface ConsentStatus {
  granted: boolean;
  /** The event that decided it, if any. */
  decidedBy?: ConsentEvent;
}

/** Append-only consent ledger. Implementations must never rewrite or drop history silently. */
export interface ConsentStore {
  append(event: ConsentEvent): Promise<void>;
  history(key: string): Promise<ConsentEvent[]>;
}

/**
 * Decide a scope from a ledger, newest event first. An event for the scope itself decides. A
 * revoke of `all` (STOP) withdraws every scope; a later grant of `all` (START) lifts that
 * withdrawal and the earlier per-scope history applies again.
 */
export function consentStatus(events: readonly ConsentEvent[], scope: ConsentScope): ConsentStatus {
  let lifted = false;
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.scope === scope) return { granted: e.action === "grant", decidedBy: e };
    if (e.scope !== "all") continue;
    if (e.action === "grant") lifted = true;
    else if (!lifted) return { granted: false, decidedBy: e };
  }
  return { granted: false };
}

/**
 * In-memory ledger bounded to `max` people. Evicting a person loses their grants, so sends to
 * them are refused again — the safe side. Use a durable store for the legal record.
 */
export class MemoryConsentStore implements ConsentStore {
  readonly #events: BoundedMap<string, ConsentEvent[]>;

  /** @param options.max people remembered (default 1,000,000). */
  constructor(options: { max?: number } = {}) {
    this.#events = new BoundedMap(options.max ?? 1_000_000);
  }

  async append(event: ConsentEvent): Promise<void> {
    const list = this.#events.get(event.key);
    if (list) list.push(event);
    else this.#events.set(event.key, [event]);
  }

  async history(key: string): Promise<ConsentEvent[]> {
    return [...(this.#events.get(key) ?? [])];
  }
}
