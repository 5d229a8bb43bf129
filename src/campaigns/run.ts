import { EventEmitter } from "eventemitter3";
import { type Messages, validateMessage } from "../api/messages.js";
import type { OutboundMessage } from "../api/schemas/outbound.js";
import type { WhatsAppError } from "../errors/base.js";
import { createGraphApiError, isGraphApiError } from "../errors/graph.js";
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
import { ConfigError, isValidationError, ValidationError } from "../errors/validation.js";
import { campaignCorrelationId, campaignOf, newCorrelationId } from "../internal/correlation.js";
import { describeError, type Logger } from "../internal/logger.js";
import type { Policy } from "../policy/pipeline.js";
import { parseRecipient } from "../policy/recipient.js";
import type { CampaignCheckpointStore } from "../state/campaign-checkpoints.js";
import type { Clock } from "../state/clock.js";
import type { OptOutEvent, StatusEvent, TemplateUpdateEvent } from "../webhooks/events.js";
import type { CampaignSignals } from "../webhooks/signals.js";
import { EarlyWarning } from "./early-warning.js";
import { loadQueue } from "./queue.js";
import type {
  CampaignCounts,
  CampaignProgress,
  CampaignRecipient,
  CampaignReport,
  CampaignResult,
  CampaignRunOptions,
  CampaignStopCode,
  RefusalReason,
  TemplateParams,
} from "./types.js";

export { campaignCorrelationId, campaignOf } from "../internal/correlation.js";
export type { CampaignSignals } from "../webhooks/signals.js";

export interface CampaignDeps {
  messages: Messages;
  policy: Policy;
  clock: Clock;
  logger: Logger;
  checkpoints: CampaignCheckpointStore;
  /**
   * Told by the client's webhook handler (`wa.webhooks`, in this process) of campaign statuses and
   * template updates as their effects are applied: a running campaign hears its held messages
   * settle and its template paused.
   */
  signals?: CampaignSignals;
}

export interface CampaignRunEvents {
  /** Counts, pace and ETA: at most once per `progressIntervalMs`, on a pause, and at the end. */
  progress: (progress: CampaignProgress) => void;
  /**
   * A `held` result was decided by Meta while the run was listening: the recipient's result
   * again, now `sent` (released) or `failed` (132015: the template was paused).
   */
  update: (result: CampaignResult) => void;
}

/** Meta's answer for a send held for the template's quality assessment (template pacing). */
const HELD = "held_for_quality_assessment";
/** Graph codes that mean the template can no longer be sent: paused (132015) or disabled (132016). */
const TEMPLATE_STOPS: Readonly<Record<number, CampaignStopCode>> = {
  132015: "template-paused",
  132016: "template-disabled",
};

/** Progress reports the pace over about this long. */
const PACE_WINDOW_MS = 5_000;
/** Results waiting for a slow `for await` consumer before sending holds back. */
const BUFFER = 1024;

/** The refusal reason for a guard's error. */
export function refusalReason(error: PolicyViolationError): RefusalReason {
  if (error instanceof ConsentRequiredError) return error.optedOut ? "opted-out" : "no-consent";
  if (error.rule === "recipient") return "invalid-recipient";
  if (error.rule === "blocklist") return "blocked";
  return error.rule;
}

