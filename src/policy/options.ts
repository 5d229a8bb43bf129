/**
 * The policy's options, one group per guard: each group's type, its defaults and its validation,
 * side by side and tied together at compile time — a field added to a group's type without a
 * default (where the group has defaults) or without a schema entry fails `tsc`.
 */
import * as z from "zod/mini";
import { GUARD_NAMES, type GuardName } from "../errors/policy.js";
import type { Assert, Same } from "../internal/type-equal.js";
import { hasMethods, lazy } from "../internal/validate.js";
import type { ConsentOptions } from "./consent.js";
import type { ContentPolicyOptions } from "./content.js";
import type { ThrottleOptions } from "./guards.js";
import type { FrequencyOptions, MessagingLimitOptions } from "./limits.js";
import type { TemplateRuleOptions } from "./marketing-rules.js";
import type { TemplateCacheOptions } from "./template-cache.js";
import type { Guard } from "./types.js";
import type { WarmUpOptions } from "./warm-up.js";

/** Policy configuration. Every guard is on by default with conservative settings. */
export interface PolicyOptions {
  /** Turn guards off by name. @example ["content"] */
  disable?: GuardName[];
  /** Guards of your own; they run after the built-in pure guards and before capacity guards. */
  guards?: Guard[];
  /**
   * Longest real time the checks of one send may take, waits for throughput and pair-rate
   * capacity included. Past it the send fails with `StoreUnavailableError` (nothing is sent, nothing stays
   * taken), so a store call or a custom guard that never settles cannot hold a send forever.
   * A send's own `signal` ends it sooner.
   * @default 30000
   */
  timeoutMs?: number;
  /** The consent guard: opt-in keywords, opt-out keywords and buttons, what needs an opt-in (docs/consent.md). */
  consent?: ConsentOptions & {
    /**
     * Also require an opt-in (scope `utility`) for free-form replies inside an open window.
     * @default false
     */
    requireForReplies?: boolean;
  };
  /** The 24-hour customer service window guard for free-form messages. */
  sessionWindow?: {
    /**
     * Treat the 24-hour window as closing this much earlier, for clock drift and slow sends.
     * @default 60000
     */
    safetyMarginMs?: number;
  };
  /**
   * The template guard: refuses templates that are not approved, checks their parameters (needs
   * `wabaId`), and applies the marketing rules (a way to unsubscribe, no US numbers).
   */
  template?: TemplateCacheOptions & TemplateRuleOptions;
  /**
   * The warm-up guard, on when given: a new phone number's business-initiated sends ramp from
   * `since` (a cap per 24 hours and a least gap, growing with the number's age). See
   * docs/guards/warm-up.md.
   */
  warmUp?: WarmUpOptions;
  /** The frequency guard: at most so many marketing templates per user per period. */
  frequency?: FrequencyOptions;
  /** The messaging-limit guard: unique users reached outside a window per 24 hours (Meta's tier). */
  messagingLimit?: MessagingLimitOptions;
  /** The content guard: links (shorteners, plain http), sensitive data in text. */
  content?: ContentPolicyOptions;
  /** The throughput guard: messages per second for the phone number (Meta answers 130429 past it). */
  throughput?: ThrottleOptions & {
    /**
     * Messages per second for the phone number: 80 by default on Meta, 20 for coexistence
     * numbers, up to 1000 after an upgrade.
     * @default 80
     */
    perSecond?: number;
    /**
     * While the phone number's quality is YELLOW (read by `wa.account.health({ refresh: true })`),
     * marketing templates get only this share of `perSecond`, so a campaign that users are
     * reporting slows down before the quality drops to RED and marketing stops.
     * @default 0.25
     */
    marketingShareWhenSlowed?: number;
  };
  /** In `wait` mode a send waits up to `maxWaitMs` (default 7000: one interval) for the pair slot. */
  pairRate?: ThrottleOptions & {
    /**
     * Messages to one user in a burst (Meta allows 45 but they borrow future quota).
     * @default 10
     */
    burst?: number;
    /**
     * Then one message per this interval (Meta: about one per 6 s).
     * @default 6000
     */
    intervalMs?: number;
  };
}

/** A group of `PolicyOptions`, without the `undefined` of an absent group. */
type Group<G extends keyof PolicyOptions> = NonNullable<PolicyOptions[G]>;

/**
 * The defaults of every option that has one, by group (the `@default` of each field above). The
 * type makes a group's defaults complete: a new field of `throughput`, `pairRate`, `frequency`,
 * `messagingLimit`, `sessionWindow` or of the template rules needs its default here.
 */
export const POLICY_DEFAULTS: {
  readonly timeoutMs: number;
  readonly consent: Readonly<Required<Pick<Group<"consent">, "requireForReplies">>>;
  readonly sessionWindow: Readonly<Required<Group<"sessionWindow">>>;
  readonly template: Readonly<Required<TemplateRuleOptions>>;
  readonly frequency: Readonly<Required<FrequencyOptions>>;
  readonly messagingLimit: Readonly<Required<MessagingLimitOptions>>;
  readonly throughput: Readonly<Required<Group<"throughput">>>;
  readonly pairRate: Readonly<Required<Group<"pairRate">>>;
} = {
  timeoutMs: 30_000,
  consent: { requireForReplies: false },
  sessionWindow: { safetyMarginMs: 60_000 },
  template: { optOut: "refuse", usMarketing: "refuse" },
  frequency: { marketingPerDay: 1, marketingPerWeek: 3, identicalWithinMs: 24 * 60 * 60 * 1000 },
  messagingLimit: { tier: "auto" },
  throughput: { perSecond: 80, marketingShareWhenSlowed: 0.25, mode: "wait", maxWaitMs: 2000 },
  pairRate: { burst: 10, intervalMs: 6000, mode: "wait", maxWaitMs: 7000 },
};

