import { describe, expect, it } from "vitest";
import { ResultChannel } from "../../src/campaigns/channel.js";
import { countResult, countSettled, emptyCounts } from "../../src/campaigns/counts.js";
import { HeldResults, settledResult } from "../../src/campaigns/held.js";
import { PaceMeter, Pauses, progressOf } from "../../src/campaigns/progress.js";
import { FakeClock } from "../../src/testing/fake-clock.js";
import type { StatusEvent } from "../../src/webhooks/events.js";

// The bookkeeping a campaign run keeps beside its sends, each piece on its own.

describe("PaceMeter", () => {
  it("measures over the last five seconds and over at least one second", () => {
    const pace = new PaceMeter(0);
    // 10 sends in the first 100 ms are not 100/s: a burst is not a rate.
    expect(pace.perSecond(100, 10)).toBe(10);
    expect(pace.perSecond(2_000, 40)).toBe(20);
    // Samples older than five seconds leave the window: the pace follows the recent rate.
    expect(pace.perSecond(8_000, 40)).toBeCloseTo((40 - 40) / 6, 5);
    expect(pace.perSecond(9_000, 50)).toBeCloseTo(10 / 7, 5);
  });
});

describe("Pauses", () => {
  it("merges the same restriction seen again into one longer pause, and keeps a longer one in force", () => {
    const clock = new FakeClock({ start: 1_000, autoAdvance: false });
    const pauses = new Pauses(clock, new AbortController().signal);
    expect(pauses.pauseFor(5_000, "storm")).toBe(true);
    expect(pauses.pauseFor(2_000, "storm")).toBe(false); // ends earlier than the one in force
    clock.set(3_000);
    expect(pauses.pauseFor(5_000, "storm")).toBe(true);
    expect(pauses.at(clock.now())).toMatchObject({ until: 8_000, reason: "storm" });
    expect(pauses.report()).toEqual([{ reason: "storm", from: 1_000, until: 8_000 }]);
    clock.set(8_000);
    expect(pauses.at(clock.now())).toBeUndefined();
    expect(pauses.pauseFor(1_000, "other")).toBe(true);
    expect(pauses.report()).toHaveLength(2);
  });
});

describe("progressOf", () => {
  it("gives the ETA at the run's rate while running, none once finished, and the pause in force", () => {
    const counts = { ...emptyCounts(), done: 25 };
    const running = progressOf({
      id: "c",
      state: "paused",
      counts,
      now: 10_000,
      startedAt: 0,
      perSecond: 2.345,
      total: 100,
      pause: { until: 12_000, reason: "storm" },
    });
    expect(running).toMatchObject({
      etaMs: 30_000,
      perSecond: 2.3,
      total: 100,
      pausedUntil: 12_000,
      pauseReason: "storm",
    });
    const finished = progressOf({
      ...running,
      state: "finished",
      counts,
      now: 10_000,
      startedAt: 0,
      total: 100,
      pause: undefined,
    });
    expect(finished.etaMs).toBeUndefined();
    expect(finished.pausedUntil).toBeUndefined();
  });
});

describe("counts", () => {
  it("counts each status and breaks refusals, failures, skips and deferrals down", () => {
    const c = emptyCounts();
    const error = new Error("x") as never;
    countResult(c, { index: 0, to: "+1", status: "held", messageId: "m", correlationId: "k" });
    countResult(c, { index: 1, to: "+2", status: "refused", reason: "blocked", error });
    countResult(c, { index: 2, to: "+3", status: "failed", code: 131026, error });
    countResult(c, { index: 3, to: "+4", status: "skipped", reason: "duplicate" });
    countResult(c, { index: 4, to: "+5", status: "deferred", reason: "stopped" });
    countResult(c, { index: 5, to: "+6", status: "invalid", error });
    expect(c).toMatchObject({ done: 6, held: 1, refused: 1, failed: 1, skipped: 1, deferred: 1, invalid: 1 });
    expect(c).toMatchObject({
      refusedBy: { blocked: 1 },
      failedBy: { 131026: 1 },
      skippedBy: { duplicate: 1 },
      deferredBy: { stopped: 1 },
    });
    countSettled(c, { index: 0, to: "+1", status: "failed", code: 132015, error });
    expect(c).toMatchObject({ held: 0, failed: 2, failedBy: { 131026: 1, 132015: 1 } });
  });
});

describe("held results", () => {
  const held = {
    index: 3,
    to: "+15550001",
    status: "held" as const,
    messageId: "wamid.h",
    correlationId: "wag_h",
  };
  const status = (s: string, errors: StatusEvent["errors"] = []) =>
    ({ kind: "status", status: s, correlationId: "wag_h", errors }) as unknown as StatusEvent;

  it("settles as sent on a sent, delivered or read status, as failed with Meta's code, and waits on others", () => {
    expect(settledResult(held, status("delivered"))).toEqual({ ...held, status: "sent" });
    const failed = settledResult(
      held,
      status("failed", [{ code: 132015, title: "Template paused" }] as never),
    );
    expect(failed).toMatchObject({ index: 3, to: "+15550001", status: "failed", code: 132015 });
    expect(failed?.status === "failed" && failed.error.message).toContain("Template paused");
    expect(settledResult(held, status("held_for_quality_assessment"))).toBeUndefined();
  });

  it("ends a wait once the last held result settles", async () => {
    const clock = new FakeClock({ start: 0, autoAdvance: false });
    const results = new HeldResults();
    results.add(held);
    const waiting = results.wait(60_000, clock);
    expect(results.settle({ ...status("sent"), correlationId: "wag_h" })).toMatchObject({ status: "sent" });
    expect(results.size).toBe(0);
    await waiting; // would hang for 60 s of fake time, which nothing advances
  });
});

describe("ResultChannel", () => {
  it("holds the producer back past its limit until the consumer reads, and ends with the failure", async () => {
    const channel = new ResultChannel<number>(1);
    channel.attach();
    await channel.push(1);
    let second = false;
    const pushing = channel.push(2).then(() => {
      second = true;
    });
    await Promise.resolve();
    expect(second).toBe(false);
    expect(await channel.next()).toEqual({ value: 1, done: false });
    await pushing;
    expect(second).toBe(true);
    channel.close({ error: new Error("source lost") });
    expect(await channel.next()).toEqual({ value: 2, done: false });
    await expect(channel.next()).rejects.toThrow("source lost");
  });

  it("drops results when no consumer is attached, and stops holding back when unbound", async () => {
    const idle = new ResultChannel<number>(0);
    await idle.push(1);
    idle.close();
    expect(await idle.next()).toEqual({ value: undefined, done: true });
    const channel = new ResultChannel<number>(0);
    channel.attach();
    const held = channel.push(1);
    channel.unbound();
    await held;
  });
});
