import type { TemplateMessage } from "../api/schemas/outbound.js";
import type { WhatsAppError } from "../errors/base.js";
import type { PolicyViolationError } from "../errors/policy.js";
import type { ValidationError } from "../errors/validation.js";
import type { CampaignSignalReport, EarlyWarningOptions } from "./early-warning.js";

/** The parts of a template message that can differ per recipient. */
export type TemplateParams = Pick<TemplateMessage, "header" | "body" | "buttons">;

/** The template a campaign sends: name, language and (optionally) the parameters for everyone. */
export type CampaignTemplate = Pick<TemplateMessage, "name" | "language"> & TemplateParams;

/** A recipient: the number (or BSUID), or the number with its own template parameters. */
export type CampaignRecipient = string | { to: string; params?: TemplateParams };

export interface CampaignInput {
  /** The approved template to send. Its `header`/`body`/`buttons` apply to every recipient. */
  template: CampaignTemplate;
  /**
   * Who to send it to: an array, or any (async) iterable — a database cursor, a file read line by
   * line — which is read as sending progresses, never all at once.
   */
  recipients: Iterable<CampaignRecipient> | AsyncIterable<CampaignRecipient>;
  /**
   * Parameters per recipient, merged over the template's (and under a recipient's own `params`).
   * @example (r) => ({ body: { first_name: names.get(r) } })
   */
  params?: (to: string, index: number) => TemplateParams | Promise<TemplateParams>;
}

export interface CampaignRunOptions extends CampaignInput {
  /**
   * The campaign's id. Running the same id again skips every recipient it already sent (or may
   * have sent): that is how a crashed or aborted campaign is resumed.
   */
  id: string;
  /** Stop cleanly: no new send starts; sends in flight finish and are reported. */
  signal?: AbortSignal;
  /**
   * Sends in flight at once. The throughput and pair-rate guards pace them; this only bounds
   * how many wait. Raise it for numbers above 80 messages/second with a slow network.
   * @default 16
   */
  concurrency?: number;
  /**
   * At most one `progress` event per this many milliseconds (plus one when the run pauses and
   * one when it ends).
   * @default 1000
   */
  progressIntervalMs?: number;
  /**
   * A restriction that lifts within this long (a 130429 storm: 30 s) pauses the run; a longer
   * one (131048's spam limit: an hour; 368: a day; quality RED) stops it, and the recipients left
   * are reported as `deferred`, to be sent by running the campaign again later.
   * @default 60000
   */
  maxPauseMs?: number;
  /** How many recipients the source holds, when it is not an array: progress then has an ETA. */
  total?: number;
  /**
   * Once every recipient has a result, wait up to this long for Meta to decide about the
   * messages it holds for the template's quality assessment (`held`: template pacing) before
   * `report()` resolves. Meta aims to decide within an hour. Messages still held then stay `held`
   * in the report; their status webhooks still settle the checkpoint (a held message that fails
   * is sent again by a later run of the same id).
   * @default 0
   */
  waitForHeldMs?: number;
  /**
   * The campaign watches its own signals over its most recent sends — opt-outs from its
   * recipients, failed deliveries, (optionally) the share read — and stops itself with
   * `stopped.code: "early-warning"` when one crosses its threshold, before Meta's quality rating
   * moves. `report.signals` lists what it measured. `false` turns it off. Defaults and their
   * rationale: docs/campaigns.md, "Early warning".
   */
  earlyWarning?: EarlyWarningOptions | false;
}

/** Why a recipient was refused (a built-in guard, or the name of your own). */
export type RefusalReason =
  | "invalid-recipient"
  | "blocked"
  | "no-consent"
  | "opted-out"
  | "template"
  | "content"
  | "frequency"
  | "session-window"
  | (string & {});

/** Why a recipient was not attempted now; running the campaign again tries them. */
export type DeferralReason =
  | "messaging-limit"
  | "account-restricted"
  | "stopped"
  | "store-unavailable"
  /** The campaign's template was paused (Meta: 132015) or disabled (132016): the run stopped. */
  | "template-paused"
  /** A new number's warm-up (`policy.warmUp`) allows no more business-initiated sends today. */
  | "warm-up";

