import { buildMessageBody } from "../api/build-message.js";
import {
  ConsentRequiredError,
  ContentPolicyError,
  InvalidRecipientError,
  PairRateLimitError,
  type PolicyViolationError,
  RecipientBlockedError,
  SessionWindowClosedError,
  TemplateNotSendableError,
  ThroughputLimitError,
  WarmUpLimitError,
} from "../errors/policy.js";
import { maskPhone } from "../internal/redact.js";
import { checkTemplateParameters } from "../internal/template-params.js";
import type { AccountHealthStore } from "../state/account-health.js";
import type { BlockMirror } from "../state/block-mirror.js";
import type { Clock } from "../state/clock.js";
import {
  type ConsentScope,
  type ConsentStore,
  consentStatus,
  isMetaStop,
  mergeHistories,
} from "../state/consent.js";
import type { RateDecision, RateLimitStore } from "../state/rate-limits.js";
import { latest, type SessionWindowStore, windowOpen } from "../state/session-windows.js";
import { type ContentPolicyOptions, contentChecker, messageTexts } from "./content.js";
import { isMarketingContext } from "./limits.js";
import { isUsNumber, type OptOutVocabulary, optOutOffer } from "./marketing-rules.js";
import { numberProblem } from "./numbering.js";
import { acrossPerson, oneKey, personKeys } from "./person.js";
import type { Guard, PolicyContext } from "./types.js";
import type { WarmUpState } from "./warm-up.js";

export interface ThrottleOptions {
  /**
   * `wait`: hold the send until capacity frees up, if that takes at most `maxWaitMs`
   * (long-lived services). `refuse`: throw at once with `retryAfterMs` (serverless, batch jobs
   * with their own scheduling).
   * @default "wait"
   */
  mode?: "wait" | "refuse";
  /**
   * Longest wait in `wait` mode; beyond it the send is refused.
   * @default 2000 for throughput, 7000 (one interval) for the pair rate
   */
  maxWaitMs?: number;
}

export interface GuardConfig {
  consent: { requireForReplies: boolean };
  /** `policy.warmUp` and its state; undefined when not asked for. */
  warmUp?: WarmUpState;
  template: {
    optOut: "refuse" | "warn" | "off";
    usMarketing: "refuse" | "allow";
    vocabulary: OptOutVocabulary;
    warn: (message: string) => void;
  };
  sessionWindow: { safetyMarginMs: number };
  content: ContentPolicyOptions;
  throughput: Required<ThrottleOptions> & { perSecond: number; marketingShareWhenSlowed: number };
  pairRate: Required<ThrottleOptions> & { burst: number; intervalMs: number };
}

export interface GuardDeps {
  clock: Clock;
  consent: ConsentStore;
  windows: SessionWindowStore;
  blocks: BlockMirror;
  rates: RateLimitStore;
  /** The number's restrictions and its WABA's. */
  health: Pick<AccountHealthStore, "active">;
  phoneNumberId: () => string;
  /** What to suggest when a template is not in the list (see `TemplateCache.hint`). */
  templateHint?: (name: string, language: string) => string;
  onWait: (rule: string, waitMs: number, recipient: string) => void;
}

const to = (ctx: PolicyContext) => ctx.message.to;

const NOT_A_RECIPIENT =
  "not a phone number in international format (8–15 digits, country code first) or a business-scoped user id";
const refuseRecipient = (ctx: PolicyContext, reason: string) =>
  new InvalidRecipientError({ rule: "recipient", recipient: to(ctx), reason });
const impossible = (ctx: PolicyContext, key: string, problem: string | undefined) =>
  problem === undefined
    ? undefined
    : refuseRecipient(ctx, `the number ${maskPhone(key)} is ${problem} (checked with libphonenumber-js)`);

function recipientGuard(): Guard {
  return {
    name: "recipient",
    check: (ctx) => {
      const r = ctx.recipient;
      if (!r) return refuseRecipient(ctx, NOT_A_RECIPIENT);
      if (r.kind !== "phone") return undefined;
      const problem = numberProblem(r.key);
      if (problem === undefined) return undefined; // the common case: known and possible
      return typeof problem === "string"
        ? impossible(ctx, r.key, problem)
        : problem.then((p) => impossible(ctx, r.key, p));
    },
  };
}

