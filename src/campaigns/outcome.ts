/**
 * What one campaign attempt comes to: a checkpoint entry found before sending, or the error a
 * send threw, turned into the recipient's result or the run's next step. Pure: the run does the
 * waiting, pausing, stopping and releasing these decide.
 */
import type { WhatsAppError } from "../errors/base.js";
import { isGraphApiError } from "../errors/graph.js";
import {
  AccountRestrictedPolicyError,
  ConsentRequiredError,
  isPolicyViolation,
  MessagingLimitError,
  PairRateLimitError,
  type PolicyViolationError,
  TemplateNotSendableError,
  ThroughputLimitError,
  WarmUpLimitError,
} from "../errors/policy.js";
import { isStoreUnavailableError } from "../errors/store.js";
import { isTransportError } from "../errors/transport.js";
import { describeError } from "../internal/logger.js";
import type { CheckpointEntry } from "../state/campaign-checkpoints.js";
import type { CampaignResult, CampaignStopCode, RefusalReason } from "./types.js";

/** A result without the recipient it belongs to (`index`, `to`): the run adds them. */
export type Outcome = CampaignResult extends infer R
  ? R extends CampaignResult
    ? Omit<R, "index" | "to">
    : never
  : never;

/** Why the run stops, and whether it stops before the recipient's claim is released. */
export interface RunStop {
  reason: string;
  code: CampaignStopCode;
  /** True: stop first, so no other send starts while the release is awaited. */
  beforeRelease: boolean;
}

/** What the run does after a send threw. */
export type FailureStep =
  /** Wait this long (less if the run stops), then send again: a pacing guard. */
  | { kind: "retry"; afterMs: number }
  /** Pause the whole run this long, then send again: a restriction that lifts soon. */
  | { kind: "pause"; ms: number; reason: string }
  /** The recipient's result; release its claim first when nothing was sent. */
  | { kind: "result"; outcome: Outcome; release: boolean; stop?: RunStop };

/** Meta's answer for a send held for the template's quality assessment (template pacing). */
export const HELD = "held_for_quality_assessment";

/** Graph codes that mean the template can no longer be sent: paused (132015) or disabled (132016). */
export const TEMPLATE_STOPS: Readonly<Record<number, CampaignStopCode>> = {
  132015: "template-paused",
  132016: "template-disabled",
};

/** The stop for a template status (a webhook's event, the template list's status), if it is one. */
export function templateStopCode(status: string | undefined): CampaignStopCode | undefined {
  return status === "PAUSED" ? "template-paused" : status === "DISABLED" ? "template-disabled" : undefined;
}

/** The refusal reason for a guard's error. */
export function refusalReason(error: PolicyViolationError): RefusalReason {
  if (error instanceof ConsentRequiredError) return error.optedOut ? "opted-out" : "no-consent";
  if (error.rule === "recipient") return "invalid-recipient";
  if (error.rule === "blocklist") return "blocked";
  return error.rule;
}

/**
 * A refusal that may mean the campaign's template is paused or disabled (the template guard, or
 * Meta's 132015/132016): the run looks at the template before classifying it.
 */
export function mayBeTemplateStop(error: unknown): boolean {
  return (
    error instanceof TemplateNotSendableError || (isGraphApiError(error) && !!TEMPLATE_STOPS[error.graphCode])
  );
}

/**
 * What a checkpoint entry of this campaign means for a recipient about to be sent to: sent
 * already (by this run: a duplicate in the source; by an earlier one), claimed by an earlier run
 * that never recorded the outcome (unknown), or attempted by this run. Undefined: another run
 * released it, so it may be sent again.
 */
export function checkpointOutcome(entry: CheckpointEntry, runId: string): Outcome | undefined {
  const mine = entry.run === runId;
  if (entry.state === "sent") {
    const reason = mine ? "duplicate" : "already-sent";
    // An empty messageId: settled as sent by hand, the id is unknown.
    return entry.messageId === ""
      ? { status: "skipped", reason }
      : { status: "skipped", reason, messageId: entry.messageId };
  }
  if (entry.state === "pending") {
    return mine
      ? { status: "skipped", reason: "duplicate" }
      : { status: "unknown", correlationId: entry.correlationId, earlierRun: true };
  }
  return mine ? { status: "skipped", reason: "duplicate" } : undefined;
}

/** A state store failed: the recipient is deferred and the run stops (a re-run resumes it). */
export function storeUnavailable(error: unknown): { outcome: Outcome; stop: RunStop } {
  return {
    outcome: { status: "deferred", reason: "store-unavailable", error: error as WhatsAppError },
    stop: {
      reason: `a state store is unavailable: ${describeError(error)}`,
      code: "store-unavailable",
      beforeRelease: false,
    },
  };
}

/**
 * What to do after a send threw `error`. `templateStop` is set when the run found the error
 * means its template can no longer be sent (see `mayBeTemplateStop`).
 */
export function failureStep(
  error: unknown,
  context: { maxPauseMs: number; correlationId: string; templateStop?: RunStop | undefined },
): FailureStep {
  const done = (outcome: Outcome, stop?: RunStop): FailureStep =>
    stop ? { kind: "result", outcome, release: true, stop } : { kind: "result", outcome, release: true };
  if (error instanceof ThroughputLimitError || error instanceof PairRateLimitError) {
    return { kind: "retry", afterMs: Math.max(1, error.retryAfterMs ?? 100) };
  }
  // The number is warming up: wait out a gap; a day's cap defers the rest to a later run.
  if (error instanceof WarmUpLimitError) {
    if (error.retryAfterMs !== undefined && error.retryAfterMs <= context.maxPauseMs) {
      return { kind: "retry", afterMs: Math.max(1, error.retryAfterMs) };
    }
    return done({
      status: "deferred",
      reason: "warm-up",
      error,
      ...(error.retryAfterMs !== undefined && { retryAfterMs: error.retryAfterMs }),
    });
  }
  if (error instanceof AccountRestrictedPolicyError) {
    if (error.retryAfterMs !== undefined && error.retryAfterMs <= context.maxPauseMs) {
      return { kind: "pause", ms: error.retryAfterMs, reason: error.reason };
    }
    return done(
      {
        status: "deferred",
        reason: "account-restricted",
        error,
        ...(error.retryAfterMs !== undefined && { retryAfterMs: error.retryAfterMs }),
      },
      {
        reason: `the account is restricted: ${error.reason}`,
        code: "account-restricted",
        beforeRelease: true,
      },
    );
  }
  if (error instanceof MessagingLimitError)
    return done({ status: "deferred", reason: "messaging-limit", error });
  if (context.templateStop) {
    return done(
      { status: "deferred", reason: "template-paused", error: error as WhatsAppError },
      context.templateStop,
    );
  }
  if (isPolicyViolation(error)) return done({ status: "refused", reason: refusalReason(error), error });
  if (isGraphApiError(error)) return done({ status: "failed", code: error.graphCode, error });
  if (isTransportError(error)) {
    if (error.outcome === "not_sent") return done({ status: "failed", code: error.code, error });
    // The request may have reached Meta: the claim stays, a later run never re-sends it.
    return {
      kind: "result",
      outcome: { status: "unknown", correlationId: context.correlationId, earlierRun: false, error },
      release: false,
    };
  }
  if (isStoreUnavailableError(error)) {
    const { outcome, stop } = storeUnavailable(error);
    return done(outcome, stop);
  }
  // Anything else (a custom guard that threw): this recipient fails, the run goes on.
  return done({
    status: "failed",
    code: (error as { code?: unknown })?.code?.toString() ?? "error",
    error: error as WhatsAppError,
  });
}
