/**
 * One run of a campaign: read the recipients, send each once through the checkpoint (claim,
 * send, record), and react to what the webhook handler hears about the run's sends. What a
 * failed send means is decided in `outcome.ts`; counts, held results, pace and pauses, and the
 * hand-off to a `for await` loop each live in their own module beside this one.
 */
import { EventEmitter } from "eventemitter3";
import type { Messages } from "../api/messages.js";
import type { OutboundMessage } from "../api/schemas/outbound.js";
import type { WhatsAppError } from "../errors/base.js";
import { isGraphApiError } from "../errors/graph.js";
import { ConfigError } from "../errors/validation.js";
import { campaignCorrelationId, campaignOf, newCorrelationId } from "../internal/correlation.js";
import { describeError, type Logger } from "../internal/logger.js";
import type { Policy } from "../policy/pipeline.js";
import type { CampaignCheckpointStore } from "../state/campaign-checkpoints.js";
import type { Clock } from "../state/clock.js";
import type { OptOutEvent, StatusEvent, TemplateUpdateEvent } from "../webhooks/events.js";
import type { CampaignSignals } from "../webhooks/signals.js";
import { ResultChannel } from "./channel.js";
import { type ClaimContext, claimRecipient } from "./claim.js";
import { countResult, countSettled, emptyCounts } from "./counts.js";
import { EarlyWarning } from "./early-warning.js";
import { HeldResults } from "./held.js";
import {
  failureStep,
  HELD,
  mayBeTemplateStop,
  type Outcome,
  type RunStop,
  storeUnavailable,
  TEMPLATE_STOPS,
  templateStopCode,
} from "./outcome.js";
import { checkpointKey, messageFor, sendableTemplate } from "./prepare.js";
import { PaceMeter, Pauses, progressOf } from "./progress.js";
import { loadQueue } from "./queue.js";
import type {
  CampaignProgress,
  CampaignRecipient,
  CampaignReport,
  CampaignResult,
  CampaignRunOptions,
  CampaignStopCode,
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

/** Results waiting for a slow `for await` consumer before sending holds back. */
const BUFFER = 1024;

/** The message the template of a campaign can no longer be sent with, and why. */
const templateGone = (template: CampaignRunOptions["template"], why: string) =>
  `template "${template.name}" (${template.language}) can no longer be sent: ${why}`;

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
  readonly #slowdowns: CampaignReport["slowdowns"] = [];
  readonly #concurrency: number;
  readonly #interval: number;
  readonly #maxPause: number;
  readonly #total: number | undefined;
  #startedAt = 0;
  #stopped: { reason: string; code: CampaignStopCode; at: number } | undefined;
  readonly #held = new HeldResults();
  #report: Promise<CampaignReport> | undefined;
  /** Aborted when the run stops for any reason: ends pauses and waits at once. */
  readonly #halt = new AbortController();
  readonly #pauses: Pauses;
  #pace: PaceMeter | undefined;
  #lastProgressAt = 0;
  #marketing = false;
  /** Results handed to a `for await` consumer. */
  readonly #channel = new ResultChannel<CampaignResult>(BUFFER);
  #sourceError: { error: unknown } | undefined;
  /** The run's own signals over its most recent sends; undefined when turned off. */
  readonly #warning: EarlyWarning | undefined;
  readonly #claimContext: ClaimContext;

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
    this.#pauses = new Pauses(deps.clock, this.#halt.signal);
    this.#claimContext = {
      checkpoints: deps.checkpoints,
      aliases: (key) => deps.policy.stores.identity.aliases(key),
      clock: deps.clock,
      logger: deps.logger,
      campaign: this.id,
      runId: this.runId,
    };
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
    if (this.#report) this.#channel.unbound();
    this.#report ??= this.#execute();
    return this.#report;
  }

  [Symbol.asyncIterator](): AsyncIterator<CampaignResult> {
    if (this.#report && !this.#channel.attached) {
      throw new ConfigError(
        "This campaign run already started without an iterator: iterate it before awaiting report(), or not at all",
      );
    }
    if (this.#channel.attached) throw new ConfigError("A campaign run can be iterated once");
    this.#channel.attach();
    this.#report = this.#execute();
    this.#report.catch(() => undefined); // observed by next()
    return {
      next: () => this.#channel.next(),
      return: async () => {
        // Leaving the loop early: stop sending, and stop holding results for nobody.
        this.#stop("the results iterator was closed before the end", "iterator-closed");
        this.#channel.detach();
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
        templateGone(this.#options.template, `a message failed with ${stop.code}`),
        TEMPLATE_STOPS[stop.code]!,
      );
    }
    const update = this.#held.settle({ ...event, correlationId: id });
    if (!update) return;
    countSettled(this.#counts, update);
    this.#emit("update", update);
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
    const code = templateStopCode(event.event);
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
    await this.#held.wait(ms, this.#deps.clock);
  }

  async #execute(): Promise<CampaignReport> {
    let failure: { error: unknown } | undefined;
    try {
      const report = await this.#main();
      // The source failed: the report has the counts; a `for await` loop gets the error last.
      failure = this.#sourceError;
      return report;
    } catch (error) {
      failure = { error };
      throw error;
    } finally {
      this.#channel.close(failure);
    }
  }

  async #main(): Promise<CampaignReport> {
    const { clock, policy } = this.#deps;
    const { signal } = this.#options;
    this.#startedAt = clock.now();
    this.#lastProgressAt = this.#startedAt;
    this.#pace = new PaceMeter(this.#startedAt);
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
    const finishedAt = clock.now();
    await this.#noteSlowdown(finishedAt);
    this.#emitProgress(this.#stopped ? "stopped" : "finished", true);
    const report: CampaignReport = {
      id: this.id,
      runId: this.runId,
      ...structuredClone(this.#counts),
      startedAt: this.#startedAt,
      finishedAt,
      // Complete: the whole source was read and the run never stopped (nothing left for a re-run
      // but what the messaging limit deferred).
      complete: readAll && !this.#stopped,
      pauses: this.#pauses.report(),
      slowdowns: this.#slowdowns.map((s) => ({ ...s })),
    };
    if (this.#stopped) {
      report.stopped = { ...this.#stopped };
      if (this.#sourceError) report.stopped.error = this.#sourceError.error;
    }
    if (this.#warning) report.signals = this.#warning.report();
    return report;
  }

  /** One recipient: claim it in the checkpoint, send, record. Never throws. */
  async #one(item: CampaignRecipient, index: number): Promise<CampaignResult> {
    const built = await messageFor(this.#options, item, index);
    try {
      return { index, to: built.to, ...(await this.#attempt(built)) } as CampaignResult;
    } catch (error) {
      // A defect, not an outcome: reported for this recipient, never left without a result.
      this.#deps.logger.error("wa-guard: a campaign send failed unexpectedly", {
        error: describeError(error),
      });
      return { index, to: built.to, status: "failed", code: "error", error: error as WhatsAppError };
    }
  }

  async #attempt(built: Awaited<ReturnType<typeof messageFor>>): Promise<Outcome> {
    const { checkpoints, clock, messages } = this.#deps;
    if ("error" in built) return { status: "invalid", error: built.error };
    if (this.#stopped) return { status: "deferred", reason: "stopped" };
    const key = checkpointKey(built.to);
    const correlationId = campaignCorrelationId(this.id, key);
    const claim = await claimRecipient(this.#claimContext, key, correlationId);
    if (claim.kind === "store-down") return this.#storeDown(claim.error);
    if (claim.kind === "taken") return claim.outcome;
    const { release } = claim;
    const message = { ...built.message, bizOpaqueCallbackData: correlationId } as OutboundMessage;
    for (;;) {
      const pause = this.#pauses.at(clock.now());
      if (pause) await pause.gate;
      if (this.#stopped) {
        await release();
        return { status: "deferred", reason: "stopped" };
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
        const result: Extract<Outcome, { status: "sent" | "held" }> = {
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
        const templateStop = mayBeTemplateStop(error)
          ? await this.#templateStop(error as WhatsAppError)
          : undefined;
        const step = failureStep(error, { maxPauseMs: this.#maxPause, correlationId, templateStop });
        if (step.kind === "retry") {
          await clock.sleep(step.afterMs, this.#halt.signal).catch(() => undefined);
          continue;
        }
        if (step.kind === "pause") {
          if (this.#pauses.pauseFor(step.ms, step.reason)) this.#emitProgress("paused", true);
          continue;
        }
        if (step.stop?.beforeRelease) this.#stop(step.stop.reason, step.stop.code);
        if (step.release) await release();
        if (step.stop && !step.stop.beforeRelease) this.#stop(step.stop.reason, step.stop.code);
        return step.outcome;
      }
    }
  }

  /**
   * Whether a refusal of the campaign's template means it is paused or disabled (Meta's 132015 or
   * 132016, or the template guard seeing PAUSED/DISABLED): then the run stops. A refusal for one
   * recipient's parameters is not.
   */
  async #templateStop(error: WhatsAppError): Promise<RunStop | undefined> {
    const { name, language } = this.#options.template;
    let code: CampaignStopCode | undefined;
    let why: string;
    if (isGraphApiError(error)) {
      code = TEMPLATE_STOPS[error.graphCode];
      why = `Meta answered ${error.graphCode}`;
    } else {
      const found = await this.#deps.policy.templates.get(name, language).catch(() => undefined);
      code = templateStopCode(found?.status);
      why = `the template guard sees it ${found?.status}`;
    }
    return code && { reason: templateGone(this.#options.template, why), code, beforeRelease: true };
  }

  /** A store failed outside a send: the recipient is deferred and the run stops. */
  #storeDown(error: unknown): Outcome {
    const { outcome, stop } = storeUnavailable(error);
    this.#stop(stop.reason, stop.code);
    return outcome;
  }

  /** Count a result, hand it to the iterator (waiting while its buffer is full), report progress. */
  async #deliver(result: CampaignResult): Promise<void> {
    countResult(this.#counts, result);
    if (result.status === "held") this.#held.add(result);
    const now = this.#deps.clock.now();
    if (now - this.#lastProgressAt >= this.#interval) {
      this.#emitProgress(this.#pauses.at(now) ? "paused" : "running", false);
    }
    await this.#channel.push(result);
  }

  #emitProgress(state: CampaignProgress["state"], force: boolean) {
    const now = this.#deps.clock.now();
    if (!force && now - this.#lastProgressAt < this.#interval) return;
    this.#lastProgressAt = now;
    const perSecond = this.#pace?.perSecond(now, this.#counts.sent) ?? 0;
    void this.#noteSlowdown(now);
    if (this.#events.listenerCount("progress") === 0) return;
    const progress = progressOf({
      id: this.id,
      state,
      counts: this.#counts,
      now,
      startedAt: this.#startedAt,
      perSecond,
      total: this.#total,
      pause: this.#pauses.at(now),
    });
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
