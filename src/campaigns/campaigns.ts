import { validateMessage } from "../api/messages.js";
import { AccountRestrictedPolicyError, isPolicyViolation, MessagingLimitError } from "../errors/policy.js";
import { ConfigError, ValidationError } from "../errors/validation.js";
import { maskPhone } from "../internal/redact.js";
import { windowOpen } from "../state/session-windows.js";
import { bump } from "./counts.js";
import { refusalReason } from "./outcome.js";
import { checkpointKey, messageFor, sendableTemplate } from "./prepare.js";
import { type CampaignDeps, CampaignRun } from "./run.js";
import type {
  CampaignInput,
  CampaignPlan,
  CampaignPlanOptions,
  CampaignRunOptions,
  SettledOutcome,
  UnknownRecipient,
} from "./types.js";

/** Guards that pace sends rather than refuse them: a campaign waits for them. */
const PACING = new Set(["throughput", "pair-rate", "warm-up"]);

/**
 * `wa.campaigns`: one template to many recipients, through every guard, paced by the throughput
 * and pair-rate guards, with a checkpoint so a campaign is never sent twice to anyone.
 *
 * ```ts
 * const plan = await wa.campaigns.plan({ template, recipients });
 * const run = wa.campaigns.run({ id: "spring-sale", template, recipients });
 * run.on("progress", (p) => console.log(p.sent, p.perSecond, p.etaMs));
 * const report = await run.report();
 * ```
 */
export class Campaigns {
  readonly #deps: CampaignDeps | undefined;

  /** @internal Built by the client; `deps` is undefined when the policy is off. */
  constructor(deps: CampaignDeps | undefined) {
    this.#deps = deps;
  }

