/**
 * attack9 — attacks on the change that held (passing): two distinct STOP messages of one second
 * with a grant between them both count (the grant is withdrawn); a 131050 status replayed after
 * the window with a different list of errors is recorded once and Meta's resume of that second
 * stands; an `edit` to read STOP (its own id) replayed after the window leaves a grant of the same
 * second standing; a STOP tap on a quick-reply button replayed likewise; with Redis stores
 * (prefix `attack9-held-*`, deleted after) a STOP replayed to a fresh instance leaves the grant of
 * its second standing (the proof survives the round trip).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisStores } from "../../../src/redis/index.js";
import { MemoryWebhookDedupStore } from "../../../src/state/index.js";
import { sharedRedis } from "../attack6/two.js";
import { DAY, sec, USER, WA_ID, world } from "../world.js";
import { failedStatus, onSecond } from "./helpers.js";

type W = ReturnType<typeof world>;
const message = (w: W, id: string, at: number, body: Record<string, unknown>) =>
  w.entry([
    {
      field: "messages",
      value: {
        messaging_product: "whatsapp",
        metadata: { display_phone_number: "15550000000", phone_number_id: w.fake.phoneNumberId },
        contacts: [{ wa_id: WA_ID, profile: { name: "U" } }],
        messages: [{ from: WA_ID, id, timestamp: String(sec(at)), ...body }],
      },
    },
  ]);

describe("attack9 held: distinct messages count, one message counts once", () => {
  it("two STOPs of one second with a grant between them: the second withdraws the grant", async () => {
    const w = onSecond(world());
    const wa = w.client();
    const t = w.clock.now();
    await wa.webhooks.handle(w.fake.webhooks.request(w.stop("wamid.a9h-1", t)));
    w.clock.advance(300);
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    w.clock.advance(300);
    await wa.webhooks.handle(w.fake.webhooks.request(w.stop("wamid.a9h-2", t)));
    expect(await w.outcome(w.promo(wa))).toBe("consent");
  });

  it("a 131050 replayed late with other errors is recorded once; the resume of its second stands", async () => {
    const w = onSecond(world());
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    w.clock.advance(1000);
    const t = w.clock.now();
    await wa.webhooks.handle(w.fake.webhooks.request(failedStatus(w, "wamid.a9h-f", t)));
    await wa.webhooks.handle(w.fake.webhooks.request(w.preference("resume", t)));
    w.clock.advance(8 * DAY);
    const other = failedStatus(w, "wamid.a9h-f", t, [{ code: 131026 }, { code: 131050 }, { code: 131050 }]);
    expect((await wa.webhooks.handle(w.fake.webhooks.request(other))).status).toBe(200);
    expect((await wa.consent.history(USER)).filter((e) => e.source === "meta:131050")).toHaveLength(1);
    expect((await wa.consent.status(USER, "marketing")).granted).toBe(true);
  });

  it.each([
    [
      "an edit to read STOP",
      {
        type: "edit",
        edit: { original_message_id: "wamid.orig", message: { type: "text", text: { body: "STOP" } } },
      },
    ],
    ["a quick-reply STOP tap", { type: "button", button: { payload: "STOP", text: "STOP" } }],
  ])("%s replayed late leaves a grant of its second standing", async (_name, body) => {
    const w = onSecond(world());
    const wa = w.client();
    const t = w.clock.now();
    const stop = message(w, "wamid.a9h-e", t, body);
    const first = await wa.webhooks.handle(w.fake.webhooks.request(stop));
    expect(first.events.map((e) => e.kind)).toEqual(["message", "optOut"]);
    w.clock.advance(400);
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    w.clock.advance(8 * DAY);
    await wa.webhooks.handle(w.fake.webhooks.request(stop));
    expect(await w.outcome(w.promo(wa))).toBe("sent");
  });
});

const PREFIX = `attack9-held-${process.pid}`;
const r = sharedRedis(PREFIX);
beforeAll(r.connect);
afterAll(r.cleanup);

describe("attack9 held: Redis", () => {
  it("a STOP replayed late to a fresh instance leaves the grant of its second standing", async () => {
    const w = onSecond(world());
    const stores = () => ({
      ...redisStores(r.redis, { prefix: PREFIX, phoneNumberId: w.fake.phoneNumberId, wabaId: w.fake.wabaId }),
      webhookDedup: new MemoryWebhookDedupStore(),
    });
    const wa = w.client({ stores: stores() });
    const stop = w.stop("wamid.a9h-r", w.clock.now());
    await wa.webhooks.handle(w.fake.webhooks.request(stop));
    w.clock.advance(400);
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    w.clock.advance(8 * DAY);
    const later = w.client({ stores: stores() });
    expect((await later.webhooks.handle(w.fake.webhooks.request(stop))).status).toBe(200);
    expect(await later.consent.history(USER)).toHaveLength(2);
    expect(await w.outcome(w.promo(later))).toBe("sent");
  });
});
