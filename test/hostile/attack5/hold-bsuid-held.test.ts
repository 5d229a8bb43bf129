/**
 * The 131049 hold under the other identifier (held): a marketing template to a person's phone
 * number fails with 131049; the same person written as their BSUID (linked by an earlier webhook
 * naming both) gets no marketing template either — with memory stores and with Redis stores.
 * Redis: the shared one, under a prefix of this test's own, deleted afterwards.
 */
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { memoryStores } from "../../../src/index.js";
import { redisStores } from "../../../src/redis/index.js";
import { FakeClock } from "../../../src/testing/index.js";
import { BODY, CA, world } from "../attack4/world.js";

const prefix = `wa-guard-attack5-hold-${process.pid}-${Date.now()}`;
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

const WA_ID = "14165550101";
const BSUID = "CA.5550177000111";

for (const kind of ["memory", "redis"] as const) {
  describe(`attack5: 131049 hold under the BSUID (${kind}, held)`, () => {
    it("the person's BSUID is held too", async () => {
      if (kind === "redis") await redis.connect().catch(() => undefined);
      const clock = new FakeClock({ start: Date.now() });
      const w = world([BODY, { type: "FOOTER", text: "Reply STOP to opt out" }], {}, { clock });
      const wa = w.client({
        stores:
          kind === "redis"
            ? redisStores(redis, { prefix, phoneNumberId: w.fake.phoneNumberId })
            : memoryStores(),
      });
      w.fake.blocklist.linkUser(`+${WA_ID}`, BSUID);
      await w.deliver(wa, w.inbound("wamid.hi", "hello", { waId: WA_ID, userId: BSUID }));
      clock.advance(25 * 3_600_000);
      await wa.consent.grant(CA, { scope: "marketing", source: "form" });
      w.fake.messaging.marketingCapped.add(WA_ID);
      expect(await w.outcome(wa.messages.sendTemplate({ to: CA, name: "promo", language: "en_US" }))).toBe(
        "sent",
      );
      await w.fake.webhooks.deliver(wa);
      clock.advance(60_000);
      const before = w.sends().length;
      expect(await w.outcome(wa.messages.sendTemplate({ to: BSUID, name: "promo", language: "en_US" }))).toBe(
        "frequency",
      );
      expect(w.sends().length).toBe(before);
    });
  });
}