  #require(): CampaignDeps {
    if (!this.#deps) {
      throw new ConfigError(
        "wa.campaigns needs the policy on: its guards pace, filter and limit a campaign (the client was built with policy: false)",
      );
    }
    return this.#deps;
  }

  /**
   * What a run would do now, without sending or recording anything: how many recipients would
   * be sent, refused (by reason), deferred (messaging limit, restrictions), and how long it would
   * take at the current throughput. Reads the whole source; duplicates are found with a set of
   * the recipients' ids (tens of bytes each).
   * @throws TemplateNotSendableError when the template is unknown or not APPROVED
   */
  async plan(options: CampaignPlanOptions): Promise<CampaignPlan> {
    const deps = this.#require();
    validateInput(options, false);
    const { policy, clock, checkpoints } = deps;
    const marketing = await sendableTemplate(policy, options.template);
    const now = clock.now();
    const history = policy.stores.sendHistory;
    const windows = policy.stores.sessionWindows;
    const tier = await policy.messagingLimit();
    const reached = Number.isFinite(tier) ? (await history.reach("", now)).unique : 0;
    const plan: CampaignPlan = {
      total: 0,
      send: 0,
      refused: 0,
      refusedBy: {},
      deferred: 0,
      deferredBy: {},
      invalid: 0,
      duplicates: 0,
      alreadySent: 0,
      unknown: 0,
      messagingLimit: { tier, reached, newlyReached: 0 },
      perSecond: await policy.throughputNow(marketing),
      pauseMs: 0,
      estimatedMs: 0,
    };
    const maxPause = options.maxPauseMs ?? 60_000;
    const seen = new Set<string>();
    let index = 0;
    for await (const item of options.recipients) {
      plan.total++;
      const built = await messageFor(options, item, index++);
      if ("error" in built) {
        plan.invalid++;
        continue;
      }
      const key = checkpointKey(built.to);
      if (seen.has(key)) {
        plan.duplicates++;
        continue;
      }
      seen.add(key);
      if (options.id !== undefined) {
        const entry = await checkpoints.get(options.id, key);
        if (entry?.state === "sent") {
          plan.alreadySent++;
          continue;
        }
        if (entry?.state === "pending") {
          plan.unknown++;
          continue;
        }
      }
      const { violations } = await policy.check(built.message);
      const first = violations.find((v) => {
        if (PACING.has(v.rule) || v instanceof MessagingLimitError) return false;
        // A restriction that lifts soon (a 130429 storm) pauses a run rather than deferring.
        if (
          v instanceof AccountRestrictedPolicyError &&
          v.retryAfterMs !== undefined &&
          v.retryAfterMs <= maxPause
        ) {
          plan.pauseMs = Math.max(plan.pauseMs, v.retryAfterMs);
          return false;
        }
        return true;
      });
      if (first instanceof AccountRestrictedPolicyError) {
        plan.deferred++;
        bump(plan.deferredBy, "account-restricted");
        continue;
      }
      if (first && isPolicyViolation(first)) {
        plan.refused++;
        bump(plan.refusedBy, refusalReason(first));
        continue;
      }
      // The messaging limit: count the users this campaign would newly reach against what is left.
      if (Number.isFinite(tier)) {
        const counts =
          !windowOpen(await windows.lastInbound(key), now) && !(await history.reach(key, now)).includes;
        if (counts) {
          if (reached + plan.messagingLimit.newlyReached >= tier) {
            plan.deferred++;
            bump(plan.deferredBy, "messaging-limit");
            continue;
          }
          plan.messagingLimit.newlyReached++;
        }
      }
      plan.send++;
    }
    // A number warming up sends at most what its step still allows today, one per gap (the run
    // defers the rest).
    const warm = await policy.warmUpNow();
    let gapMs = 0;
    if (warm) {
      const { step, leftToday } = warm;
      plan.warmUp = { perDay: step.perDay, gapMs: step.gapMs, leftToday };
      gapMs = step.gapMs;
      if (plan.send > leftToday) {
        const over = plan.send - leftToday;
        plan.send -= over;
        plan.deferred += over;
        plan.deferredBy["warm-up"] = (plan.deferredBy["warm-up"] ?? 0) + over;
      }
    }
    const paced = Number.isFinite(plan.perSecond) ? Math.ceil((plan.send / plan.perSecond) * 1000) : 0;
    plan.estimatedMs = plan.pauseMs + Math.max(paced, Math.max(0, plan.send - 1) * gapMs);
    return plan;
  }

  /**
   * Send the template to every recipient. Returns at once; start the run by awaiting
   * `report()` or by iterating the results (`for await`). Recipients are read as sending
   * progresses; each gets exactly one result. Running the same `id` again resumes: recipients
   * already sent are skipped, and those whose send may have reached Meta are reported
   * `unknown`, never sent again.
   * @throws ValidationError for malformed options (at once)
   * @throws TemplateNotSendableError from `report()` when the template is unknown or not APPROVED
   */
  run(options: CampaignRunOptions): CampaignRun {
    const deps = this.#require();
    validateInput(options, true);
    return new CampaignRun(deps, options);
  }

  /**
   * The recipients of campaign `id` whose send has an unknown outcome: a run died between
   * claiming them and hearing Meta's answer (a crash, a SIGKILL, a deploy), or the connection
   * broke after the request was written. A run never sends to them again on its own. Their
   * status webhook settles them by itself; without one, check (Meta's message history, your
   * webhook logs, the user) and call `settle()` for each.
   *
   * ```ts
   * for (const r of await wa.campaigns.unknown("spring-sale")) {
   *   await wa.campaigns.settle("spring-sale", r.to, delivered(r) ? "sent" : "not_sent");
   * }
   * ```
   * @throws ConfigError when the checkpoint store cannot list entries (a store of your own without `pending`)
   */
  async unknown(id: string): Promise<UnknownRecipient[]> {
    const { checkpoints } = this.#require();
    validateId(id);
    if (typeof checkpoints.pending !== "function")
      throw new ConfigError(
        "the campaign checkpoint store cannot list unknown sends: give it a pending(campaign) method (MemoryCampaignCheckpointStore and redisStores() have one)",
      );
    const found = await checkpoints.pending(id);
    return found
      .map(({ key, entry }) => ({
        to: /^\d+$/.test(key) ? `+${key}` : key,
        correlationId: entry.correlationId,
        since: entry.at,
        run: entry.run,
      }))
      .sort((a, b) => a.since - b.since || (a.to < b.to ? -1 : a.to > b.to ? 1 : 0));
  }

  /**
   * Record what you found out about a recipient `unknown()` listed. `"sent"`: the message
   * reached them — no run of this campaign sends to them again (pass `messageId` when you know
   * it). `"not_sent"`: it did not — the next run of this campaign sends to them. Settling a
   * recipient already in that state does nothing; `"not_sent"` for a recipient recorded as sent
   * is refused, so a mistake cannot send anyone a second message.
   * @throws ValidationError when nothing is recorded for `to` in the campaign, or for `"not_sent"` over a recorded send
   */
  async settle(
    id: string,
    to: string,
    outcome: SettledOutcome,
    options: { messageId?: string } = {},
  ): Promise<void> {
    const { checkpoints, clock } = this.#require();
    validateId(id);
    if (typeof to !== "string" || to.trim() === "")
      throw new ValidationError("to must be the recipient unknown() listed", [
        { path: ["to"], message: "expected a phone number or BSUID", code: "invalid_type" },
      ]);
    if (outcome !== "sent" && outcome !== "not_sent")
      throw new ValidationError(`outcome must be "sent" or "not_sent", got ${JSON.stringify(outcome)}`, [
        { path: ["outcome"], message: 'expected "sent" or "not_sent"', code: "invalid_value" },
      ]);
    const messageId = options?.messageId;
    if (messageId !== undefined && (typeof messageId !== "string" || messageId === ""))
      throw new ValidationError("messageId must be a non-empty string (the wamid) when given", [
        { path: ["messageId"], message: "expected a wamid", code: "invalid_type" },
      ]);
    const key = checkpointKey(to);
    const entry = await checkpoints.get(id, key);
    const who = maskPhone(to);
    if (!entry)
      throw new ValidationError(
        `nothing is recorded for ${who} in campaign "${id}" (unknown() lists the recipients to settle)`,
        [{ path: ["to"], message: "not in the campaign's checkpoint", code: "invalid_value" }],
      );
    const at = clock.now();
    if (outcome === "sent") {
      if (entry.state === "sent") return;
      await checkpoints.settle(id, key, { state: "sent", messageId: messageId ?? "", run: entry.run, at });
      return;
    }
    if (entry.state === "released") return;
    if (entry.state === "sent")
      throw new ValidationError(
        `${who} is recorded as sent in campaign "${id}" (${entry.messageId || "settled by hand"}); only an unknown send can be settled as not sent`,
        [{ path: ["outcome"], message: "the recipient was sent", code: "invalid_value" }],
      );
    // Released under the claiming run: the next run (a new run token) claims and sends it. Only
    // if still pending: a status webhook may have recorded the send since it was read above.
    const released = { state: "released", run: entry.run, at } as const;
    if (checkpoints.releasePending) {
      if (await checkpoints.releasePending(id, key, released)) return;
      const now = await checkpoints.get(id, key);
      if (now?.state === "sent")
        throw new ValidationError(
          `${who} was recorded as sent in campaign "${id}" while settling (${now.messageId || "a status webhook"}); it is not sent again`,
          [{ path: ["outcome"], message: "the recipient was sent", code: "invalid_value" }],
        );
      return;
    }
    await checkpoints.release(id, key, released);
  }
}

