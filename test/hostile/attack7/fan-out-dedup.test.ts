/**
 * Attacks: docs/webhooks.md — "One app has one webhook URL for all its phone numbers. ... Point
 * the webhook at one client per number". With one URL, that means handing each delivery to every
 * number's client. The webhook de-duplication store is the business's (one `memoryStores()`:
 * shared as is; Redis: `<prefix>:seen`, no phone number in it), so the first number's client marks
 * the delivery seen and the second number's client skips it as a redelivery: the failed status of
 * the second number's own send (131048, its spam limit: templates stop for an hour) is never
 * learnt by it, and its next template reaches Meta. A `withOptions` copy (its own dedup) is the
 * control.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryStores, type WhatsAppClient } from "../../../src/index.js";
import { redisStores } from "../../../src/redis/index.js";
import { MemoryWebhookDedupStore } from "../../../src/state/index.js";
import { CA, SECOND, sharedRedis, twoNumbers } from "../attack6/two.js";

const CA_WA = "14165550101";
const PREFIX = `attack7-fanout-${process.pid}`;
const r = sharedRedis(PREFIX);
beforeAll(r.connect);
afterAll(r.cleanup);

function failedStatus(w: ReturnType<typeof twoNumbers>, phoneNumberId: string, code: number) {
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: w.fake.wabaId,
        time: Math.floor(w.clock.now() / 1000),
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550000002", phone_number_id: phoneNumberId },
              statuses: [
                {
                  id: `wamid.fan-${code}`,
                  status: "failed",
                  timestamp: String(Math.floor(w.clock.now() / 1000)),
                  recipient_id: CA_WA,
                  errors: [{ code, title: "failed" }],
                },
              ],
            },
          },
        ],
      },
    ],
  };
}

describe("one delivery handed to both numbers' clients", () => {
  const run = async (make: (w: ReturnType<typeof twoNumbers>) => [WhatsAppClient, WhatsAppClient]) => {
    const w = twoNumbers();
    const [first, second] = make(w);
    await first.consent.grant(CA, { scope: "utility", source: "order" });
    expect(await w.notice(second)).toBe("sent");
    // The second number's send failed with its spam limit; the app's one URL gets it.
    const body = failedStatus(w, SECOND, 131048);
    expect((await w.deliver(first, body)).status).toBe(200);
    expect((await w.deliver(second, body)).status).toBe(200);
    const before = w.reached.length;
    const outcome = await w.notice(second);
    return { outcome, reached: w.reached.length - before, first: await w.notice(first) };
  };

  it("one memoryStores(): the second number learns its own 131048", async () => {
    const res = await run((w) => {
      const stores = memoryStores();
      return [
        w.client({ transport: w.transport, stores }),
        w.client({ transport: w.transport, stores, phoneNumberId: SECOND }),
      ];
    });
    expect(res.outcome).not.toBe("sent");
    expect(res.reached).toBe(0);
    expect(res.first).toBe("sent");
  });

  it("redisStores of one prefix and WABA: the second number learns its own 131048", async () => {
    const res = await run((w) => [
      w.client({
        transport: w.transport,
        stores: redisStores(r.redis, {
          prefix: PREFIX,
          phoneNumberId: w.fake.phoneNumberId,
          wabaId: w.fake.wabaId,
        }),
      }),
      w.client({
        transport: w.transport,
        phoneNumberId: SECOND,
        stores: redisStores(r.redis, { prefix: PREFIX, phoneNumberId: SECOND, wabaId: w.fake.wabaId }),
      }),
    ]);
    expect(res.outcome).not.toBe("sent");
    expect(res.reached).toBe(0);
  });

  it("control: one memoryStores() but the second client's own dedup store: it learns it", async () => {
    const res = await run((w) => {
      const stores = memoryStores();
      return [
        w.client({ transport: w.transport, stores }),
        w.client({
          transport: w.transport,
          stores: { ...stores, webhookDedup: new MemoryWebhookDedupStore() },
          phoneNumberId: SECOND,
        }),
      ];
    });
    expect(res.outcome).not.toBe("sent");
  });

  it("control: a withOptions copy for the second number learns it", async () => {
    const res = await run((w) => {
      const first = w.client({ transport: w.transport });
      return [first, first.withOptions({ phoneNumberId: SECOND })];
    });
    expect(res.outcome).not.toBe("sent");
    expect(res.first).toBe("sent");
  });
});
