import { describe, expect, it } from "vitest";
import { MemoryRateLimitStore } from "../../src/index.js";

// The memory token bucket on explicit times (the shared contract runs on the wall clock).
describe("MemoryRateLimitStore token bucket", () => {
  it("refills fractionally, one token per interval, and never above the burst", async () => {
    const r = new MemoryRateLimitStore();
    const take = (now: number) => r.bucket("p", 3, 1_000, now, true);
    for (let i = 0; i < 3; i++) expect((await take(0)).ok).toBe(true);
    expect(await take(0)).toEqual({ ok: false, retryAfterMs: 1_000 });
    expect(await take(400)).toEqual({ ok: false, retryAfterMs: 600 });
    expect((await take(1_000)).ok).toBe(true);
    expect(await r.bucket("p", 3, 1_000, 1_000, false)).toEqual({ ok: false, retryAfterMs: 1_000 });
    // A long pause refills to the burst, not beyond it.
    for (let i = 0; i < 3; i++) expect((await take(100_000)).ok).toBe(true);
    expect((await take(100_000)).ok).toBe(false);
  });

  it("a refund gives one token back, capped at the burst", async () => {
    const r = new MemoryRateLimitStore();
    const take = (now: number) => r.bucket("p", 2, 1_000, now, true);
    expect((await take(0)).ok).toBe(true);
    expect((await take(0)).ok).toBe(true);
    await r.refundBucket("p", 2);
    expect((await take(0)).ok).toBe(true);
    expect((await take(0)).ok).toBe(false);
    // Refunds beyond what was taken do not raise the bucket above its burst.
    for (let i = 0; i < 5; i++) await r.refundBucket("p", 2);
    expect((await take(0)).ok).toBe(true);
    expect((await take(0)).ok).toBe(true);
    expect((await take(0)).ok).toBe(false);
    await r.refundBucket("unknown", 2); // nothing held: nothing happens
    expect((await r.bucket("unknown", 2, 1_000, 0, false)).ok).toBe(true);
  });

  it("keys taken with different bursts and intervals in one store keep their own pace", async () => {
    const r = new MemoryRateLimitStore({ maxKeys: 2 });
    expect((await r.bucket("slow", 1, 10_000, 0, true)).ok).toBe(true);
    expect((await r.bucket("fast", 2, 100, 0, true)).ok).toBe(true);
    expect((await r.bucket("fast", 2, 100, 0, true)).ok).toBe(true);
    expect(await r.bucket("fast", 2, 100, 0, true)).toEqual({ ok: false, retryAfterMs: 100 });
    await r.refundBucket("fast", 2);
    expect((await r.bucket("fast", 2, 100, 0, true)).ok).toBe(true);
    expect(await r.bucket("slow", 1, 10_000, 5_000, true)).toEqual({ ok: false, retryAfterMs: 5_000 });
    // The table is full: "fast" has refilled at 200 and may go; "slow" has not and stays.
    expect((await r.bucket("new", 1, 10_000, 200, true)).ok).toBe(true);
    expect(await r.bucket("slow", 1, 10_000, 200, false)).toEqual({ ok: false, retryAfterMs: 9_800 });
    expect((await r.bucket("other", 1, 10_000, 300, true)).ok).toBe(false); // both still draining
  });
});
