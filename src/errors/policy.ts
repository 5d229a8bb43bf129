import { maskPhone } from "../internal/redact.js";
import { isFamily, WhatsAppError } from "./base.js";

/**
 * Names of the built-in guards, in pipeline order (`wa.policy.describe()` lists them so; warm-up
 * runs only when `policy.warmUp` is given). The one list: `GuardName`, the `policy.disable`
 * validation and the docs' table follow it.
 */
export const GUARD_NAMES = [
  "recipient",
  "account-health",
  "blocklist",
  "consent",
  "session-window",
  "template",
  "content",
  "frequency",
  "messaging-limit",
  "warm-up",
  "pair-rate",
  "throughput",
] as const;

/** Names of the built-in guards, in pipeline order. */
export type GuardName = (typeof GUARD_NAMES)[number];

export interface PolicyViolationInit {
  /** The guard that refused. */
  rule: GuardName | (string & {});
  /** What the caller should know, in plain words. */
  reason: string;
  /** The recipient as given (kept on the error; masked in its message and toJSON). */
  recipient?: string;
  /** Waiting this long would let the same call through. */
  retryAfterMs?: number;
}

/**
 * A call was refused locally because Meta would punish it. Nothing was sent; these are never
 * retried automatically. Switch on `code` or `rule`.
 */
/** The `code` of a policy refusal: one per guard, `policy_violation` for a guard of your own. */
export type PolicyErrorCode =
  | "policy_violation"
  | "policy_invalid_recipient"
  | "policy_recipient_blocked"
  | "policy_consent_required"
  | "policy_session_window_closed"
  | "policy_template"
  | "policy_content"
  | "policy_throughput"
  | "policy_pair_rate"
  | "policy_account_restricted"
  | "policy_frequency"
  | "policy_messaging_limit"
  | "policy_warm_up";

// Laid out like GraphApiError on purpose: each error family has its code union, family and fields.
export class PolicyViolationError extends WhatsAppError {
  /** One literal per subclass (`policy_consent_required`, …); see {@link PolicyErrorCode}. */
  readonly code: PolicyErrorCode = "policy_violation";
  readonly family = "policy" as const;
  readonly rule: string;
  readonly reason: string;
  /** The recipient as given, for your code to act on; not enumerable, so printing shows it masked. */
  declare readonly recipient?: string;
  readonly retryAfterMs?: number;
  /**
   * Every guard that refused this send, most specific first; this error is the first. When the
   * template is misspelt and consent is missing too, `error` is the template refusal and
   * `error.violations[1]` the consent one. Not enumerable (not in `toJSON()`).
   */
  declare readonly violations: readonly PolicyViolationError[];

  constructor(init: PolicyViolationInit) {
    const who = init.recipient === undefined ? "" : ` (recipient ${maskPhone(init.recipient)})`;
    super(`Refused by the ${init.rule} policy${who}: ${init.reason}`);
    this.rule = init.rule;
    this.reason = init.reason;
    if (init.recipient !== undefined)
      Object.defineProperty(this, "recipient", { value: init.recipient, enumerable: false });
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    Object.defineProperty(this, "violations", { value: [this], enumerable: false, configurable: true });
  }

  override toJSON(): Record<string, unknown> {
    const json = super.toJSON();
    if (this.recipient !== undefined) json["recipient"] = maskPhone(this.recipient);
    return json;
  }
}

/** The recipient is not a number or id WhatsApp can deliver to. */
export class InvalidRecipientError extends PolicyViolationError {
  override readonly code = "policy_invalid_recipient";
}
/** The business blocked this user (Meta would answer 130403). */
export class RecipientBlockedError extends PolicyViolationError {
  override readonly code = "policy_recipient_blocked";
}
/** No opt-in for this category, or the user opted out. */
export class ConsentRequiredError extends PolicyViolationError {
  override readonly code = "policy_consent_required";
  /** True when the user withdrew consent (opted out); false when none was ever recorded. */
  readonly optedOut: boolean;

  constructor(init: PolicyViolationInit & { optedOut?: boolean }) {
    super(init);
    this.optedOut = init.optedOut ?? false;
  }
}
/** Free-form message outside the 24-hour customer service window (Meta: 131047). */
export class SessionWindowClosedError extends PolicyViolationError {
  override readonly code = "policy_session_window_closed";
}
/** Template unknown, not approved, or its parameters do not fit (Meta: 132000/132001/132012/132015/132016). */
export class TemplateNotSendableError extends PolicyViolationError {
  override readonly code = "policy_template";
}
/** Link or sensitive-data policy (URL shorteners, card numbers, IBANs, …). */
export class ContentPolicyError extends PolicyViolationError {
  override readonly code = "policy_content";
}
/** Sending now would exceed the phone number's throughput (Meta: 130429). */
export class ThroughputLimitError extends PolicyViolationError {
  override readonly code = "policy_throughput";
}
/** A new phone number's warm-up schedule holds this business-initiated send back (`policy.warmUp`). */
export class WarmUpLimitError extends PolicyViolationError {
  override readonly code = "policy_warm_up";
}
/** Sending now would exceed the pair rate to this recipient (Meta: 131056). */
export class PairRateLimitError extends PolicyViolationError {
  override readonly code = "policy_pair_rate";
}

/** The account is restricted for this kind of message (Meta: 368, 131031, 131048, account_update). */
export class AccountRestrictedPolicyError extends PolicyViolationError {
  override readonly code = "policy_account_restricted";
}
/** Too many marketing messages, or the same content again, to one user (Meta: 131049, user reports). */
export class FrequencyLimitError extends PolicyViolationError {
  override readonly code = "policy_frequency";
}
/** The portfolio's unique-recipient messaging limit for 24 hours is reached. */
export class MessagingLimitError extends PolicyViolationError {
  override readonly code = "policy_messaging_limit";
}

/**
 * @internal The first of `violations` (most specific first), carrying them all in `violations`;
 * its message names the other guards that refused.
 */
export function withOthers(violations: readonly PolicyViolationError[]): PolicyViolationError | undefined {
  const [first, ...others] = violations;
  if (!first || others.length === 0) return first;
  Object.defineProperty(first, "violations", {
    value: [...violations],
    enumerable: false,
    configurable: true,
  });
  const before = first.message;
  // Read first: V8 formats `stack` on first access, with the message of that moment.
  const stack = first.stack;
  const also = [...new Set(others.map((v) => v.rule))].join(", ");
  const message = `${before} (also refused by: ${also}; see error.violations)`;
  first.message = message;
  if (typeof stack === "string") first.stack = stack.replace(before, () => message);
  return first;
}

export function isPolicyViolation(value: unknown): value is PolicyViolationError {
  return isFamily(value, "policy");
}