function blocklistGuard(deps: GuardDeps): Guard {
  const refuse = (ctx: PolicyContext) =>
    new RecipientBlockedError({
      rule: "blocklist",
      recipient: to(ctx),
      reason: "the business has blocked this user; unblock them before messaging (Meta would answer 130403)",
    });
  return {
    name: "blocklist",
    async check(ctx) {
      // One identifier, known already (the common case): one read, no array of answers.
      if (oneKey(ctx)) return (await deps.blocks.has(ctx.key)) ? refuse(ctx) : undefined;
      // Blocked under any of the person's identifiers is blocked.
      const blocked = await acrossPerson(ctx, (k) => deps.blocks.has(k));
      return blocked.includes(true) ? refuse(ctx) : undefined;
    },
  };
}

/** The consent scope a message needs, or undefined when none is needed. */
export function requiredScope(ctx: PolicyContext, requireForReplies: boolean): ConsentScope | undefined {
  if (ctx.businessInitiated) {
    const category = ctx.template?.category?.toLowerCase();
    return category === "utility" || category === "authentication" ? category : "marketing";
  }
  return requireForReplies ? "utility" : undefined;
}

function consentGuard(deps: GuardDeps, config: GuardConfig["consent"]): Guard {
  const decide = async (ctx: PolicyContext, scope: ConsentScope) => {
    const ledgers = await acrossPerson(ctx, (k) => deps.consent.history(k));
    const status = consentStatus(mergeHistories(ledgers), scope, ctx.now);
    if (status.granted) return undefined;
    const by = status.decidedBy;
    const reason =
      by && isMetaStop(by)
        ? `the user stopped ${scope} messages in WhatsApp (${by.source}); only the user can resume them (a resume in WhatsApp, or START)`
        : by
          ? `the user withdrew consent for ${scope} messages (${by.source}); a new opt-in can be recorded with wa.consent.grant()`
          : `no recorded opt-in for ${scope} messages; record one with wa.consent.grant()`;
    return new ConsentRequiredError({
      rule: "consent",
      recipient: to(ctx),
      reason,
      optedOut: status.decidedBy !== undefined,
    });
  };
  return {
    name: "consent",
    check(ctx) {
      // No consent needed (a reply, by default): answered at once, nothing read, no promise.
      const scope = requiredScope(ctx, config.requireForReplies);
      return scope === undefined ? undefined : decide(ctx, scope);
    },
  };
}

function sessionWindowGuard(deps: GuardDeps, config: GuardConfig["sessionWindow"]): Guard {
  const decide = async (ctx: PolicyContext) => {
    // One identifier, known already (the common case): one read, no array of answers.
    const last = oneKey(ctx)
      ? await deps.windows.lastInbound(ctx.key)
      : latest(await acrossPerson(ctx, (k) => deps.windows.lastInbound(k)));
    if (windowOpen(last, ctx.now, config.safetyMarginMs)) return undefined;
    return new SessionWindowClosedError({
      rule: "session-window",
      recipient: to(ctx),
      reason:
        last === undefined
          ? "the user has not written to the business; free-form messages need an open 24-hour window — send an approved template"
          : "more than 24 hours since the user last wrote; send an approved template instead (Meta would answer 131047)",
    });
  };
  return {
    name: "session-window",
    // A template needs no window: answered at once, nothing read, no promise.
    check: (ctx) => (ctx.businessInitiated ? undefined : decide(ctx)),
  };
}

