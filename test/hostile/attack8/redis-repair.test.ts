/**
 * attack8: two of the repair defects (repair-changes-meaning.test.ts) with Redis stores at
 * 127.0.0.1:6379 (prefix `attack8-redis-*`, deleted after): a group message whose group_id is a
 * number opens a 1:1 window, and an old resume whose timestamp is unreadable undoes a newer stop.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisStores } from "../../../src/redis/index.js";
import { sharedRedis } from "../attack6/two.js";
import { sec, USER, WA_ID, world } from "../world.js";

const PREFIX = `attack8-redis-${process.pid}`;
const r = sharedRedis(PREFIX);
beforeAll(r.connect);
afterAll(r.cleanup);

type W = ReturnType<typeof world>;
const meta = (w: W) => ({ display_phone_number: "15550000000", phone_number_id: w.fake.phoneNumberId });
let n = 0;
const client = (w: W) =>
  w.client({
    stores: redisStores(r.redis, {
      prefix: `${PREFIX}-${++n}`,
      phoneNumberId: w.fake.phoneNumberId,
      wabaId: w.fake.wabaId,
    }),
  });

describe("repair defects with Redis stores", () => {
  it("a group message whose group_id is a number opens no 1:1 window with the sender", async () => {
    const w = world();
    const wa = client(w);
    const body = w.entry([
      {
        field: "messages",
        value: {
          messaging_product: "whatsapp",
          metadata: meta(w),
          contacts: [{ wa_id: WA_ID }],
          messages: [
            {
              from: WA_ID,
              id: "wamid.g",
              timestamp: String(sec(w.clock.now())),
              type: "text",
              text: { body: "hi all" },
              group_id: 120363000000,
            },
          ],
        },
      },
    ]);
    const res = await wa.webhooks.handle(w.fake.webhooks.request(body));
    expect(res.status).toBe(200);
    await res.delivered;
    const before = w.reached();
    expect(await w.outcome(wa.messages.sendText({ to: USER, body: "free-form" }))).toBe("session-window");
    expect(w.reached()).toBe(before);
  });

  it("an old resume whose timestamp is unreadable does not override a newer stop", async () => {
    const w = world();
    const wa = client(w);
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const t0 = w.clock.now();
    w.clock.advance(60_000);
    const stop = await wa.webhooks.handle(w.fake.webhooks.request(w.preference("stop", w.clock.now())));
    await stop.delivered;
    expect(await w.outcome(w.promo(wa))).toBe("consent");
    w.clock.advance(60_000);
    const late = w.entry([
      {
        field: "user_preferences",
        value: {
          messaging_product: "whatsapp",
          metadata: meta(w),
          user_preferences: [
            {
              wa_id: WA_ID,
              category: "marketing_messages",
              value: "resume",
              timestamp: new Date(t0).toISOString(),
            },
          ],
        },
      },
    ]);
    const res = await wa.webhooks.handle(w.fake.webhooks.request(late));
    expect(res.status).toBe(200);
    await res.delivered;
    const before = w.reached();
    expect(await w.outcome(w.promo(wa, 1))).toBe("consent");
    expect(w.reached()).toBe(before);
  });
});
