import { describe, expect, it } from "vitest";
import {
  checkpointOutcome,
  failureStep,
  mayBeTemplateStop,
  type RunStop,
} from "../../src/campaigns/outcome.js";
import { createGraphApiError } from "../../src/errors/graph.js";
import {
  AccountRestrictedPolicyError,
  ConsentRequiredError,
  MessagingLimitError,
  PairRateLimitError,
  TemplateNotSendableError,
  ThroughputLimitError,
  WarmUpLimitError,
} from "../../src/errors/policy.js";
import { StoreUnavailableError } from "../../src/errors/store.js";
import { TransportError } from "../../src/errors/transport.js";

// What a failed campaign send comes to, decided without a run: the table a maintainer reads to
// know which errors pace, pause, stop the run, or settle the recipient (and whether its claim is
// released so a later run tries it again).
const context = { maxPauseMs: 60_000, correlationId: "wag_c" };
const restricted = (retryAfterMs?: number) =>
  new AccountRestrictedPolicyError({
    rule: "account-health",
    reason: "130429 storm",
    ...(retryAfterMs !== undefined && { retryAfterMs }),
  });

describe("failureStep", () => {
  it("retries after a pacing guard's wait (100 ms when it gives none, never 0)", () => {
    const throughput = new ThroughputLimitError({ rule: "throughput", reason: "busy", retryAfterMs: 40 });
    expect(failureStep(throughput, context)).toEqual({ kind: "retry", afterMs: 40 });
    expect(failureStep(new PairRateLimitError({ rule: "pair-rate", reason: "x" }), context)).toEqual({
      kind: "retry",
      afterMs: 100,
    });
    const zero = new ThroughputLimitError({ rule: "throughput", reason: "busy", retryAfterMs: 0 });
    expect(failureStep(zero, context)).toEqual({ kind: "retry", afterMs: 1 });
  });

  it("waits out a warm-up gap up to maxPauseMs, and defers past it (claim released, run goes on)", () => {
    const gap = new WarmUpLimitError({ rule: "warm-up", reason: "gap", retryAfterMs: 5_000 });
    expect(failureStep(gap, context)).toEqual({ kind: "retry", afterMs: 5_000 });
    const day = new WarmUpLimitError({ rule: "warm-up", reason: "cap", retryAfterMs: 3_600_000 });
    expect(failureStep(day, context)).toEqual({
      kind: "result",
      outcome: { status: "deferred", reason: "warm-up", error: day, retryAfterMs: 3_600_000 },
      release: true,
    });
  });

  it("pauses the run for a short restriction and stops it for a long one, before releasing", () => {
    expect(failureStep(restricted(10_000), context)).toEqual({
      kind: "pause",
      ms: 10_000,
      reason: "130429 storm",
    });
    const long = restricted();
    expect(failureStep(long, context)).toEqual({
      kind: "result",
      outcome: { status: "deferred", reason: "account-restricted", error: long },
      release: true,
      stop: {
        reason: "the account is restricted: 130429 storm",
        code: "account-restricted",
        beforeRelease: true,
      },
    });
  });

  it("defers on the messaging limit without stopping the run", () => {
    const limit = new MessagingLimitError({ rule: "messaging-limit", reason: "tier" });
    expect(failureStep(limit, context)).toEqual({
      kind: "result",
      outcome: { status: "deferred", reason: "messaging-limit", error: limit },
      release: true,
    });
  });

  it("defers and stops on a template the run found paused; otherwise a template refusal is a refusal", () => {
    const refusal = new TemplateNotSendableError({ rule: "template", reason: "PAUSED" });
    const templateStop: RunStop = { reason: "paused", code: "template-paused", beforeRelease: true };
    expect(failureStep(refusal, { ...context, templateStop })).toEqual({
      kind: "result",
      outcome: { status: "deferred", reason: "template-paused", error: refusal },
      release: true,
      stop: templateStop,
    });
    expect(failureStep(refusal, context)).toMatchObject({
      kind: "result",
      outcome: { status: "refused", reason: "template" },
    });
  });

  it("names a consent refusal by whether the person opted out", () => {
    const optedOut = new ConsentRequiredError({ rule: "consent", reason: "STOP", optedOut: true });
    expect(failureStep(optedOut, context)).toMatchObject({
      outcome: { status: "refused", reason: "opted-out" },
    });
    const none = new ConsentRequiredError({ rule: "consent", reason: "none" });
    expect(failureStep(none, context)).toMatchObject({
      outcome: { status: "refused", reason: "no-consent" },
    });
  });

  it("fails on Meta's error with its Graph code", () => {
    const graph = createGraphApiError({ body: { code: 131026, message: "Undeliverable" } });
    expect(failureStep(graph, context)).toEqual({
      kind: "result",
      outcome: { status: "failed", code: 131026, error: graph },
      release: true,
    });
  });

  it("keeps the claim of a send that may have reached Meta (unknown), releases one that did not", () => {
    const broken = new TransportError("reset", { outcome: "unknown", reason: "reset" });
    expect(failureStep(broken, context)).toEqual({
      kind: "result",
      outcome: { status: "unknown", correlationId: "wag_c", earlierRun: false, error: broken },
      release: false,
    });
    const refused = new TransportError("refused", { outcome: "not_sent", reason: "connect" });
    expect(failureStep(refused, context)).toEqual({
      kind: "result",
      outcome: { status: "failed", code: "transport_failed", error: refused },
      release: true,
    });
  });

  it("defers and stops the run when a store is down, after releasing", () => {
    const down = new StoreUnavailableError("redis", "rate-limits.window", "timeout");
    expect(failureStep(down, context)).toEqual({
      kind: "result",
      outcome: { status: "deferred", reason: "store-unavailable", error: down },
      release: true,
      stop: {
        reason:
          "a state store is unavailable: StoreUnavailableError: redis is unavailable (rate-limits.window): timeout",
        code: "store-unavailable",
        beforeRelease: false,
      },
    });
  });

  it("fails anything else (a custom guard that threw) under its code, or 'error'", () => {
    expect(failureStep(Object.assign(new Error("x"), { code: 42 }), context)).toMatchObject({
      outcome: { status: "failed", code: "42" },
      release: true,
    });
    expect(failureStep("thrown string", context)).toMatchObject({
      outcome: { status: "failed", code: "error" },
    });
  });
});