type Defaulted = keyof typeof POLICY_DEFAULTS;

/** The policy options with every default filled in (an option given as `undefined` takes its default). */
export type ResolvedPolicyOptions = Omit<PolicyOptions, Defaulted> & {
  [G in Defaulted]: G extends "timeoutMs" ? number : Group<G> & (typeof POLICY_DEFAULTS)[G];
};

function withDefaults<D extends object>(defaults: D, given: object | undefined): D {
  const out: Record<string, unknown> = { ...given };
  for (const [key, value] of Object.entries(defaults))
    out[key] = (given as Record<string, unknown> | undefined)?.[key] ?? value;
  return out as D;
}

/** Fill in the defaults of validated policy options. */
export function resolvePolicyOptions(options: PolicyOptions): ResolvedPolicyOptions {
  const d = POLICY_DEFAULTS;
  return {
    ...options,
    timeoutMs: options.timeoutMs ?? d.timeoutMs,
    consent: withDefaults(d.consent, options.consent),
    sessionWindow: withDefaults(d.sessionWindow, options.sessionWindow),
    template: withDefaults(d.template, options.template),
    frequency: withDefaults(d.frequency, options.frequency),
    messagingLimit: withDefaults(d.messagingLimit, options.messagingLimit),
    throughput: withDefaults(d.throughput, options.throughput),
    pairRate: withDefaults(d.pairRate, options.pairRate),
  };
}

const throttle = {
  mode: lazy(() => z.optional(z.enum(["wait", "refuse"]))),
  maxWaitMs: lazy(() => z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(600_000)))),
};
export const policyOptionsSchema = lazy(() =>
  z.strictObject({
    disable: z.optional(z.array(z.enum(GUARD_NAMES))),
    guards: z.optional(z.array(hasMethods("a guard", ["check"]))),
    timeoutMs: z.optional(z.number().check(z.int(), z.minimum(100), z.maximum(600_000))),
    consent: z.optional(
      z.strictObject({
        requireForReplies: z.optional(z.boolean()),
        optOutKeywords: z.optional(z.array(z.string())),
        optInKeywords: z.optional(z.array(z.string())),
        unsubscribePayloads: z.optional(z.array(z.string())),
        unsubscribeButtonTexts: z.optional(z.array(z.string())),
      }),
    ),
    sessionWindow: z.optional(
      z.strictObject({
        safetyMarginMs: z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(3_600_000))),
      }),
    ),
    template: z.optional(
      z.strictObject({
        ttlMs: z.optional(z.number().check(z.int(), z.minimum(0))),
        missRefreshMs: z.optional(z.number().check(z.int(), z.minimum(0))),
        sharedCheckMs: z.optional(z.number().check(z.int(), z.minimum(0))),
        optOut: z.optional(z.enum(["refuse", "warn", "off"])),
        usMarketing: z.optional(z.enum(["refuse", "allow"])),
      }),
    ),
    content: z.optional(
      z.strictObject({
        blockShorteners: z.optional(z.boolean()),
        extraShorteners: z.optional(z.array(z.string())),
        allowDomains: z.optional(z.array(z.string())),
        detectCardNumbers: z.optional(z.boolean()),
        detectIbans: z.optional(z.boolean()),
        sensitivePatterns: z.optional(z.array(z.instanceof(RegExp))),
      }),
    ),
    frequency: z.optional(
      z.strictObject({
        marketingPerDay: z.optional(z.number().check(z.int(), z.minimum(0))),
        marketingPerWeek: z.optional(z.number().check(z.int(), z.minimum(0))),
        identicalWithinMs: z.optional(z.number().check(z.int(), z.minimum(0))),
      }),
    ),
    messagingLimit: z.optional(
      z.strictObject({
        tier: z.optional(
          z.union([z.literal("auto"), z.literal("unlimited"), z.number().check(z.int(), z.minimum(1))]),
        ),
      }),
    ),
    throughput: z.optional(
      z.strictObject({
        perSecond: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(1000))),
        marketingShareWhenSlowed: z.optional(z.number().check(z.positive(), z.maximum(1))),
        ...throttle,
      }),
    ),
    warmUp: z.optional(
      z.strictObject({
        since: z.union([z.date(), z.number(), z.literal("first-send")]),
        schedule: z.optional(
          z.array(z.strictObject({ fromHours: z.number(), perDay: z.number(), gapMs: z.number() })),
        ),
      }),
    ),
    pairRate: z.optional(
      z.strictObject({
        burst: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(45))),
        intervalMs: z.optional(z.number().check(z.int(), z.minimum(1000))),
        ...throttle,
      }),
    ),
  }),
);

/** What the schema accepts, as a type (custom guards and dates are checked by hand). */
type Validated = z.infer<typeof policyOptionsSchema>;
type KeysOf<T> = T extends readonly unknown[] ? never : T extends object ? keyof T : never;
/** Every group of the type is validated, and every validated group is in the type — field by field. */
type GroupsMatch = {
  [G in keyof PolicyOptions]-?: G extends keyof Validated
    ? Same<KeysOf<NonNullable<PolicyOptions[G]>>, KeysOf<NonNullable<Validated[G]>>>
    : false;
};
export type _PolicyGroupsTied = Assert<Same<keyof PolicyOptions, keyof Validated>> &
  Assert<GroupsMatch[keyof PolicyOptions]>;
/** `policy.disable` takes exactly the built-in guard names. */
export type _DisableTied = Assert<Same<NonNullable<Validated["disable"]>[number], GuardName>>;
