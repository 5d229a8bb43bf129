/**
 * A health reading names the WABA, the business and the app as well as the phone number. When the
 * WABA (or business, or app) is BLOCKED, no number of it can send — but the hold the reading opens
 * is stored per phone number (Redis: `<prefix>:<phoneNumberId>:health`), so a second number of the
 * same WABA, whose instances read no health themselves (the docs suggest one watcher), keeps
 * sending to Meta. (Redis: the shared one, under a prefix of this test's own, deleted afterwards.)
 */
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import type { ClientOptions } from "../../../src/index.js";
import { redisStores } from "../../../src/redis/index.js";
import { FakeClock, fakeTransport } from "../../../src/testing/index.js";
import { BODY, CA, type Components, world } from "./world.js";

const OPT_OUT: Components = [BODY, { type: "FOOTER", text: "Reply STOP to opt out" }];
const SECOND = "200000000000002";
const prefix = `wa-guard-attack4-health-${process.pid}-${Date.now()}`;
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

describe("attack4: a BLOCKED WABA read through one number", () => {
  // Fixed: redisStores({ wabaId }) keeps the WABA's restrictions once for all its numbers.
  it("refuses the sends of the WABA's other number sharing the Redis", async () => {
    await redis.connect().catch(() => undefined);
    // Real time: the Redis store gives each hold a time to live from the server's clock.
    const w = world(OPT_OUT, {}, { clock: new FakeClock({ start: Date.now() }) });
    const inner = fakeTransport(w.fake);
    const reached: string[] = [];
    const transport: ClientOptions["transport"] = async (req) => {
      const url = req.url.replace(`/${SECOND}`, `/${w.fake.phoneNumberId}`);
      if (url.endsWith("/messages") && typeof req.body === "string") reached.push(req.url);
      return inner({ ...req, url });
    };
    const first = w.client({
      transport,
      stores: redisStores(redis, { prefix, phoneNumberId: w.fake.phoneNumberId, wabaId: w.fake.wabaId }),
    });
    const second = w.client({
      transport,
      phoneNumberId: SECOND,
      stores: redisStores(redis, { prefix, phoneNumberId: SECOND, wabaId: w.fake.wabaId }),
    });
    await first.consent.grant(CA, { scope: "utility", source: "order" });
    w.fake.setHealth("WABA", {
      canSendMessage: "BLOCKED",
      errors: [{ code: 141006, description: "Payment method issue" }],
    });
    const reading = await first.account.health({ refresh: true });
    expect(reading.status?.entities.find((e) => e.type === "WABA")?.canSendMessage).toBe("BLOCKED");
    w.clock.advance(1_000);
    expect(await w.outcome(first.messages.sendTemplate({ to: CA, name: "notice", language: "en_US" }))).toBe(
      "account-health",
    );
    const before = reached.length;
    expect(await w.outcome(second.messages.sendTemplate({ to: CA, name: "notice", language: "en_US" }))).toBe(
      "account-health",
    );
    expect(reached.length).toBe(before);
  });
});