/**
 * Why a run stopped early. `template-paused` and `template-disabled`: Meta paused the template
 * (a `message_template_status_update` PAUSED, a 132015 answer or a held message failing with
 * 132015) or disabled it (DISABLED, 132016); the run stops at the first of these and resumes only
 * when you run the same id again after the template is unpaused (or with another template).
 */
export type CampaignStopCode =
  | "aborted"
  | "iterator-closed"
  | "source-failed"
  | "account-restricted"
  | "store-unavailable"
  | "template-paused"
  | "template-disabled"
  | "early-warning";

interface ResultBase {
  /** Position in the source, from 0. */
  index: number;
  /** The recipient as given. */
  to: string;
}

/** One result per recipient read from the source. */
export type CampaignResult =
  | (ResultBase & {
      status: "sent";
      messageId: string;
      correlationId: string;
      waId?: string;
    })
  | (ResultBase & {
      /**
       * Meta accepted the send but holds it for the template's quality assessment (template
       * pacing: `message_status: "held_for_quality_assessment"`): not sent to the user yet. Meta
       * then releases it (the run's `update` event gives it again as `sent`) or, when it pauses
       * the template, fails it with 132015 (`update` gives it as `failed`, and the run stops).
       * Never re-sent by a later run unless it failed.
       */
      status: "held";
      messageId: string;
      correlationId: string;
      waId?: string;
    })
  | (ResultBase & { status: "refused"; reason: RefusalReason; error: PolicyViolationError })
  | (ResultBase & {
      status: "failed";
      /** The Graph error code, or the error's `code` (`transport_failed`, …) when Meta did not answer. */
      code: number | string;
      error: WhatsAppError;
    })
  | (ResultBase & {
      /**
       * The send may have reached Meta (the connection broke after the request was written, or
       * an earlier run died between claiming and recording it). Never re-sent; the status webhook
       * carrying `correlationId` settles it (`wa.webhooks`): a later run then skips the person if
       * it was delivered, and tries again if it failed. Without a webhook, list them with
       * `wa.campaigns.unknown(id)` and settle each with `wa.campaigns.settle()` after checking.
       */
      status: "unknown";
      correlationId: string;
      /** True when the claim came from an earlier run of this campaign. */
      earlierRun: boolean;
      error?: WhatsAppError;
    })
  | (ResultBase & {
      status: "skipped";
      /** `already-sent`: an earlier run sent it; `duplicate`: it appeared earlier in this source. */
      reason: "already-sent" | "duplicate";
      messageId?: string;
    })
  | (ResultBase & {
      status: "deferred";
      reason: DeferralReason;
      retryAfterMs?: number;
      error?: WhatsAppError;
    })
  | (ResultBase & { status: "invalid"; error: ValidationError });

export type CampaignStatus = CampaignResult["status"];

/** Counts so far; `*By` break a status down by reason (refused, deferred, skipped) or code (failed). */
export interface CampaignCounts {
  /** Recipients read from the source (each has, or will have, exactly one result). */
  read: number;
  /** Results produced. */
  done: number;
  /** Accepted and on their way (not held), including held messages Meta has since released. */
  sent: number;
  /** Accepted but held by Meta for the template's quality assessment, and not decided yet. */
  held: number;
  refused: number;
  failed: number;
  unknown: number;
  skipped: number;
  deferred: number;
  invalid: number;
  refusedBy: Record<string, number>;
  failedBy: Record<string, number>;
  deferredBy: Record<string, number>;
  skippedBy: Record<string, number>;
}

export interface CampaignProgress extends CampaignCounts {
  id: string;
  state: "running" | "paused" | "finished" | "stopped";
  /** Recipients in the source, when known (arrays, or `total`). */
  total?: number;
  elapsedMs: number;
  /** Sends per second over the last five seconds (over at least one second). */
  perSecond: number;
  /** Time left at the current pace, when `total` is known. */
  etaMs?: number;
  /** While paused: when sending resumes, and why it paused. */
  pausedUntil?: number;
  pauseReason?: string;
}