function templateGuard(deps: GuardDeps, config: GuardConfig["template"]): Guard {
  const warned = new Set<string>();
  return {
    name: "template",
    check(ctx) {
      const m = ctx.message;
      if (m.type !== "template") return undefined;
      const refuse = (reason: string) =>
        new TemplateNotSendableError({ rule: "template", recipient: m.to, reason });
      const t = ctx.template;
      if (!t)
        return refuse(
          `no template "${m.name}" in language ${m.language} (Meta would answer 132001)${deps.templateHint?.(m.name, m.language) ?? ""}`,
        );
      if (t.status === "PAUSED")
        return refuse(`template "${m.name}" is paused for low quality (Meta would answer 132015)`);
      if (t.status === "DISABLED")
        return refuse(`template "${m.name}" is disabled (Meta would answer 132016)`);
      if (t.status !== "APPROVED")
        return refuse(`template "${m.name}" is ${t.status}, not APPROVED (Meta would answer 132001)`);
      // One-tap, zero-tap and copy-code authentication templates need a phone number.
      if (ctx.recipient?.kind === "bsuid" && t.category?.toUpperCase() === "AUTHENTICATION")
        return refuse(
          `authentication template "${m.name}" needs a phone number, not a business-scoped user id (Meta would answer 131062)`,
        );
      const template = (buildMessageBody(m, "") as { template: { components?: [] } }).template;
      const mismatch = checkTemplateParameters(t, template.components ?? []);
      if (mismatch) return refuse(`${mismatch.details} (Meta would answer ${mismatch.code})`);
      if (t.category?.toUpperCase() !== "MARKETING") return undefined;
      if (config.optOut !== "off" && optOutOffer(t, m, config.vocabulary) === undefined) {
        const why = `marketing template "${m.name}" offers no way to unsubscribe that wa-guard understands: add a quick-reply button "Stop promotions" (or one whose text is an opt-out keyword, or give it a payload listed in consent.unsubscribePayloads), or a footer such as "Reply STOP to opt out"`;
        if (config.optOut === "refuse") return refuse(why);
        const seen = `${m.name}\u0000${m.language}`;
        if (!warned.has(seen)) {
          warned.add(seen);
          config.warn(`wa-guard: ${why} (sent anyway: template.optOut is "warn")`);
        }
      }
      if (config.usMarketing === "allow" || !ctx.recipient) return undefined;
      // A BSUID starts with the user's country (`US.…`); a phone number is placed by its area code.
      const us =
        ctx.recipient.kind === "bsuid" ? ctx.recipient.key.startsWith("US.") : isUsNumber(ctx.recipient.key);
      const judge = (isUs: boolean) =>
        isUs
          ? refuse(
              `marketing templates to US numbers are not delivered by Meta (it answers 131049); set policy.template.usMarketing to "allow" if that changes`,
            )
          : undefined;
      return typeof us === "boolean" ? judge(us) : us.then(judge);
    },
  };
}

function contentGuard(config: ContentPolicyOptions): Guard {
  const problemOf = contentChecker(config);
  return {
    name: "content",
    check(ctx) {
      const problem = problemOf(messageTexts(ctx.message));
      return problem
        ? new ContentPolicyError({ rule: "content", recipient: to(ctx), reason: problem })
        : undefined;
    },
  };
}

/** A capacity guard: decide, wait within bounds in `wait` mode, consume, and register the undo. */
function capacityGuard(
  name: "throughput" | "pair-rate" | "warm-up",
  deps: GuardDeps,
  throttle: Required<ThrottleOptions>,
  /** `now` labels the unit taken: the undo gives back exactly that unit. */
  decide: (ctx: PolicyContext, consume: boolean, now: number) => Promise<RateDecision>,
  undoOne: (ctx: PolicyContext, at: number) => Promise<void>,
  refuse: (ctx: PolicyContext, retryAfterMs: number) => PolicyViolationError,
): Guard {
  return {
    name,
    consumes: true,
    async check(ctx, take, undo) {
      let waited = 0;
      for (;;) {
        const at = deps.clock.now();
        const decision = await decide(ctx, take, at);
        if (decision.ok) {
          if (take) undo.push(() => undoOne(ctx, at));
          return undefined;
        }
        const canWait = throttle.mode === "wait" && waited + decision.retryAfterMs <= throttle.maxWaitMs;
        if (!take) return canWait ? undefined : refuse(ctx, decision.retryAfterMs);
        if (!canWait) return refuse(ctx, decision.retryAfterMs);
        deps.onWait(name, decision.retryAfterMs, to(ctx));
        await deps.clock.sleep(decision.retryAfterMs, ctx.signal); // the send gave up: stop waiting
        waited += decision.retryAfterMs;
      }
    },
    async attempt(ctx, undo) {
      const at = deps.clock.now();
      if (!(await decide(ctx, true, at)).ok) return false;
      undo.push(() => undoOne(ctx, at));
      return true;
    },
  };
}

