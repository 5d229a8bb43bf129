/**
 * What a restriction stops:
 * - `all`: every send (account locked, disabled, policy block);
 * - `business_initiated`: templates (RESTRICTED_BIZ_INITIATED_MESSAGING, spam limit 131048);
 * - `customer_initiated`: replies (RESTRICTED_CUSTOMER_INITIATED_MESSAGING);
 * - `marketing`: marketing templates (quality RED, quality FLAGGED);
 * - `utility`: utility templates (RESTRICTED_UTILITY_TEMPLATES, RESTRICTED_DIRECT_SEND_UTILITY_TEMPLATES);
 * - `marketing_slow`: marketing templates are paced at a share of the throughput (quality YELLOW,
 *   an account violation, a disable scheduled by Meta);
 * - `throughput`: every send, briefly, after a storm of 130429 answers.
 */
export type RestrictionScope =
  | "all"
  | "business_initiated"
  | "customer_initiated"
  | "marketing"
  | "utility"
  | "marketing_slow"
  | "throughput";

export interface Restriction {
  scope: RestrictionScope;
  /** What opened it: `graph:368`, `account_update:RESTRICTED_BIZ_INITIATED_MESSAGING`, `quality:RED`, … */
  source: string;
  since: number;
  /** When it lifts by itself; undefined until closed explicitly. */
  until?: number;
}

/**
 * The account's open restrictions (circuits), shared by every sender of the phone number.
 *
 * Restrictions and lifts are ordered by when Meta says they happened, not by when they arrived:
 * a lift older than the restriction in force changes nothing, and a restriction older than the
 * last lift of its scope is already over.
 */
export interface AccountHealthStore {
  /** Open (or extend) a restriction; ignored when its scope was lifted after `since`. */
  open(restriction: Restriction): Promise<void>;
  /**
   * Lift the restriction of `scope` if it began at or before `at`, and remember the lift. With
   * `source`, only a restriction opened by that source is lifted (and no lift is remembered):
   * a GREEN quality reading ends the YELLOW slowdown, not one Meta imposed for a violation.
   */
  close(scope: RestrictionScope, at: number, source?: string): Promise<void>;
  /** Restrictions still in force at `now`. */
  active(now: number): Promise<Restriction[]>;
}

/**
 * Two restrictions of one scope as one: in force from the later start (a lift between the two
 * starts leaves the later one standing) until the later end (open-ended wins), under the source
 * of the one that lasts longer.
 */
export function merge(a: Restriction, b: Restriction): Restriction {
  const longer = a.until === undefined || (b.until !== undefined && b.until <= a.until) ? a : b;
  const out: Restriction = { scope: a.scope, source: longer.source, since: Math.max(a.since, b.since) };
  if (a.until !== undefined && b.until !== undefined) out.until = Math.max(a.until, b.until);
  return out;
}

export class MemoryAccountHealthStore implements AccountHealthStore {
  readonly #open = new Map<RestrictionScope, Restriction>();
  /** The latest lift of each scope (Meta's time). */
  readonly #lifted = new Map<RestrictionScope, number>();

  async open(restriction: Restriction): Promise<void> {
    const lifted = this.#lifted.get(restriction.scope);
    if (lifted !== undefined && restriction.since < lifted) return;
    const current = this.#open.get(restriction.scope);
    this.#open.set(restriction.scope, current ? merge(current, restriction) : restriction);
  }

  async close(scope: RestrictionScope, at: number, source?: string): Promise<void> {
    const current = this.#open.get(scope);
    if (source !== undefined) {
      if (current?.source === source && current.since <= at) this.#open.delete(scope);
      return;
    }
    this.#lifted.set(scope, Math.max(at, this.#lifted.get(scope) ?? Number.NEGATIVE_INFINITY));
    if (current !== undefined && current.since <= at) this.#open.delete(scope);
  }

  async active(now: number): Promise<Restriction[]> {
    const out: Restriction[] = [];
    for (const [scope, r] of this.#open) {
      if (r.until !== undefined && r.until <= now) this.#open.delete(scope);
      else out.push(r);
    }
    return out;
  }
}

/**
 * Where a restriction belongs: `phone_number`, the number's own (its quality, a spam limit on
 * it); `waba`, every number of the business account (a WABA, business portfolio or app BLOCKED,
 * an `account_update` from Meta, an account locked).
 */
export type RestrictionLevel = "phone_number" | "waba";

/**
 * A phone number's restrictions at both levels: its own store and its WABA's, which every number
 * of the WABA shares. The two may be one store (a store set that has no WABA-wide store): then
 * every restriction is the number's, as before WABA-wide state existed.
 */
export class HealthLevels {
  constructor(
    readonly phone: AccountHealthStore,
    readonly waba: AccountHealthStore,
  ) {}

  /** The store a restriction of `level` goes to. */
  of(level: RestrictionLevel): AccountHealthStore {
    return level === "waba" ? this.waba : this.phone;
  }

  /** Restrictions in force at `now` at either level; both are read in one round trip. */
  async active(now: number): Promise<Restriction[]> {
    if (this.waba === this.phone) return this.phone.active(now);
    const both = await Promise.all([this.phone.active(now), this.waba.active(now)]);
    const own = both[0];
    const shared = both[1];
    return shared.length === 0 ? own : own.length === 0 ? shared : [...own, ...shared];
  }

  /**
   * A lift at both levels: Meta's reinstatements do not say which level the restriction they
   * end was recorded at (a store written before WABA-wide state kept everything per number).
   */
  async close(scope: RestrictionScope, at: number, source?: string): Promise<void> {
    await this.phone.close(scope, at, source);
    if (this.waba !== this.phone) await this.waba.close(scope, at, source);
  }
}
