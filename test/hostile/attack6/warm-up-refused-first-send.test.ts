/**
 * Attacks: `policy.warmUp.since: "first-send"` — "the ramp starts at the first business-initiated
 * send the policy lets through". With a remote rate-limit store (Redis), capacity is tried
 * alongside the policy's reads (speculatively) and given back when a check refuses; the warm-up
 * guard records the first send while taking its unit. A brand-new number whose first template is
 * refused (not approved yet, an opted-out person, the account held) then has its ramp started
 * anyway, and when it really starts sending days later it is treated as days old: 250 a day, 3 s
 * apart, instead of 20 a day, 30 s apart.
 */
import { afterAll, describe, expect, it } from "vitest";
import { redisStores } from "../../../src/redis/index.js";
import { MemoryRateLimitStore } from "../../../src/state/rate-limits.js";
import { sharedRedis, twoNumbers } from "./two.js";

const prefix = `wa-guard-attack6-warmup-${process.pid}-${Date.now()}`;
const { redis, connect, cleanup } = sharedRedis(prefix);
afterAll(cleanup);

const DAY = 24 * 60 * 60 * 1000;
const TEN_YEARS = 10 * 365 * DAY;

/** A rate store that says it is remote (as Redis does, or your own shared store). */
class RemoteRates extends MemoryRateLimitStore {
  readonly remote = true;
}

describe("warm-up from the first send, when that send is refused", () => {
  it("Redis: a template refused by the consent guard records no first send", async () => {
    await connect();
    const w = twoNumbers();
    const stores = redisStores(redis, { prefix, phoneNumberId: w.fake.phoneNumberId, wabaId: w.fake.wabaId });
    const wa = w.client({ transport: w.transport, stores, policy: { warmUp: { since: "first-send" } } });
    // No consent for CA: the utility template is refused by the consent guard.
    expect(await w.notice(wa)).toBe("consent");
    expect(w.reached.length).toBe(0);
    const first = await stores.rateLimits.window(
      `warmup:first:${w.fake.phoneNumberId}`,
      1,
      TEN_YEARS,
      w.clock.now(),
      false,
    );
    expect(first.ok).toBe(true); // nothing was let through: the ramp has not started
  });

  for (const [name, remote] of [
    ["a remote rate store", true],
    ["control: a memory rate store", false],
  ] as const) {
    it(`${name}: four days after a refused first template, the number is still on the first step`, async () => {
      const w = twoNumbers();
      const rateLimits = remote ? new RemoteRates() : new MemoryRateLimitStore();
      const policy = { warmUp: { since: "first-send" as const } };
      const wa = w.client({ transport: w.transport, stores: { rateLimits }, policy });
      expect(await w.notice(wa)).toBe("consent");
      expect(w.reached.length).toBe(0);
      w.clock.advance(4 * DAY);
      // A fresh process on the same stores (nothing cached in the client).
      const later = w.client({ transport: w.transport, stores: { rateLimits }, policy });
      const now = await later.policy.pipeline!.warmUpNow();
      expect(now?.step.perDay).toBe(20);
      expect(now?.step.gapMs).toBe(30_000);
    });
  }
});
