/**
 * Warm-up on a shared Redis (held): two clients on one prefix — each decision in one round trip
 * (the speculative capacity path) — fire 20 sends at once each: one reaches Meta. Redis: the shared one, under a prefix of this
 * test's own, deleted afterwards.
 */
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { redisStores } from "../../../src/redis/index.js";
import { FakeClock } from "../../../src/testing/index.js";
import { BODY, world } from "../attack4/world.js";

const prefix = `wa-guard-attack5-warm-${process.pid}-${Date.now()}`;
const redis = new Redis({ host: "127.0.0.1", port: 6379, maxRetriesPerRequest: 1, lazyConnect: true });
afterAll(async () => {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== "0");
  redis.disconnect();
});

const to = (i: number) => `+1416555${String(1000 + i)}`;

describe("attack5: warm-up on one Redis (held)", () => {
  it("two clients, 40 sends at once: one reaches Meta", async () => {
    await redis.connect().catch(() => undefined);
    const clock = new FakeClock({ start: Date.now() });
    const w = world(
      [BODY, { type: "FOOTER", text: "Reply STOP to opt out" }],
      {
        warmUp: { since: clock.now() },
        messagingLimit: { tier: "unlimited" },
        pairRate: { burst: 1, intervalMs: 3_600_000 },
      },
      { clock },
    );
    const stores = () => redisStores(redis, { prefix, phoneNumberId: w.fake.phoneNumberId });
    const a = w.client({ stores: stores() });
    const b = w.client({ stores: stores() });
    for (let i = 0; i < 40; i++) await a.consent.grant(to(i), { scope: "marketing", source: "form" });
    const promo = (c: typeof a, i: number) =>
      w.outcome(c.messages.sendTemplate({ to: to(i), name: "promo", language: "en_US" }));
    const outs = await Promise.all(Array.from({ length: 40 }, (_, i) => promo(i % 2 ? a : b, i)));
    expect(outs.filter((o) => o === "sent").length).toBe(1);
    expect(w.sends().length).toBe(1);
  });

  it('since "first-send": 40 sends at once from two clients start one ramp; a client built later follows it', async () => {
    await redis.connect().catch(() => undefined);
    const clock = new FakeClock({ start: Date.now() });
    const w = world(
      [BODY, { type: "FOOTER", text: "Reply STOP to opt out" }],
      {
        warmUp: { since: "first-send" },
        messagingLimit: { tier: "unlimited" },
        pairRate: { burst: 1, intervalMs: 3_600_000 },
      },
      { clock },
    );
    const p = `${prefix}-first`;
    const stores = () => redisStores(redis, { prefix: p, phoneNumberId: w.fake.phoneNumberId });
    const a = w.client({ stores: stores() });
    const b = w.client({ stores: stores() });
    for (let i = 0; i < 40; i++) await a.consent.grant(to(i), { scope: "marketing", source: "form" });
    const promo = (c: typeof a, i: number) =>
      w.outcome(c.messages.sendTemplate({ to: to(i), name: "promo", language: "en_US" }));
    const outs = await Promise.all(Array.from({ length: 40 }, (_, i) => promo(i % 2 ? a : b, i)));
    expect(outs.filter((o) => o === "sent").length).toBe(1);
    expect(w.sends().length).toBe(1);
    const later = w.client({ stores: stores() });
    expect(await later.policy.pipeline!.warmUpNow()).toMatchObject({ step: { fromHours: 0 }, leftToday: 19 });
  });
});
