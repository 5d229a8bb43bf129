/**
 * Attack: Meta's time orders restrictions and lifts (invariant 2). A restriction of a scope that
 * is already open (indefinitely) is merged into the open one and keeps the OLD `since`. A late lift
 * stamped between the two restrictions then removes both — although the newer restriction is
 * newer than the lift.
 *
 *   Meta's order:  DISABLE t1, REINSTATE t2, DISABLE t3        → disabled
 *   arrival order: DISABLE t1, DISABLE t3, REINSTATE t2 (late) → wa-guard: not restricted
 */
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { type ClientOptions, memoryStores } from "../../../src/index.js";
import { redisStores } from "../../../src/redis/index.js";
import { HOUR, USER, world } from "../world.js";

const redis = new Redis({ host: "127.0.0.1", port: 6379, lazyConnect: false });
afterAll(() => redis.disconnect());

const backends: Array<[string, (w: ReturnType<typeof world>) => NonNullable<ClientOptions["stores"]>]> = [
  ["memory", () => memoryStores()],
  [
    "redis",
    (w) =>
      redisStores(redis, {
        phoneNumberId: w.fake.phoneNumberId,
        prefix: `attack:lift:${Math.random().toString(36).slice(2)}`,
      }),
  ],
];

describe.each(backends)("a late lift between two restrictions of one scope (%s)", (_name, stores) => {
  it("DISABLE t1, DISABLE t3, then a late REINSTATE t2: the account stays disabled", async () => {
    const w = world();
    const wa = w.client({ stores: stores(w) });
    await wa.consent.grant(USER, { scope: "utility", source: "form" });
    const t1 = w.clock.now();
    const disable = (at: number) =>
      w.account({ event: "DISABLED_UPDATE", ban_info: { waba_ban_state: "DISABLE" } }, at);
    await wa.webhooks.handle(w.fake.webhooks.request(disable(t1)));
    w.clock.advance(2 * HOUR);
    const t3 = w.clock.now();
    await wa.webhooks.handle(w.fake.webhooks.request(disable(t3)));
    w.clock.advance(60_000);
    // The REINSTATE Meta sent at t1 + 1 h (between the two DISABLEs) arrives late.
    const late = await wa.webhooks.handle(
      w.fake.webhooks.request(
        w.account({ event: "DISABLED_UPDATE", ban_info: { waba_ban_state: "REINSTATE" } }, t1 + HOUR),
      ),
    );
    expect(late.status).toBe(200);
    // The newest word from Meta is the DISABLE at t3: nothing may be sent.
    expect(await w.outcome(w.notice(wa))).toBe("account-health");
    expect(w.reached()).toBe(0);
  });

  it("FLAGGED t1, FLAGGED t3, then a late UNFLAGGED t2: marketing stays stopped", async () => {
    const w = world();
    const wa = w.client({ stores: stores(w) });
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const t1 = w.clock.now();
    await wa.webhooks.handle(w.fake.webhooks.request(w.quality("FLAGGED", t1)));
    w.clock.advance(2 * HOUR);
    await wa.webhooks.handle(w.fake.webhooks.request(w.quality("FLAGGED", w.clock.now())));
    w.clock.advance(60_000);
    await wa.webhooks.handle(w.fake.webhooks.request(w.quality("UNFLAGGED", t1 + HOUR)));
    expect(await w.outcome(w.promo(wa))).toBe("account-health");
    expect(w.reached()).toBe(0);
  });
});