export interface CampaignReport extends CampaignCounts {
  id: string;
  /** This run's token (checkpoint entries record which run sent them). */
  runId: string;
  startedAt: number;
  finishedAt: number;
  /**
   * The whole source was read and the run never stopped. False: run the same id again to reach
   * the rest (recipients already sent are skipped).
   */
  complete: boolean;
  /**
   * Why the run stopped early (abort, a long restriction, a store down, the source threw —
   * then `error` is what it threw). Recipients read but not attempted are `deferred`.
   */
  stopped?: { reason: string; code: CampaignStopCode; at: number; error?: unknown };
  /** Pauses for restrictions that lift by themselves (a 130429 storm). */
  pauses: Array<{ reason: string; from: number; until: number }>;
  /** Restrictions seen slowing the run (quality YELLOW paces marketing templates). */
  slowdowns: Array<{ reason: string; at: number }>;
  /** What the early warning measured over the run's most recent sends (absent when turned off). */
  signals?: CampaignSignalReport;
}

/** A recipient whose campaign send has an unknown outcome (`wa.campaigns.unknown()`). */
export interface UnknownRecipient {
  /** The recipient: `+` and the digits of the phone number, or the BSUID. Pass it to `settle()`. */
  to: string;
  /**
   * The `biz_opaque_callback_data` the send carried: a status webhook with it settles the
   * recipient by itself; search your logs or Meta's for it when checking by hand.
   */
  correlationId: string;
  /** When the send was claimed (ms since the epoch, by the client's clock). */
  since: number;
  /** The run that claimed it. */
  run: string;
}

/** What was found out about an unknown send (see `wa.campaigns.settle()`). */
export type SettledOutcome = "sent" | "not_sent";

/** What `plan()` found: nothing is sent, nothing is recorded. */
export interface CampaignPlan {
  /** Recipients in the source. */
  total: number;
  /** Would be sent now. */
  send: number;
  /** Refused by a guard, by reason. */
  refused: number;
  refusedBy: Record<string, number>;
  /** Over the messaging limit's unique-user budget, or held by an account restriction. */
  deferred: number;
  deferredBy: Record<string, number>;
  /** Input that is not a valid message (bad number format, parameters). */
  invalid: number;
  /** Appear earlier in the source. */
  duplicates: number;
  /** With `id`: sent by an earlier run of that campaign. */
  alreadySent: number;
  /** With `id`: an earlier run may have sent them; a run will report them `unknown`. */
  unknown: number;
  messagingLimit: {
    /** Unique users per 24 hours (Infinity: unlimited). */
    tier: number;
    /** Already reached in the last 24 hours. */
    reached: number;
    /** Of those to send, how many count toward it (no open customer service window). */
    newlyReached: number;
  };
  /** Sends per second the throughput guard allows now (Infinity with the guard off). */
  perSecond: number;
  /**
   * A new number's warm-up in force (`policy.warmUp`): business-initiated sends per rolling 24
   * hours, the least gap between them, and how many of `perDay` are left now (the number's
   * sends of the last 24 hours taken off). Sends beyond `leftToday` are counted as deferred
   * (`warm-up`) and the estimate allows for the gap. Absent when there is no warm-up, or it is over.
   */
  warmUp?: { perDay: number; gapMs: number; leftToday: number };
  /** A restriction in force that lifts within `maxPauseMs` (a 130429 storm): a run would first wait this long. */
  pauseMs: number;
  /** `pauseMs + send / perSecond`, in ms: how long sending will take at least. */
  estimatedMs: number;
}

export interface CampaignPlanOptions extends CampaignInput {
  /** A campaign id: recipients it already sent are counted as `alreadySent`, not `send`. */
  id?: string;
  /** As for `run()`: restrictions that lift within this long count as a pause, not a deferral. @default 60000 */
  maxPauseMs?: number;
}
