import { StoreUnavailableError } from "../errors/store.js";
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
 * Text every store keeps as it is: a lone surrogate becomes U+FFFD (PostgreSQL would store that
 * and read back another text) and so does a NUL (which PostgreSQL refuses). Applied to what a user
 * or Meta writes into an event (a button's payload in the source, a message id as proof), so the
 * event on file and its replay compare equal whatever the store.
 */
export function storable(text: string): string {
  return UNSTORABLE.test(text) ? text.replace(UNSTORABLE_ALL, "\uFFFD") : text;
}

// A NUL, a high surrogate not followed by a low one, or a low one not after a high one.
const UNSTORABLE_SOURCE =
  "\\u0000|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]";
const UNSTORABLE = new RegExp(UNSTORABLE_SOURCE);
const UNSTORABLE_ALL = new RegExp(UNSTORABLE_SOURCE, "g");

/** Same recipient, action, scope, source, proof and (unless `anyTime`) time. */
export function sameEvent(a: ConsentEvent, b: ConsentEvent, anyTime = false): boolean {
  return (
    a.key === b.key &&
    a.action === b.action &&
    a.scope === b.scope &&
    a.source === b.source &&
    (anyTime || a.at === b.at) &&
    a.proof === b.proof
  );
}

/**
 * Append an event that a message reported, unless it is already on file: Meta's redelivery or a
 * replay after the de-duplication window must decide nothing a second time. (The ledger orders
 * events of one second by when they were recorded, so a second copy of a STOP would come out after
 * a grant of the same second.) The event's `proof` is the message's id, and one message is one
 * event whatever time it was recorded at: a first delivery recorded at a clock behind Meta's, or
 * one without a timestamp, is still the event its replay finds. Returns the event on file.
 */
export async function appendOnce(
  store: ConsentStore,
  event: ConsentEvent & { proof: string },
): Promise<ConsentEvent> {
  const same = (await store.history(event.key)).find((e) => sameEvent(e, event, true));
  if (same !== undefined) return same;
  await store.append(event);
  return event;
}

/**
 * A withdrawal Meta reported — the user stopped marketing in WhatsApp (`meta:user_preferences`)
 * or Meta failed a send with 131050 (`meta:131050`). Only the user lifts it.
 */
export function isMetaStop(event: ConsentEvent): boolean {
  return event.action === "revoke" && hasPrefix(event.source, "meta:");
}

/**
 * The user's own lift of Meta's stop: Meta's resume (a `meta:…` grant, recorded by
 * `wa.consent.resume()`) or an opt-in keyword the user sent (a `keyword:…` grant, such as START).
 */
export function isUserLift(event: ConsentEvent): boolean {
  return (
    event.action === "grant" && (hasPrefix(event.source, "meta:") || hasPrefix(event.source, "keyword:"))
  );
}

function hasPrefix(source: unknown, prefix: string): boolean {
  return typeof source === "string" && source.startsWith(prefix);
}

/**
 * The second an event happened in — Meta's timestamps are whole seconds, so a finer order between
 * Meta's events and ours means nothing. A time that is not a number (a damaged record) sorts a
 * revoke last and a grant first: the strict side.
 */
export function eventSecond(event: ConsentEvent): number {
  if (Number.isFinite(event.at)) return Math.floor(event.at / 1000);
  return event.action === "revoke" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
}

/**
 * The events in the order they happened: by the second of `at`, and within one second in the order
 * they were recorded. A ledger recorded in time order (the common case) is returned as is.
 */
export function inTimeOrder(events: readonly ConsentEvent[]): readonly ConsentEvent[] {
  for (let i = 1; i < events.length; i++) {
    if (eventSecond(events[i - 1]!) > eventSecond(events[i]!)) {
      return events
        .map((event, index) => ({ event, index, second: eventSecond(event) }))
        .sort((a, b) => (a.second === b.second ? a.index - b.index : a.second < b.second ? -1 : 1))
        .map((x) => x.event);
    }
  }
  return events;
}

/**
 * One person's ledger from the ledgers of their identifiers (a phone number, BSUIDs), in time
 * order. Events of different identifiers in one second have no order between them, so within a
 * second withdrawals go last (the strict side), then each ledger's events in its own order.
 */
export function mergeHistories(lists: readonly (readonly ConsentEvent[])[]): ConsentEvent[] {
  const nonEmpty = lists.filter((l) => l.length > 0);
  if (nonEmpty.length <= 1) return [...(nonEmpty[0] ?? [])];
  const tagged = nonEmpty.flatMap((list, source) =>
    inTimeOrder(list).map((event, index) => ({ event, source, index, second: eventSecond(event) })),
  );
  tagged.sort((a, b) => {
    if (a.second !== b.second) return a.second < b.second ? -1 : 1;
    const ra = a.event.action === "revoke" ? 1 : 0;
    const rb = b.event.action === "revoke" ? 1 : 0;
    if (ra !== rb) return ra - rb;
    return a.source !== b.source ? a.source - b.source : a.index - b.index;
  });
  return tagged.map((t) => t.event);
}

/** The ledger of the person known by `keys` (see {@link mergeHistories}). */
export async function personHistory(store: ConsentStore, keys: readonly string[]): Promise<ConsentEvent[]> {
  if (keys.length === 1) return store.history(keys[0] as string);
  return mergeHistories(await Promise.all(keys.map((k) => store.history(k))));
}

/**
 * Decide a scope from a ledger, by when the events happened (see {@link inTimeOrder}), newest
 * first:
 *
 * 1. Meta's stop ({@link isMetaStop}) of the scope (or of `all`) withdraws it until the user lifts
 *    it ({@link isUserLift}) at a later time. A business grant never lifts it, whenever recorded.
 * 2. Otherwise the newest event for the scope itself decides. A revoke of `all` (STOP) newer than
 *    it withdraws it; a grant of `all` (START) lifts the revokes of `all` before it, so the earlier
 *    history applies again. Lifted Meta stops and Meta's resumes (which only lift) are passed over.
 */
/** Clocks of instances and Meta may differ by this much; later than it is the future. */
const FUTURE_SKEW_MS = 60_000;

export function consentStatus(
  events: readonly ConsentEvent[],
  scope: ConsentScope,
  now?: number,
): ConsentStatus {
  // Decided as of `now`: a grant dated in the future (a corrupt entry, a clock far ahead) grants
  // nothing yet; a withdrawal dated in the future holds from now.
  const dated =
    now === undefined || !events.some((e) => e.at > now + FUTURE_SKEW_MS)
      ? events
      : events.flatMap((e) =>
          e.at <= now + FUTURE_SKEW_MS ? [e] : e.action === "revoke" ? [{ ...e, at: now }] : [],
        );
  const ordered = inTimeOrder(dated);
  for (let i = ordered.length - 1; i >= 0; i--) {
    const e = ordered[i]!;
    if (e.scope !== scope && e.scope !== "all") continue;
    if (isUserLift(e)) break;
    if (isMetaStop(e)) return { granted: false, decidedBy: e };
  }
  let lifted = false;
  for (let i = ordered.length - 1; i >= 0; i--) {
    const e = ordered[i]!;
    if (hasPrefix(e.source, "meta:")) continue;
    if (e.scope === scope) return { granted: e.action === "grant", decidedBy: e };
    if (e.scope !== "all") continue;
    if (e.action === "grant") lifted = true;
    else if (!lifted) return { granted: false, decidedBy: e };
  }
  return { granted: false };
}

/**
 * In-memory ledger bounded to `max` people. Only a person whose history holds grants alone can
 * make room (losing grants refuses sends to them again — the safe side); a withdrawal is never
 * dropped. When no one can go, a grant for a new person is refused (`StoreUnavailableError`,
 * `unreachable: false`), while a withdrawal is still recorded, past the bound if it must. Use a
 * durable store for the legal record.
 */
export class MemoryConsentStore implements ConsentStore {
  readonly #events: BoundedMap<string, ConsentEvent[]>;

  /** @param options.max people remembered (default 1,000,000). */
  constructor(options: { max?: number } = {}) {
    this.#events = new BoundedMap(options.max ?? 1_000_000);
  }

  async append(event: ConsentEvent): Promise<void> {
    const list = this.#events.get(event.key);
    if (list) {
      list.push(event);
      return;
    }
    const grantsOnly = (_: string, events: ConsentEvent[]) => events.every((e) => e.action === "grant");
    if (this.#events.setIfRoom(event.key, [event], grantsOnly)) return;
    if (event.action !== "revoke")
      throw new StoreUnavailableError(
        "memory",
        "consent.append",
        `the in-memory ledger holds ${this.#events.max} people and none can be forgotten safely`,
        { unreachable: false },
      );
    this.#events.keep(event.key, [event]);
  }

  /** People held. */
  get size(): number {
    return this.#events.size;
  }

  async history(key: string): Promise<ConsentEvent[]> {
    return [...(this.#events.get(key) ?? [])];
  }
}
