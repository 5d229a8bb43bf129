/**
 * While a fleet moves to the cluster layout, docs/deployment.md says to run migrateRedisLayout in
 * a loop. The copy sets a string "where there is none" — also the shared template list. A PAUSED
 * webhook handled by a new (cluster layout) instance drops the target's list; the next pass copies
 * the old instances' list (still APPROVED, fetched minutes ago) back in, and the new instances,
 * which knew the template was paused, take it from the shared list and send the paused template
 * to Meta (132015). (Both layouts on the shared Redis, under a prefix of this test's own.)
 */
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { migrateRedisLayout, redisStores } from "../../../src/redis/index.js";
import { BODY, CA, type Components, world } from "./world.js";

const OPT_OUT: Components = [BODY, { type: "FOOTER", text: "Reply STOP to opt out" }];
const prefix = `wa-guard-attack4-mig-${process.pid}-${Date.now()}`;
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

describe("attack4: migrateRedisLayout and the shared template list", () => {
  it("a pause the new instances learnt is not undone by the next pass of the migration", async () => {
    await redis.connect().catch(() => undefined);
    const w = world(OPT_OUT);
    const stores = (keyLayout: "single" | "cluster") =>
      redisStores(redis, { prefix, phoneNumberId: w.fake.phoneNumberId, keyLayout });
    const old = w.client({ stores: stores("single") });
    const next = w.client({ stores: stores("cluster") });
    await old.consent.grant(CA, { scope: "marketing", source: "form" });
    await migrateRedisLayout(redis, redis, { prefix });
    const send = (wa: typeof old) => wa.messages.sendTemplate({ to: CA, name: "promo", language: "en_US" });
    expect(await w.outcome(send(old))).toBe("sent");
    w.clock.advance(1_000);
    expect(await w.outcome(send(next))).toBe("sent");

    // Meta pauses the template; the webhook reaches a new instance.
    w.fake.templates.setStatus("promo", "PAUSED", "en_US");
    const id = Number(w.fake.templates.find("promo", "en_US")?.id);
    const body = {
      object: "whatsapp_business_account",
      entry: [
        {
          id: w.fake.wabaId,
          time: Math.floor(w.clock.now() / 1000),
          changes: [
            {
              field: "message_template_status_update",
              value: {
                event: "PAUSED",
                message_template_id: id,
                message_template_name: "promo",
                message_template_language: "en_US",
                reason: "NONE",
              },
            },
          ],
        },
      ],
    };
    expect((await w.deliver(next, body)).status).toBe(200);
    w.clock.advance(1_000);
    expect(await w.outcome(send(next))).toBe("template");

    // The next pass of the migration loop.
    await migrateRedisLayout(redis, redis, { prefix });
    const before = w.sends().length;
    for (const ms of [6_000, 6_000, 60_000]) {
      w.clock.advance(ms);
      expect(await w.outcome(send(next))).toBe("template");
    }
    expect(w.sends().length).toBe(before);
  });
});