function validateId(id: unknown): void {
  if (typeof id !== "string" || !/^[\w.:-]{1,128}$/.test(id))
    throw new ValidationError(
      "id must be 1-128 letters, digits, '_', '-', '.' or ':' (the same id resumes the campaign)",
      [{ path: ["id"], message: "invalid campaign id", code: "invalid_format" }],
    );
}

function validateInput(options: CampaignInput & { id?: unknown; concurrency?: unknown }, run: boolean): void {
  const o = options as unknown as Record<string, unknown> | undefined;
  if (typeof o !== "object" || o === null) throw new ValidationError("Campaign options must be an object");
  const r = o["recipients"] as { [Symbol.iterator]?: unknown; [Symbol.asyncIterator]?: unknown } | undefined;
  if (
    typeof r !== "object" ||
    r === null ||
    (typeof r[Symbol.iterator] !== "function" && typeof r[Symbol.asyncIterator] !== "function")
  ) {
    throw new ValidationError("recipients must be an array or an (async) iterable of numbers", [
      { path: ["recipients"], message: "expected an iterable", code: "invalid_type" },
    ]);
  }
  if (o["params"] !== undefined && typeof o["params"] !== "function") {
    throw new ValidationError("params must be a function (to, index) => template parameters", [
      { path: ["params"], message: "expected a function", code: "invalid_type" },
    ]);
  }
  const t = o["template"] as Record<string, unknown> | undefined;
  try {
    // A placeholder recipient: only the template's own fields are being checked here.
    validateMessage({
      ...(typeof t === "object" ? t : { template: t }),
      type: "template",
      to: "15550000000",
    });
  } catch (error) {
    if (error instanceof ValidationError)
      throw new ValidationError(
        `Invalid campaign template: ${error.message.replace(/^Invalid message: /, "")}`,
        error.issues,
      );
    throw error;
  }
  const id = o["id"];
  if (run || id !== undefined) {
    if (typeof id !== "string" || !/^[\w.:-]{1,128}$/.test(id)) {
      throw new ValidationError(
        "id must be 1-128 letters, digits, '_', '-', '.' or ':' (the same id resumes the campaign)",
        [{ path: ["id"], message: "invalid campaign id", code: "invalid_format" }],
      );
    }
  }
  for (const name of ["concurrency", "progressIntervalMs", "maxPauseMs", "total", "waitForHeldMs"] as const) {
    const v = o[name];
    const min = name === "concurrency" ? 1 : 0;
    if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v < min)) {
      throw new ValidationError(`${name} must be an integer ≥ ${min}`, [
        { path: [name], message: `expected an integer ≥ ${min}`, code: "invalid_type" },
      ]);
    }
  }
  validateEarlyWarning(o["earlyWarning"]);
  if (o["signal"] !== undefined && !(o["signal"] instanceof AbortSignal)) {
    throw new ValidationError("signal must be an AbortSignal", [
      { path: ["signal"], message: "expected an AbortSignal", code: "invalid_type" },
    ]);
  }
}