/** `String(value)` that cannot throw (an object without a usable `toString`). */
function shown(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** The recipient and the message for one source item, or why there is none. Never throws. */
export async function messageFor(
  options: Pick<CampaignRunOptions, "template" | "params">,
  item: CampaignRecipient,
  index: number,
): Promise<{ to: string; message: OutboundMessage } | { to: string; error: ValidationError }> {
  let to: unknown;
  try {
    to = typeof item === "string" ? item : (item as { to?: unknown } | null)?.to;
  } catch (error) {
    return {
      to: shown(item),
      error: new ValidationError(`Recipient #${index} cannot be read: ${describeError(error)}`),
    };
  }
  const label = typeof to === "string" ? to : shown(to);
  if (typeof to !== "string") {
    return {
      to: label,
      error: new ValidationError(
        `Recipient #${index} must be a phone number string or { to, params }; got ${to === null ? "null" : typeof to}`,
        [{ path: ["recipients", index, "to"], message: "expected a string", code: "invalid_type" }],
      ),
    };
  }
  let perRecipient: TemplateParams | undefined;
  try {
    perRecipient = options.params ? await options.params(to, index) : undefined;
  } catch (error) {
    const invalid = new ValidationError(`params() threw for recipient #${index}: ${describeError(error)}`);
    return { to: label, error: Object.assign(invalid, { cause: error }) };
  }
  try {
    const own = typeof item === "object" && item !== null ? item.params : undefined;
    const message = validateMessage({ type: "template", ...options.template, ...perRecipient, ...own, to });
    return { to: label, message };
  } catch (error) {
    if (isValidationError(error)) return { to: label, error };
    return { to: label, error: new ValidationError(`Recipient #${index}: ${describeError(error)}`) };
  }
}

/**
 * Refuse a campaign whose template cannot be sent to anyone (unknown, not APPROVED), before a
 * single recipient is read. Returns whether it is a marketing template.
 */
export async function sendableTemplate(
  policy: Policy,
  template: Pick<CampaignRunOptions["template"], "name" | "language">,
): Promise<boolean> {
  const checked = policy.describe().some((g) => g.name === "template");
  const lookup = async () => {
    let found = await policy.templates.get(template.name, template.language);
    // A campaign is worth one fresh look: the template may have been created or approved since
    // the list was cached.
    if (found?.status !== "APPROVED") {
      await policy.templates.refresh();
      found = await policy.templates.get(template.name, template.language);
    }
    return found;
  };
  const found = checked ? await lookup() : await lookup().catch(() => undefined);
  if (checked && found?.status !== "APPROVED") {
    throw new TemplateNotSendableError({
      rule: "template",
      reason: found
        ? `template "${template.name}" (${template.language}) is ${found.status}, not APPROVED; nothing was sent`
        : `no template "${template.name}" in language ${template.language}; nothing was sent`,
    });
  }
  return found?.category?.toUpperCase() === "MARKETING";
}

/** The canonical identity a checkpoint is keyed by (aliases of one person share it). */
export const checkpointKey = (to: string) => parseRecipient(to)?.key ?? to.trim();

const emptyCounts = (): CampaignCounts => ({
  read: 0,
  done: 0,
  sent: 0,
  held: 0,
  refused: 0,
  failed: 0,
  unknown: 0,
  skipped: 0,
  deferred: 0,
  invalid: 0,
  refusedBy: {},
  failedBy: {},
  deferredBy: {},
  skippedBy: {},
});

export const bump = (by: Record<string, number>, key: string | number) => {
  by[key] = (by[key] ?? 0) + 1;
};

/**
 * One run of a campaign. Start it by awaiting `report()` or by iterating it (`for await`);
 * listen to `progress` first. Iterating yields exactly one result per recipient read, and a
 * consumer that falls behind holds sending back (nothing piles up in memory); leaving the loop
 * early stops the run.
 */
export class CampaignRun implements AsyncIterable<CampaignResult> {
  readonly id: string;
  /** This run's token, recorded with every recipient it sends. */
  readonly runId: string;

  readonly #deps: CampaignDeps;
  readonly #options: CampaignRunOptions;
  readonly #events = new EventEmitter<CampaignRunEvents>();
  readonly #counts = emptyCounts();
  readonly #pauses: CampaignReport["pauses"] = [];
  readonly #slowdowns: CampaignReport["slowdowns"] = [];
  readonly #concurrency: number;
  readonly #interval: number;
  readonly #maxPause: number;
  #total: number | undefined;
  #startedAt = 0;
  #stopped: { reason: string; code: CampaignStopCode; at: number } | undefined;
  /** This run's results Meta holds (template pacing), by correlation id, until it decides. */
  readonly #held = new Map<string, Extract<CampaignResult, { status: "held" }>>();
  #heldSettled: (() => void) | undefined;
  #complete = false;
  #report: Promise<CampaignReport> | undefined;
  #pause: { until: number; reason: string; gate: Promise<void> } | undefined;
  #lastProgressAt = 0;
  #samples: Array<{ at: number; sent: number }> = [];
  #marketing = false;

  // Results handed to a `for await` consumer.
  #iterating = false;
  #buffer: CampaignResult[] = [];
  #finished = false;
  #failure: { error: unknown } | undefined;
  #wakeConsumers: Array<() => void> = [];
  #wakeProducers: Array<() => void> = [];
  /** `report()` was awaited while iterating: holding sends back for the loop would deadlock. */
  #unbounded = false;
  /** Aborted when the run stops for any reason: ends pauses and waits at once. */
  readonly #halt = new AbortController();
  #sourceError: { error: unknown } | undefined;
  /** The run's own signals over its most recent sends; undefined when turned off. */
  readonly #warning: EarlyWarning | undefined;

  /** @internal Built by `wa.campaigns.run()`. */
  constructor(deps: CampaignDeps, options: CampaignRunOptions) {
    this.#deps = deps;
    this.#options = options;
    this.id = options.id;
    this.runId = newCorrelationId().replace(/^wag_/, "run_");
    this.#concurrency = options.concurrency ?? 16;
    this.#interval = options.progressIntervalMs ?? 1000;
    this.#maxPause = options.maxPauseMs ?? 60_000;
    this.#total = Array.isArray(options.recipients) ? options.recipients.length : options.total;
    this.#warning = options.earlyWarning === false ? undefined : new EarlyWarning(options.earlyWarning);
  }

  /** Listen to `progress` or `update`. Listeners that throw are logged, never break the run. */
  on<E extends keyof CampaignRunEvents>(event: E, listener: CampaignRunEvents[E]): this {
    (this.#events as unknown as EventEmitter).on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<E extends keyof CampaignRunEvents>(event: E, listener?: CampaignRunEvents[E]): this {
    (this.#events as unknown as EventEmitter).off(
      event,
      listener as ((...args: unknown[]) => void) | undefined,
    );
    return this;
  }

  /**
   * Run to the end (starting it if needed) and resolve with the final report. Await it after a
   * `for await` loop, not inside one: inside, results can no longer hold sending back and pile up.
   */
  report(): Promise<CampaignReport> {
    if (this.#report && this.#iterating && !this.#unbounded) {
      this.#unbounded = true;
      for (const wake of this.#wakeProducers.splice(0)) wake();
    }
    this.#report ??= this.#execute();
    return this.#report;
  }

  #wakeConsumer() {
    for (const wake of this.#wakeConsumers.splice(0)) wake();
  }

  [Symbol.asyncIterator](): AsyncIterator<CampaignResult> {
    if (this.#report && !this.#iterating) {
      throw new ConfigError(
        "This campaign run already started without an iterator: iterate it before awaiting report(), or not at all",
      );
    }
    if (this.#iterating) throw new ConfigError("A campaign run can be iterated once");
    this.#iterating = true;
    this.#report = this.#execute();
    this.#report.catch(() => undefined); // observed by next()
    return {
      next: async () => {
        for (;;) {
          const value = this.#buffer.shift();
          if (value) {
            this.#wakeProducers.shift()?.();
            return { value, done: false };
          }
          if (this.#failure) throw this.#failure.error;
          if (this.#finished) return { value: undefined, done: true };
          await new Promise<void>((resolve) => this.#wakeConsumers.push(resolve));
        }
      },
      return: async () => {
        // Leaving the loop early: stop sending, and stop holding results for nobody.
        this.#stop("the results iterator was closed before the end", "iterator-closed");
        this.#iterating = false;
        for (const wake of this.#wakeProducers.splice(0)) wake();
        this.#buffer = [];
        await this.report().catch(() => undefined);
        return { value: undefined, done: true };
      },
    };
  }

  #stop(reason: string, code: CampaignStopCode) {
    this.#stopped ??= { reason, code, at: this.#deps.clock.now() };
    this.#halt.abort();
  }

  /** A status webhook: settles a held result; a 132015/132016 failure of this campaign stops it. */
  readonly #onStatus = (event: StatusEvent) => {
    const id = event.correlationId;
    if (id === undefined || campaignOf(id)?.campaign !== this.id) return;
    const warning = this.#warning?.status(id, event.status, event.errors[0]?.code, this.#deps.clock.now());
    if (warning) this.#stop(warning, "early-warning");
    const stop = event.status === "failed" ? event.errors.find((e) => TEMPLATE_STOPS[e.code]) : undefined;
    if (stop) {
      this.#stop(
        `template "${this.#options.template.name}" (${this.#options.template.language}) can no longer be sent: a message failed with ${stop.code}`,
        TEMPLATE_STOPS[stop.code]!,
      );
    }
    const held = this.#held.get(id);
    if (!held || (event.status !== "failed" && !["sent", "delivered", "read"].includes(event.status))) return;
    this.#held.delete(id);
    const c = this.#counts;
    c.held--;
    let update: CampaignResult;
    if (event.status === "failed") {
      const first = event.errors[0];
      const code = first?.code ?? "failed";
      c.failed++;
      bump(c.failedBy, code);
      const error = createGraphApiError({
        body: {
          code: first?.code ?? 0,
          message: first?.message ?? first?.title ?? "The held message failed",
          ...(first?.details !== undefined && { error_data: { details: first.details } }),
        },
      });
      update = { index: held.index, to: held.to, status: "failed", code, error };
    } else {
      c.sent++;
      update = { ...held, status: "sent" };
    }
    this.#emit("update", update);
    if (this.#held.size === 0) this.#heldSettled?.();
  };

  /** An opt-out (STOP, an unsubscribe tap, Meta's stop, 131050): from one of this run's recipients? */
  readonly #onOptOut = (event: OptOutEvent) => {
    if (!this.#warning) return;
    const key = checkpointKey(event.recipient);
    // The person may have been sent under another identifier (a BSUID beside the number).
    const identity = this.#deps.policy.stores.identity;
    const judge = (keys: readonly string[]) => {
      for (const k of keys.includes(key) ? keys : [key, ...keys]) {
        const warning = this.#warning?.optOut(k);
        if (warning) return this.#stop(warning, "early-warning");
      }
    };
    const now = identity.aliasesNow?.(key);
    if (now) return judge(now);
    // A shared identity store answers later; an unreachable one still counts the identifier given.
    void identity.aliases(key).then(judge, () => judge([key]));
  };

  /** A template update: PAUSED or DISABLED for this campaign's template stops the run. */
  readonly #onTemplate = (event: TemplateUpdateEvent) => {
    const { name, language } = this.#options.template;
    if (event.change !== "status" || event.name !== name) return;
    if (event.language !== undefined && event.language !== language) return;
    const code =
      event.event === "PAUSED"
        ? "template-paused"
        : event.event === "DISABLED"
          ? "template-disabled"
          : undefined;
    if (code)
      this.#stop(
        `template "${name}" (${language}) was ${event.event} by Meta (message_template_status_update)`,
        code,
      );
  };

  #emit<E extends keyof CampaignRunEvents>(event: E, value: Parameters<CampaignRunEvents[E]>[0]) {
    try {
      (this.#events.emit as (e: E, v: unknown) => boolean)(event, value);
    } catch (error) {
      this.#deps.logger.error(`wa-guard: a campaign "${event}" listener threw`, {
        error: describeError(error),
      });
    }
  }

  /** Wait (up to `waitForHeldMs`) for Meta to decide about this run's held messages. */
  async #waitForHeld(): Promise<void> {
    const ms = this.#options.waitForHeldMs ?? 0;
    if (ms <= 0 || this.#held.size === 0 || !this.#deps.signals) return;
    // Stopped by you (abort, the loop left) or by a store or restriction: no waiting. A paused
    // template still waits: Meta fails its held messages (132015) right after the pause.
    if (this.#stopped && !this.#stopped.code.startsWith("template-")) return;
    const settled = new Promise<void>((resolve) => {
      this.#heldSettled = resolve;
    });
    const timer = new AbortController();
    await Promise.race([settled, this.#deps.clock.sleep(ms, timer.signal).catch(() => undefined)]);
    timer.abort();
    this.#heldSettled = undefined;
  }

  async #execute(): Promise<CampaignReport> {
    try {
      const report = await this.#main();
      // The source failed: the report has the counts; a `for await` loop gets the error last.
      if (this.#sourceError) this.#failure = this.#sourceError;
      return report;
    } catch (error) {
      this.#failure = { error };
      throw error;
    } finally {
      this.#finished = true;
      this.#wakeConsumer();
    }
  }

  async #main(): Promise<CampaignReport> {
    const { clock, policy } = this.#deps;
    const { signal } = this.#options;
    this.#startedAt = clock.now();
    this.#lastProgressAt = this.#startedAt;
    this.#samples = [{ at: this.#startedAt, sent: 0 }];
    this.#marketing = await sendableTemplate(policy, this.#options.template);
    const onAbort = () => this.#stop(`aborted: ${describeError(signal?.reason ?? "AbortSignal")}`, "aborted");
    if (signal?.aborted) onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    // Loaded on the first run: a client that never runs a campaign does not pay for it at import.
    const PQueue = await loadQueue();
    const queue = new PQueue({ concurrency: this.#concurrency });
    let index = 0;
    let readAll = false;
    const emitter = this.#deps.signals;
    emitter?.on("status", this.#onStatus);
    emitter?.on("templateUpdate", this.#onTemplate);
    emitter?.on("optOut", this.#onOptOut);
    try {
      if (!this.#stopped) {
        for await (const item of this.#options.recipients) {
          const i = index++;
          this.#counts.read++;
          if (!this.#stopped) await queue.onSizeLessThan(this.#concurrency);
          queue
            .add(async () => this.#deliver(await this.#one(item, i)))
            .catch((error: unknown) =>
              this.#deps.logger.error("wa-guard: a campaign task failed", { error: describeError(error) }),
            );
          if (this.#stopped) break;
        }
        readAll = !this.#stopped;
      }
    } catch (error) {
      // The source itself failed (a cursor lost): what was read still finishes and is reported.
      this.#sourceError = { error };
      this.#stop(`the recipients source threw: ${describeError(error)}`, "source-failed");
    } finally {
      signal?.removeEventListener("abort", onAbort);
      await queue.onIdle();
      try {
        await this.#waitForHeld();
      } finally {
        emitter?.off("status", this.#onStatus);
        emitter?.off("optOut", this.#onOptOut);
        emitter?.off("templateUpdate", this.#onTemplate);
      }
    }
    // Complete: the whole source was read and the run never stopped (nothing left for a re-run
    // but what the messaging limit deferred).
    this.#complete = readAll && !this.#stopped;
    const finishedAt = clock.now();
    await this.#noteSlowdown(finishedAt);
    this.#emitProgress(this.#stopped ? "stopped" : "finished", true);
    const report: CampaignReport = {
      id: this.id,
      runId: this.runId,
      ...structuredClone(this.#counts),
      startedAt: this.#startedAt,
      finishedAt,
      complete: this.#complete,
      pauses: this.#pauses.map((p) => ({ ...p })),
      slowdowns: this.#slowdowns.map((s) => ({ ...s })),
    };
    if (this.#stopped) {
      report.stopped = { ...this.#stopped };
      if (this.#sourceError) report.stopped.error = this.#sourceError.error;
    }
    if (this.#warning) report.signals = this.#warning.report();
    return report;
  }

  /**
   * What the checkpoint holds for the person `key` names under their other identifiers: a send
   * (this run's or an earlier one's), or an attempt of this run — then this recipient is that
   * person again and gets nothing. Undefined when none.
   */
  async #sameperson(key: string, index: number, to: string): Promise<CampaignResult | undefined> {
    const { checkpoints, policy } = this.#deps;
    const others = (await policy.stores.identity.aliases(key)).filter((k) => k !== key);
    for (const other of others) {
      const entry = await checkpoints.get(this.id, other);
      if (!entry) continue;
      const mine = entry.run === this.runId;
      if (entry.state === "sent")
        return {
          index,
          to,
          status: "skipped",
          reason: mine ? "duplicate" : "already-sent",
          ...(entry.messageId !== "" && { messageId: entry.messageId }),
        };
      if (entry.state === "pending")
        return mine
          ? { index, to, status: "skipped", reason: "duplicate" }
          : { index, to, status: "unknown", correlationId: entry.correlationId, earlierRun: true };
      if (mine) return { index, to, status: "skipped", reason: "duplicate" };
    }
    return undefined;
  }

  /** One recipient: claim it in the checkpoint, send, record. Never throws. */
  async #one(item: CampaignRecipient, index: number): Promise<CampaignResult> {
    const built = await messageFor(this.#options, item, index);
    try {
      return await this.#attempt(built, index);
    } catch (error) {
      // A defect, not an outcome: reported for this recipient, never left without a result.
      this.#deps.logger.error("wa-guard: a campaign send failed unexpectedly", {
        error: describeError(error),
      });
      return { index, to: built.to, status: "failed", code: "error", error: error as WhatsAppError };
    }
  }

  async #attempt(built: Awaited<ReturnType<typeof messageFor>>, index: number): Promise<CampaignResult> {
    const { checkpoints, clock, messages } = this.#deps;
    const { to } = built;
    if ("error" in built) return { index, to, status: "invalid", error: built.error };
    if (this.#stopped) return { index, to, status: "deferred", reason: "stopped" };
    const key = checkpointKey(to);
    const correlationId = campaignCorrelationId(this.id, key);
    let existing: Awaited<ReturnType<CampaignCheckpointStore["claim"]>>;
    try {
      existing = await checkpoints.claim(this.id, key, {
        state: "pending",
        correlationId,
        run: this.runId,
        at: clock.now(),
      });
    } catch (error) {
      return this.#storeDown(index, to, error);
    }
    if (existing?.state === "sent") {
      const reason = existing.run === this.runId ? "duplicate" : "already-sent";
      return existing.messageId === ""
        ? { index, to, status: "skipped", reason } // settled as sent by hand, id unknown
        : { index, to, status: "skipped", reason, messageId: existing.messageId };
    }
    if (existing?.state === "pending") {
      if (existing.run === this.runId) return { index, to, status: "skipped", reason: "duplicate" };
      return { index, to, status: "unknown", correlationId: existing.correlationId, earlierRun: true };
    }
    // Attempted earlier in this run and not sent (refused, failed): the same person again.
    if (existing?.state === "released") return { index, to, status: "skipped", reason: "duplicate" };
    const release = async () => {
      const entry = { state: "released" as const, run: this.runId, at: clock.now() };
      await checkpoints.release(this.id, key, entry).catch((error) =>
        this.#deps.logger.warn("wa-guard: could not release a campaign checkpoint claim", {
          campaign: this.id,
          error: describeError(error),
        }),
      );
    };
    // The same person under another identifier (their BSUID beside their number) counts as them.
    let twin: CampaignResult | undefined;
    try {
      twin = await this.#sameperson(key, index, to);
    } catch (error) {
      await release();
      return this.#storeDown(index, to, error);
    }
    if (twin) {
      await release();
      return twin;
    }
    const message = { ...built.message, bizOpaqueCallbackData: correlationId } as OutboundMessage;
    const halt = this.#halt.signal;
    for (;;) {
      if (this.#pause && clock.now() < this.#pause.until) await this.#pause.gate;
      if (this.#stopped) {
        await release();
        return { index, to, status: "deferred", reason: "stopped" };
      }
      try {
        this.#warning?.expect(key);
        const sent = await messages.send(message);
        await checkpoints
          .settle(this.id, key, {
            state: "sent",
            messageId: sent.messageId,
            run: this.runId,
            at: clock.now(),
          })
          .catch((error) =>
            // The claim stays `pending`: a later run reports this recipient `unknown`, never re-sends.
            this.#deps.logger.warn("wa-guard: could not record a campaign send", {
              campaign: this.id,
              error: describeError(error),
            }),
          );
        const result: Extract<CampaignResult, { status: "sent" | "held" }> = {
          index,
          to,
          status: sent.messageStatus === HELD ? "held" : "sent",
          messageId: sent.messageId,
          correlationId,
        };
        if (sent.waId !== undefined) result.waId = sent.waId;
        const warning = this.#warning?.sent(key, correlationId, clock.now());
        if (warning) this.#stop(warning, "early-warning");
        return result;
      } catch (error) {
        this.#warning?.drop(key);
        if (error instanceof ThroughputLimitError || error instanceof PairRateLimitError) {
          await clock.sleep(Math.max(1, error.retryAfterMs ?? 100), halt).catch(() => undefined);
          continue;
        }
        // The number is warming up: wait out a gap; a day's cap defers the rest to a later run.
        if (error instanceof WarmUpLimitError) {
          if (error.retryAfterMs !== undefined && error.retryAfterMs <= this.#maxPause) {
            await clock.sleep(Math.max(1, error.retryAfterMs), halt).catch(() => undefined);
            continue;
          }
          await release();
          return {
            index,
            to,
            status: "deferred",
            reason: "warm-up",
            error,
            ...(error.retryAfterMs !== undefined && { retryAfterMs: error.retryAfterMs }),
          };
        }
        if (error instanceof AccountRestrictedPolicyError) {
          if (error.retryAfterMs !== undefined && error.retryAfterMs <= this.#maxPause) {
            this.#pauseFor(error.retryAfterMs, error.reason);
            continue;
          }
          this.#stop(`the account is restricted: ${error.reason}`, "account-restricted");
          await release();
          const deferred: CampaignResult = {
            index,
            to,
            status: "deferred",
            reason: "account-restricted",
            error,
          };
          if (error.retryAfterMs !== undefined) deferred.retryAfterMs = error.retryAfterMs;
          return deferred;
        }
        if (error instanceof MessagingLimitError) {
          await release();
          return { index, to, status: "deferred", reason: "messaging-limit", error };
        }
        if (
          error instanceof TemplateNotSendableError ||
          (isGraphApiError(error) && TEMPLATE_STOPS[error.graphCode])
        ) {
          const stopped = await this.#templateStopped(error);
          if (stopped) {
            await release();
            return { index, to, status: "deferred", reason: "template-paused", error };
          }
        }
        if (isPolicyViolation(error)) {
          await release();
          return { index, to, status: "refused", reason: refusalReason(error), error };
        }
        if (isGraphApiError(error)) {
          await release();
          return { index, to, status: "failed", code: error.graphCode, error };
        }
        if (isTransportError(error)) {
          if (error.outcome === "not_sent") {
            await release();
            return { index, to, status: "failed", code: error.code, error };
          }
          return { index, to, status: "unknown", correlationId, earlierRun: false, error };
        }
        if (isStoreUnavailableError(error)) {
          await release();
          return this.#storeDown(index, to, error);
        }
        // Anything else (a custom guard that threw): this recipient fails, the run goes on.
        await release();
        return {
          index,
          to,
          status: "failed",
          code: (error as { code?: unknown })?.code?.toString() ?? "error",
          error: error as WhatsAppError,
        };
      }
    }
  }

  /**
   * Whether a refusal of the campaign's template means it is paused or disabled (Meta's 132015 or
   * 132016, or the template guard seeing PAUSED/DISABLED): then the run stops. A refusal for one
   * recipient's parameters is not.
   */
  async #templateStopped(error: WhatsAppError): Promise<boolean> {
    const { name, language } = this.#options.template;
    let code: CampaignStopCode | undefined;
    let why: string;
    if (isGraphApiError(error)) {
      code = TEMPLATE_STOPS[error.graphCode];
      why = `Meta answered ${error.graphCode}`;
    } else {
      const found = await this.#deps.policy.templates.get(name, language).catch(() => undefined);
      code =
        found?.status === "PAUSED"
          ? "template-paused"
          : found?.status === "DISABLED"
            ? "template-disabled"
            : undefined;
      why = `the template guard sees it ${found?.status}`;
    }
    if (!code) return false;
    this.#stop(`template "${name}" (${language}) can no longer be sent: ${why}`, code);
    return true;
  }

  #storeDown(index: number, to: string, error: unknown): CampaignResult {
    this.#stop(`a state store is unavailable: ${describeError(error)}`, "store-unavailable");
    return { index, to, status: "deferred", reason: "store-unavailable", error: error as WhatsAppError };
  }

  #pauseFor(ms: number, reason: string) {
    const { clock } = this.#deps;
    const until = clock.now() + ms;
    if (this.#pause && this.#pause.until >= until) return;
    const from = clock.now();
    const gate = clock.sleep(ms, this.#halt.signal).catch(() => undefined); // stopping ends it
    this.#pause = { until, reason, gate };
    const last = this.#pauses.at(-1);
    if (last && last.reason === reason && last.until >= from) last.until = until;
    else this.#pauses.push({ reason, from, until });
    this.#emitProgress("paused", true);
  }

  /** Count a result, hand it to the iterator (waiting while its buffer is full), report progress. */
  async #deliver(result: CampaignResult): Promise<void> {
    const c = this.#counts;
    c.done++;
    switch (result.status) {
      case "sent":
        c.sent++;
        break;
      case "held":
        c.held++;
        this.#held.set(result.correlationId, result);
        break;
      case "refused":
        c.refused++;
        bump(c.refusedBy, result.reason);
        break;
      case "failed":
        c.failed++;
        bump(c.failedBy, result.code);
        break;
      case "unknown":
        c.unknown++;
        break;
      case "skipped":
        c.skipped++;
        bump(c.skippedBy, result.reason);
        break;
      case "deferred":
        c.deferred++;
        bump(c.deferredBy, result.reason);
        break;
      case "invalid":
        c.invalid++;
        break;
    }
    if (this.#clockDue()) this.#emitProgress(this.#pausedNow() ? "paused" : "running", false);
    if (!this.#iterating) return;
    this.#buffer.push(result);
    this.#wakeConsumer();
    while (this.#iterating && !this.#unbounded && this.#buffer.length > BUFFER) {
      await new Promise<void>((resolve) => this.#wakeProducers.push(resolve));
    }
  }

  #pausedNow(): boolean {
    return this.#pause !== undefined && this.#deps.clock.now() < this.#pause.until;
  }

  #clockDue(): boolean {
    return this.#deps.clock.now() - this.#lastProgressAt >= this.#interval;
  }

  #emitProgress(state: CampaignProgress["state"], force: boolean) {
    const now = this.#deps.clock.now();
    if (!force && now - this.#lastProgressAt < this.#interval) return;
    this.#lastProgressAt = now;
    // The pace over the last few seconds: a sliding-window throughput admits bursts, so a single
    // short interval would swing between far above and far below the real rate.
    const samples = this.#samples;
    samples.push({ at: now, sent: this.#counts.sent });
    while (samples.length > 2 && samples[1]!.at <= now - PACE_WINDOW_MS) samples.shift();
    const oldest = samples[0]!;
    // Over at least a second: Meta's limits are per second, and a burst is not a rate.
    const perSecond = ((this.#counts.sent - oldest.sent) * 1000) / Math.max(1000, now - oldest.at);
    void this.#noteSlowdown(now);
    if (this.#events.listenerCount("progress") === 0) return;
    const elapsedMs = now - this.#startedAt;
    const progress: CampaignProgress = {
      id: this.id,
      state,
      ...structuredClone(this.#counts),
      elapsedMs,
      perSecond: Math.round(perSecond * 10) / 10,
    };
    if (this.#total !== undefined) {
      progress.total = this.#total;
      const rate = elapsedMs > 0 ? this.#counts.done / elapsedMs : 0;
      if (rate > 0 && state !== "finished" && state !== "stopped")
        progress.etaMs = Math.round(Math.max(0, this.#total - this.#counts.done) / rate);
    }
    if (this.#pause && now < this.#pause.until) {
      progress.pausedUntil = this.#pause.until;
      progress.pauseReason = this.#pause.reason;
    }
    this.#emit("progress", progress);
  }

  /** Note (once per source) a restriction that slows this campaign: quality YELLOW paces marketing. */
  async #noteSlowdown(now: number) {
    if (!this.#marketing) return;
    try {
      const active = await this.#deps.policy.health.active(now);
      for (const r of active) {
        if (r.scope !== "marketing_slow") continue;
        if (this.#slowdowns.some((s) => s.reason.endsWith(`(${r.source})`))) continue;
        this.#slowdowns.push({
          reason: `marketing templates are paced at a share of the throughput (${r.source})`,
          at: now,
        });
      }
    } catch {
      // Only the report's note depends on it; the guards read the same store for every send.
    }
  }
}