/**
 * New-number warm-up (`policy.warmUp`): business-initiated sends within the step's cap per rolling
 * 24 hours and its least gap between sends. A send that the gap holds back waits like a throughput
 * wait; one over the day's cap is refused with the time until a slot frees.
 */
function warmUpGuard(deps: GuardDeps, state: WarmUpState, throttle: Required<ThrottleOptions>): Guard {
  const DAY = 24 * 60 * 60 * 1000;
  /** What each send took (to refund exactly that). */
  const took = new WeakMap<PolicyContext, { day: boolean; gap: boolean; first: boolean }>();
  return capacityGuard(
    "warm-up",
    deps,
    throttle,
    async (ctx, consume, now) => {
      took.delete(ctx);
      const step = ctx.businessInitiated ? await state.step(now) : undefined;
      if (!step) return { ok: true, retryAfterMs: 0 };
      const day = Number.isFinite(step.perDay);
      const gap = step.gapMs > 0;
      if (day) {
        const d = await deps.rates.window(state.dayKey(), step.perDay, DAY, now, consume);
        if (!d.ok) return d;
      }
      if (gap) {
        const g = await deps.rates.window(state.gapKey(), 1, step.gapMs, now, consume);
        if (!g.ok) {
          if (day && consume) await deps.rates.refundWindow(state.dayKey(), now);
          return g;
        }
      }
      if (consume) {
        let first: boolean;
        try {
          first = await state.markFirst(now);
        } catch (error) {
          // No undo is registered for a decision that throws: give back what this one took.
          if (day) await deps.rates.refundWindow(state.dayKey(), now).catch(() => undefined);
          if (gap) await deps.rates.refundWindow(state.gapKey(), now).catch(() => undefined);
          throw error;
        }
        took.set(ctx, { day, gap, first });
      }
      return { ok: true, retryAfterMs: 0 };
    },
    async (ctx, at) => {
      const t = took.get(ctx);
      if (t?.day) await deps.rates.refundWindow(state.dayKey(), at);
      if (t?.gap) await deps.rates.refundWindow(state.gapKey(), at);
      if (t?.first) await state.unmarkFirst(at);
    },
    (ctx, retryAfterMs) => {
      const step = state.stepKnown(deps.clock.now());
      return new WarmUpLimitError({
        rule: "warm-up",
        recipient: to(ctx),
        retryAfterMs,
        reason: `the phone number is warming up (${step ? `${Number.isFinite(step.perDay) ? `${step.perDay} business-initiated messages a day` : "no daily cap"}, at least ${step.gapMs / 1000} s apart` : "schedule"}); try again in ${Math.ceil(retryAfterMs / 1000)} s`,
      });
    },
  );
}

function throughputGuard(deps: GuardDeps, c: GuardConfig["throughput"]): Guard {
  const key = perNumber(deps, (id) => `throughput:${id}`);
  const slowKey = perNumber(deps, (id) => `throughput:marketing:${id}`);
  const slowLimit = Math.max(1, Math.floor(c.perSecond * c.marketingShareWhenSlowed));
  /** Sends that took a slot of the slowed marketing window too (to refund both). */
  const slowed = new WeakSet<PolicyContext>();
  const isSlowed = async (now: number) =>
    (await deps.health.active(now)).some((r) => r.scope === "marketing_slow");
  const decideMarketing = async (
    ctx: PolicyContext,
    consume: boolean,
    now: number,
  ): Promise<RateDecision> => {
    if (await isSlowed(now)) {
      slowed.add(ctx);
      const marketing = await deps.rates.window(slowKey(), slowLimit, 1000, now, consume);
      if (!marketing.ok) return marketing;
      const all = await deps.rates.window(key(), c.perSecond, 1000, now, consume);
      if (!all.ok && consume) await deps.rates.refundWindow(slowKey(), now);
      return all;
    }
    slowed.delete(ctx);
    return deps.rates.window(key(), c.perSecond, 1000, now, consume);
  };
  return capacityGuard(
    "throughput",
    deps,
    c,
    // Called from an async function (a throw becomes its rejection). Only a marketing send reads
    // the health state (the slowed share is marketing's); any other hands back the store's answer.
    (ctx, consume, now) => {
      if (isMarketingContext(ctx)) return decideMarketing(ctx, consume, now);
      slowed.delete(ctx);
      return deps.rates.window(key(), c.perSecond, 1000, now, consume);
    },
    async (ctx, at) => {
      await deps.rates.refundWindow(key(), at);
      if (slowed.has(ctx)) await deps.rates.refundWindow(slowKey(), at);
    },
    (ctx, retryAfterMs) =>
      new ThroughputLimitError({
        rule: "throughput",
        recipient: to(ctx),
        retryAfterMs,
        reason: slowed.has(ctx)
          ? `marketing is slowed to ${slowLimit} messages/second while the phone number's quality is YELLOW`
          : `the phone number's ${c.perSecond} messages/second are used (Meta would answer 130429)`,
      }),
  );
}

