/**
 * A fleet moving from one Redis's key names to the cluster layout (migrateRedisLayout): a STOP
 * written by an old instance under the user's BSUID, linked to their phone number, still refuses
 * a new instance's marketing template to the phone number — also a STOP that arrives on an old
 * instance after the first copy, once the copy runs again. (Both layouts on the shared Redis, under
 * a prefix of this test's own, deleted afterwards.)
 */
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { migrateRedisLayout, redisStores } from "../../../src/redis/index.js";
import { BODY, type Components, world } from "./world.js";

const OPT_OUT: Components = [BODY, { type: "FOOTER", text: "Reply STOP to opt out" }];
const WA_ID = "14165550177";
const PHONE = `+${WA_ID}`;
const BSUID = "CA.5550177000111";
const prefix = `wa-guard-attack4-${process.pid}-${Date.now()}`;
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

describe("attack4: a STOP across migrateRedisLayout", () => {
  it("held: a STOP under a linked BSUID, written under the old layout, refuses the phone under the new one", async () => {
    await redis.connect().catch(() => undefined);
    const w = world(OPT_OUT);
    const stores = (keyLayout: "single" | "cluster") =>
      redisStores(redis, { prefix, phoneNumberId: w.fake.phoneNumberId, keyLayout });
    const old = w.client({ stores: stores("single") });
    const next = w.client({ stores: stores("cluster") });
    await old.consent.grant(PHONE, { scope: "marketing", source: "form" });
    expect((await w.deliver(old, w.inbound("wamid.a", "hi", { waId: WA_ID, userId: BSUID }))).status).toBe(
      200,
    );
    w.clock.advance(60_000);
    await migrateRedisLayout(redis, redis, { prefix });
    // Before any STOP, the new instance sends (the grant and the link were copied).
    w.clock.advance(25 * 3_600_000);
    expect(await w.outcome(next.messages.sendTemplate({ to: PHONE, name: "promo", language: "en_US" }))).toBe(
      "sent",
    );
    // The user writes STOP from their username: an old instance records it after the first copy.
    w.clock.advance(60_000);
    expect((await w.deliver(old, w.inbound("wamid.s", "STOP", { userId: BSUID }))).status).toBe(200);
    await migrateRedisLayout(redis, redis, { prefix });
    const before = w.sends().length;
    w.clock.advance(60_000);
    expect(await w.outcome(next.messages.sendTemplate({ to: PHONE, name: "promo", language: "en_US" }))).toBe(
      "consent",
    );
    expect(await w.outcome(next.messages.sendTemplate({ to: BSUID, name: "promo", language: "en_US" }))).toBe(
      "consent",
    );
    expect(w.sends().length).toBe(before);
  });
});
