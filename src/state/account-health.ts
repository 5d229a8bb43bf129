/**
 * What a restriction stops:
 * - `all`: every send (account locked, disabled, policy block);
 * - `business_initiated`: templates (RESTRICTED_BIZ_INITIATED_MESSAGING, spam limit 131048);
 * - `customer_initiated`: replies (RESTRICTED_CUSTOMER_INITIATED_MESSAGING);
 * - `marketing`: marketing templates (quality RED);
 * - `marketing_slow`: marketing templates are paced at a share of the throughput (quality YELLOW);
 * - `throughput`: every send, briefly, after a storm of 130429 answers.
 */
export type RestrictionScope =
  | "all"
  | "business_initiated"
  | "customer_initiated"
  | "marketing"
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

/** The account's open restrictions (circuits), shared by every sender of the phone number. */
export interface AccountHealthStore {
  open(restriction: Restriction): Promise<void>;
  close(scope: RestrictionScope): Promise<void>;
  /** Restrictions still in force at `now`. */
  active(now: number): Promise<Restriction[]>;
}

export class MemoryAccountHealthStore implements AccountHealthStore {
  readonly #open = new Map<RestrictionScope, Restriction>();

  async open(restriction: Restriction): Promise<void> {
    const current = this.#open.get(restriction.scope);
    const currentLastsLonger =
      current !== undefined &&
      (current.until === undefined ||
        (restriction.until !== undefined && restriction.until <= current.until));
    if (!currentLastsLonger) this.#open.set(restriction.scope, restriction);
  }

  async close(scope: RestrictionScope): Promise<void> {
    this.#open.delete(scope);
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