/** A key built from the phone number id once, and again only if the id changes. */
function perNumber(deps: GuardDeps, build: (id: string) => string): () => string {
  let id: string | undefined;
  let key = "";
  return () => {
    const now = deps.phoneNumberId();
    if (now !== id) {
      id = now;
      key = build(now);
    }
    return key;
  };
}

function pairRateGuard(deps: GuardDeps, c: GuardConfig["pairRate"]): Guard {
  const prefix = perNumber(deps, (id) => `pair:${id}:`);
  // Joined, not concatenated: one flat string, which a memory store keeps as its key for each
  // recipient (a template literal leaves a tree of cons strings behind it, ~50 bytes more).
  const pair = (k: string) => [prefix(), k].join("");
  const keys = async (ctx: PolicyContext) => (await personKeys(ctx)).map(pair);
  // One person, one pace: a unit is taken under every identifier of theirs, so sends to their
  // phone number and to their BSUID share it. A refusal under one gives back what the others took.
  // Called from an async function (a throw becomes its rejection): the common case, one identifier
  // known already, hands back the store's answer with no promise of its own.
  const decide = (ctx: PolicyContext, consume: boolean, now: number): Promise<RateDecision> =>
    oneKey(ctx)
      ? deps.rates.bucket(pair(ctx.key), c.burst, c.intervalMs, now, consume)
      : decideAcross(ctx, consume, now);
  const decideAcross = async (ctx: PolicyContext, consume: boolean, now: number): Promise<RateDecision> => {
    const decisions = await acrossPerson(ctx, (k) =>
      deps.rates.bucket(pair(k), c.burst, c.intervalMs, now, consume),
    );
    if (decisions.length === 1) return decisions[0] as RateDecision;
    const all = await keys(ctx);
    if (decisions.every((d) => d.ok)) return decisions[0] as RateDecision;
    if (consume)
      await Promise.all(
        all.filter((_, i) => decisions[i]?.ok).map((k) => deps.rates.refundBucket(k, c.burst)),
      );
    const refused = decisions.filter((d) => !d.ok);
    return { ok: false, retryAfterMs: Math.max(...refused.map((d) => d.retryAfterMs)) };
  };
  return capacityGuard(
    "pair-rate",
    deps,
    c,
    decide,
    async (ctx) => {
      await Promise.all((await keys(ctx)).map((k) => deps.rates.refundBucket(k, c.burst)));
    },
    (ctx, retryAfterMs) =>
      new PairRateLimitError({
        rule: "pair-rate",
        recipient: to(ctx),
        retryAfterMs,
        reason: `too many messages to this user in a short time (burst ${c.burst}, then one per ${c.intervalMs / 1000} s; Meta would answer 131056)`,
      }),
  );
}

/** The built-in guards in their fixed order: pure checks first, capacity last. */
export function builtInGuards(deps: GuardDeps, config: GuardConfig): Guard[] {
  return [
    recipientGuard(),
    blocklistGuard(deps),
    consentGuard(deps, config.consent),
    sessionWindowGuard(deps, config.sessionWindow),
    templateGuard(deps, config.template),
    contentGuard(config.content),
    // Warm-up and pair rate first: they may wait longer, and a throughput slot taken before that
    // wait would be counted in the wrong second.
    ...(config.warmUp ? [warmUpGuard(deps, config.warmUp, config.throughput)] : []),
    pairRateGuard(deps, config.pairRate),
    throughputGuard(deps, config.throughput),
  ];
}