/** `earlyWarning`: false, or thresholds that are numbers in range (rates between 0 and 1). */
function validateEarlyWarning(value: unknown): void {
  if (value === undefined || value === false) return;
  const fail = (field: string, expected: string) => {
    throw new ValidationError(`earlyWarning.${field} must be ${expected}`, [
      { path: ["earlyWarning", field], message: `expected ${expected}`, code: "invalid_type" },
    ]);
  };
  if (typeof value !== "object" || value === null) fail("", "false or an object of thresholds");
  const o = value as Record<string, unknown>;
  const known = [
    "window",
    "minSent",
    "maxOptOutRate",
    "minOptOuts",
    "maxFailureRate",
    "minFailures",
    "minReadRate",
    "readGraceMs",
  ];
  for (const key of Object.keys(o))
    if (!known.includes(key)) fail(key, `one of ${known.join(", ")} (unknown option)`);
  for (const key of ["window", "minSent", "minOptOuts", "minFailures", "readGraceMs"]) {
    const v = o[key];
    if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v < (key === "window" ? 1 : 0)))
      fail(key, `an integer ≥ ${key === "window" ? 1 : 0}`);
  }
  for (const key of ["maxOptOutRate", "maxFailureRate", "minReadRate"]) {
    const v = o[key];
    if (v !== undefined && (typeof v !== "number" || !(v >= 0 && v <= 1)))
      fail(key, "a share between 0 and 1");
  }
  // A window that can never hold `minSent` sends would never judge anything: the warning would be off.
  const window = (o["window"] as number | undefined) ?? 500;
  const minSent = (o["minSent"] as number | undefined) ?? 50;
  if (window < minSent) fail("window", `at least minSent (${minSent}), or the warning never judges`);
}
