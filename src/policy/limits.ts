import { AccountRestrictedPolicyError, FrequencyLimitError, MessagingLimitError } from "../errors/policy.js";
import type { AccountHealthStore, RestrictionScope } from "../state/account-health.js";
import type { RateLimitStore } from "../state/rate-limits.js";
import type { SendHistoryStore } from "../state/send-history.js";
import { latest, type SessionWindowStore, windowOpen } from "../state/session-windows.js";
import { acrossPerson } from "./person.js";
import type { Guard, PolicyContext } from "./types.js";

const DAY = 24 * 60 * 60 * 1000;

export interface FrequencyOptions {
  /**
   * Marketing templates to one user per 24 hours. Meta caps marketing per user adaptively and
   * publishes no number (131049); users who get more than one promotion a day block and report
   * — which lowers quality and leads to restrictions. One a day is the conservative default.
   * @default 1
   */
  marketingPerDay?: number;
  /**
   * Marketing templates to one user per 7 days.
   * @default 3
   */
  marketingPerWeek?: number;
  /**
   * The same template with the same parameters to the same user again within this window is
   * refused (accidental double sends, retry loops).
   * @default 86400000 (24 hours)
   */
  identicalWithinMs?: number;
}

/** Unique users per 24 h: Meta's tiers are 250, 2,000, 10,000, 100,000 and unlimited. */
export type MessagingTier = number | "unlimited";

export interface MessagingLimitOptions {
  /**
   * Unique users you may reach with business-initiated messages in a rolling 24 hours.
   * `"auto"` reads the phone number's `whatsapp_business_manager_messaging_limit` (hourly).
   * @default "auto"
   */
  tier?: MessagingTier | "auto";
}

/** `TIER_2K` → 2000; unknown or unset → 250, the lowest tier of a new portfolio. */
export function tierFromMeta(value: string | undefined): number {
  const m = /^TIER_(\d+)(K?)$/.exec(value ?? "");
  if (value === "TIER_UNLIMITED") return Number.POSITIVE_INFINITY;
  if (!m) return 250;
  return Number(m[1]) * (m[2] ? 1000 : 1);
}

/** A fingerprint of what the user will read: template, language and parameters. */
export function fingerprint(ctx: PolicyContext): string {
  const m = ctx.message;
  if (m.type !== "template") return `${m.type}:${JSON.stringify(m)}`;
  return `template:${m.name}:${m.language}:${JSON.stringify([m.header, m.body, m.buttons])}`;
}

/** A marketing template; an unknown category (template not looked up) is not assumed to be marketing. */
export const isMarketingContext = (ctx: PolicyContext) =>
  ctx.businessInitiated && ctx.template?.category?.toUpperCase() === "MARKETING";

export function accountHealthGuard(store: Pick<AccountHealthStore, "active">): Guard {
  return {
    name: "account-health",
    async check(ctx) {
      const active = await store.active(ctx.now);
      if (active.length === 0) return undefined;
      const scopes = new Set<RestrictionScope>([
        "all",
        "throughput",
        ctx.businessInitiated ? "business_initiated" : "customer_initiated",
      ]);
      if (isMarketingContext(ctx)) scopes.add("marketing");
      if (ctx.businessInitiated && ctx.template?.category?.toUpperCase() === "UTILITY") scopes.add("utility");
      const hit = active.find((r) => scopes.has(r.scope));
      if (!hit) return undefined;
      const init = {
        rule: "account-health",
        recipient: ctx.message.to,
        reason: `the account is restricted (${hit.scope.replace("_", "-")} messages, ${hit.source})${hit.until ? ` until ${new Date(hit.until).toISOString()}` : ""}`,
      };
      return new AccountRestrictedPolicyError(
        hit.until === undefined ? init : { ...init, retryAfterMs: hit.until - ctx.now },
      );
    },
  };
}