describe("mayBeTemplateStop", () => {
  it("is true for template refusals and Meta's 132015/132016, false for other Graph codes", () => {
    expect(mayBeTemplateStop(new TemplateNotSendableError({ rule: "template", reason: "x" }))).toBe(true);
    expect(mayBeTemplateStop(createGraphApiError({ body: { code: 132015, message: "paused" } }))).toBe(true);
    expect(mayBeTemplateStop(createGraphApiError({ body: { code: 132016, message: "disabled" } }))).toBe(
      true,
    );
    expect(mayBeTemplateStop(createGraphApiError({ body: { code: 132001, message: "missing" } }))).toBe(
      false,
    );
  });
});

describe("checkpointOutcome", () => {
  it("skips a recipient sent by this run (duplicate) or an earlier one (already-sent), with its message id", () => {
    expect(checkpointOutcome({ state: "sent", messageId: "wamid.1", run: "r1", at: 0 }, "r1")).toEqual({
      status: "skipped",
      reason: "duplicate",
      messageId: "wamid.1",
    });
    expect(checkpointOutcome({ state: "sent", messageId: "", run: "r0", at: 0 }, "r1")).toEqual({
      status: "skipped",
      reason: "already-sent",
    });
  });

  it("reports an earlier run's pending claim as unknown, never to be re-sent", () => {
    expect(checkpointOutcome({ state: "pending", correlationId: "wag_x", run: "r0", at: 0 }, "r1")).toEqual({
      status: "unknown",
      correlationId: "wag_x",
      earlierRun: true,
    });
    expect(checkpointOutcome({ state: "pending", correlationId: "wag_x", run: "r1", at: 0 }, "r1")).toEqual({
      status: "skipped",
      reason: "duplicate",
    });
  });

  it("lets another run's released entry be sent again, but not this run's", () => {
    expect(checkpointOutcome({ state: "released", run: "r0", at: 0 }, "r1")).toBeUndefined();
    expect(checkpointOutcome({ state: "released", run: "r1", at: 0 }, "r1")).toEqual({
      status: "skipped",
      reason: "duplicate",
    });
  });
});
