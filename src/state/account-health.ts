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

/** Every restriction scope, for checking a scope read from a store or given by a caller. */
export const RESTRICTION_SCOPES: ReadonlySet<string> = new Set<RestrictionScope>([
  "all",
  "business_initiated",
  "customer_initiated",
  "marketing",
  "utility",
  "marketing_slow",
  "throughput",
]);

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
   * Lift the restrictions of `scope` if the latest of them began at or before `at`, and remember
   * the lift. With `source`, only the restriction opened by that source is lifted (the scope's
   * others stay, and no lift is remembered): a GREEN quality reading ends the YELLOW slowdown,
   * not one Meta imposed for a violation.
   */
  close(scope: RestrictionScope, at: number, source?: string): Promise<void>;
  /**
   * Restrictions still in force at `now`: one per scope, the merge of its sources' restrictions
   * still in force (the latest start, the latest end, the source of the one that lasts longer).
   */
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

/**
 * What a store keeps of one scope: each source's restriction on its own (a lift by source takes
 * only that source's), and `since`, the latest start of any restriction of the scope since the
 * scope was last clear. Callers read one restriction per scope, the merge of the sources still
 * in force from `since` (see {@link scopeView}): when nothing was lifted by source, exactly the
 * restriction one merged entry gave before sources were kept apart.
 */
export interface ScopeRestrictions {
  since: number;
  /** One restriction per source, in the order the sources were first seen. */
  bySource: Restriction[];
}

/**
 * One scope's restriction as callers read it: the merge of its sources' restrictions, in force
 * from the scope's latest start. A lift (with or without source) takes effect only when it is at
 * or after that start: a lift between two starts leaves the scope standing, as the merged entry did.
 */
export function scopeView(scope: RestrictionScope, kept: ScopeRestrictions): Restriction | undefined {
  let out: Restriction | undefined;
  for (const r of kept.bySource) out = out === undefined ? { ...r, scope } : merge(out, r);
  if (out !== undefined) out.since = kept.since;
  return out;
}

export class MemoryAccountHealthStore implements AccountHealthStore {
  readonly #open = new Map<RestrictionScope, ScopeRestrictions>();
  /** The latest lift of each scope (Meta's time). */
  readonly #lifted = new Map<RestrictionScope, number>();

  async open(restriction: Restriction): Promise<void> {
    const lifted = this.#lifted.get(restriction.scope);
    if (lifted !== undefined && restriction.since < lifted) return;
    const r: Restriction = { ...restriction };
    const current = this.#open.get(restriction.scope);
    if (current === undefined) {
      this.#open.set(restriction.scope, { since: r.since, bySource: [r] });
      return;
    }
    current.since = Math.max(current.since, r.since);
    const i = current.bySource.findIndex((x) => x.source === r.source);
    if (i < 0) current.bySource.push(r);
    else current.bySource[i] = merge(current.bySource[i] as Restriction, r);
  }

  async close(scope: RestrictionScope, at: number, source?: string): Promise<void> {
    const current = this.#open.get(scope);
    if (source !== undefined) {
      // Only that source's restriction; the others of the scope stay.
      if (current === undefined || current.since > at) return;
      current.bySource = current.bySource.filter((r) => r.source !== source);
      if (current.bySource.length === 0) this.#open.delete(scope);
      return;
    }
    this.#lifted.set(scope, Math.max(at, this.#lifted.get(scope) ?? Number.NEGATIVE_INFINITY));
    if (current !== undefined && current.since <= at) this.#open.delete(scope);
  }

  async active(now: number): Promise<Restriction[]> {
    const out: Restriction[] = [];
    for (const [scope, kept] of this.#open) {
      // Each source ends on its own; the scope is clear once none is left.
      if (kept.bySource.some((r) => r.until !== undefined && r.until <= now))
        kept.bySource = kept.bySource.filter((r) => r.until === undefined || r.until > now);
      const view = scopeView(scope, kept);
      if (view === undefined) this.#open.delete(scope);
      else out.push(view);
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