/** The rate-limit key that holds marketing to a person back for 24 h after Meta's 131049. */
export const marketingHoldKey = (key: string) => `hold131049:${key}`;

export function frequencyGuard(
  history: SendHistoryStore,
  o: Required<FrequencyOptions>,
  /** Where a 131049 failure holds marketing to the person back for 24 hours. */
  holds?: RateLimitStore,
): Guard {
  const decide = async (ctx: PolicyContext) => {
    const refuse = (reason: string) =>
      new FrequencyLimitError({ rule: "frequency", recipient: ctx.message.to, reason });
    const auth = ctx.template?.category?.toUpperCase() === "AUTHENTICATION"; // resending a code is legitimate
    const marketing = isMarketingContext(ctx);
    // Every read at once: with a shared store they travel in one round trip.
    // Under every identifier of the person: their phone number's sends and their BSUID's add up.
    const sum = (counts: number[]) => counts.reduce((a, b) => a + b, 0);
    const since = (from: number) => acrossPerson(ctx, (k) => history.marketingSince(k, from));
    const [identical, day, week, held] = await Promise.all([
      auth
        ? false
        : acrossPerson(ctx, (k) =>
            history.sentSince(k, fingerprint(ctx), ctx.now - o.identicalWithinMs),
          ).then((found) => found.includes(true)),
      marketing ? since(ctx.now - DAY).then(sum) : 0,
      marketing ? since(ctx.now - 7 * DAY).then(sum) : 0,
      marketing && holds
        ? acrossPerson(ctx, (k) => holds.window(marketingHoldKey(k), 1, DAY, ctx.now, false)).then((ds) =>
            Math.max(0, ...ds.filter((d) => !d.ok).map((d) => d.retryAfterMs)),
          )
        : 0,
    ]);
    if (held > 0) {
      return new FrequencyLimitError({
        rule: "frequency",
        recipient: ctx.message.to,
        retryAfterMs: held,
        reason: `Meta did not deliver a marketing message to this user (131049, its per-user marketing limit) in the last 24 hours; sending again sooner can block further attempts — try again in ${Math.ceil(held / 60_000)} min`,
      });
    }
    if (identical) {
      return refuse("the same message already went to this user recently; sending it again looks like spam");
    }
    if (day >= o.marketingPerDay) {
      return refuse(`this user already got ${o.marketingPerDay} marketing message(s) in the last 24 hours`);
    }
    if (week >= o.marketingPerWeek) {
      return refuse(`this user already got ${o.marketingPerWeek} marketing messages in the last 7 days`);
    }
    return undefined;
  };
  return {
    name: "frequency",
    // A reply is not capped: answered at once, nothing read, no promise.
    check: (ctx) => (ctx.businessInitiated ? decide(ctx) : undefined),
  };
}

export function messagingLimitGuard(
  history: SendHistoryStore,
  windows: SessionWindowStore,
  limit: () => Promise<number>,
): Guard {
  const decide = async (ctx: PolicyContext) => {
    const [last, reaches] = await Promise.all([
      acrossPerson(ctx, (k) => windows.lastInbound(k)).then(latest),
      acrossPerson(ctx, (k) => history.reach(k, ctx.now)),
    ]);
    if (windowOpen(last, ctx.now)) return undefined; // inside a window: not counted
    // Reached already under another identifier: the same person, not one more.
    if (reaches.some((r) => r.includes)) return undefined;
    const reach = reaches[0] as { unique: number; includes: boolean };
    const max = await limit();
    if (reach.unique < max) return undefined;
    return new MessagingLimitError({
      rule: "messaging-limit",
      recipient: ctx.message.to,
      reason: `${reach.unique} unique users were reached with business-initiated messages in the last 24 hours; the messaging limit is ${max}`,
    });
  };
  return {
    name: "messaging-limit",
    // A reply does not count toward the limit: answered at once, nothing read, no promise.
    check: (ctx) => (ctx.businessInitiated ? decide(ctx) : undefined),
  };
}
