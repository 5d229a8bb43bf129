/**
 * Templates belong to the WABA, not to a phone number: a pause Meta announces, or an edit or
 * delete made through wa.templates, concerns every number of the WABA. The shared template list
 * is kept per phone number (Redis: `<prefix>:<phoneNumberId>:templates`), so the instances of a
 * second number of the same WABA keep their cached APPROVED copy for up to the list's TTL
 * (10 minutes) and send the paused or deleted template to Meta. (Redis: the shared one, under a
 * prefix of this test's own, deleted afterwards.)
 */
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { type ClientOptions, memoryStores } from "../../../src/index.js";
import { redisStores } from "../../../src/redis/index.js";
import { fakeTransport } from "../../../src/testing/index.js";
import { BODY, CA, type Components, world } from "./world.js";

const OPT_OUT: Components = [BODY, { type: "FOOTER", text: "Reply STOP to opt out" }];
const SECOND = "200000000000002";
const prefix = `wa-guard-attack4-tpl-${process.pid}-${Date.now()}`;
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

/** One fake Meta answering for both numbers of the WABA; sends that reach it are counted. */
function twoNumbers() {
  const w = world(OPT_OUT);
  const inner = fakeTransport(w.fake);
  const reached: string[] = [];
  const transport: ClientOptions["transport"] = async (req) => {
    const url = req.url.replace(`/${SECOND}/`, `/${w.fake.phoneNumberId}/`);
    if (url.endsWith("/messages") && typeof req.body === "string" && !req.body.includes('"status":"read"'))
      reached.push(req.url);
    return inner({ ...req, url });
  };
  return { ...w, transport, reached };
}

const send = (wa: { messages: { sendTemplate: (m: never) => Promise<unknown> } }) =>
  wa.messages.sendTemplate({ to: CA, name: "promo", language: "en_US" } as never);

describe("attack4: a template change reaches every number of the WABA", () => {
  // Fixed: with redisStores({ wabaId }) the template list is the WABA's.
  it("Redis: a template deleted through the first number's client is not sent from the second number", async () => {
    await redis.connect().catch(() => undefined);
    const w = twoNumbers();
    const first = w.client({
      transport: w.transport,
      stores: redisStores(redis, { prefix, phoneNumberId: w.fake.phoneNumberId, wabaId: w.fake.wabaId }),
    });
    const second = w.client({
      transport: w.transport,
      phoneNumberId: SECOND,
      stores: redisStores(redis, { prefix, phoneNumberId: SECOND, wabaId: w.fake.wabaId }),
    });
    await first.consent.grant(CA, { scope: "marketing", source: "form" });
    expect(await w.outcome(send(first))).toBe("sent");
    w.clock.advance(1_000);
    expect(await w.outcome(send(second))).toBe("sent");
    await first.templates.delete({ name: "promo" });
    w.clock.advance(60_000);
    const before = w.reached.length;
    expect(await w.outcome(send(first))).toBe("template");
    expect(await w.outcome(send(second))).toBe("template");
    expect(w.reached.length).toBe(before);
  });

  // Fixed: as above.
  it("Redis: a PAUSED webhook handled by the first number's endpoint pauses the template for the second", async () => {
    await redis.connect().catch(() => undefined);
    const w = twoNumbers();
    const p = `${prefix}-b`;
    const first = w.client({
      transport: w.transport,
      stores: redisStores(redis, { prefix: p, phoneNumberId: w.fake.phoneNumberId, wabaId: w.fake.wabaId }),
    });
    const second = w.client({
      transport: w.transport,
      phoneNumberId: SECOND,
      stores: redisStores(redis, { prefix: p, phoneNumberId: SECOND, wabaId: w.fake.wabaId }),
    });
    await first.consent.grant(CA, { scope: "marketing", source: "form" });
    expect(await w.outcome(send(first))).toBe("sent");
    w.clock.advance(1_000);
    expect(await w.outcome(send(second))).toBe("sent");
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
    expect((await w.deliver(first, body)).status).toBe(200);
    w.clock.advance(60_000);
    const before = w.reached.length;
    expect(await w.outcome(send(first))).toBe("template");
    expect(await w.outcome(send(second))).toBe("template");
    expect(w.reached.length).toBe(before);
  });

  it("in process: withOptions({ phoneNumberId }) and a second-number client on one memoryStores()", async () => {
    const w = twoNumbers();
    const stores = memoryStores();
    const first = w.client({ transport: w.transport, stores });
    const copy = first.withOptions({ phoneNumberId: SECOND });
    await first.consent.grant(CA, { scope: "marketing", source: "form" });
    expect(await w.outcome(send(first))).toBe("sent");
    w.clock.advance(1_000);
    expect(await w.outcome(send(copy))).toBe("sent");
    await first.templates.delete({ name: "promo" });
    w.clock.advance(60_000);
    const before = w.reached.length;
    expect(await w.outcome(send(copy))).toBe("template");
    expect(w.reached.length).toBe(before);
  });
});
