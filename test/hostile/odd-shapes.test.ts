/**
 * Webhook elements whose incidental fields arrive in a shape the reference does not show. What the
 * guarantee reads (a message's id, sender and text; a status's id, state, recipient and errors; a
 * preference's value) is there and well formed; a field beside it is not. Such an element must
 * still do its job — a STOP must still stop — not become an `unknown` event that changes nothing.
 */
import { describe, expect, it } from "vitest";
import { sec, USER, WA_ID, world } from "./world.js";

const odd: Array<[string, Record<string, unknown>]> = [
  ["context.forwarded as a string", { context: { forwarded: "true" } }],
  [
    "identity.created_timestamp as a date-time",
    { identity: { created_timestamp: "2026-04-19T13:59:20+0000" } },
  ],
  ["referral.source_id as a number", { referral: { source_id: 120_211_234_567 } }],
  ["the message timestamp as a date-time", { timestamp: "2026-04-19T13:59:20+0000" }],
  ["errors with a null code", { errors: [{ code: null }] }],
  ["contacts as an object", { contacts: {} }],
  ["sticker.animated as a string", { sticker: { animated: "false" } }],
  ["reaction as a string", { reaction: "👍" }],
];

describe("a STOP with an incidental field in an odd shape still stops", () => {
  it.each(odd)("%s", async (_name, extra) => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const at = w.clock.now();
    const body = {
      object: "whatsapp_business_account",
      entry: [
        {
          id: w.fake.wabaId,
          changes: [
            {
              field: "messages",
              value: {
                messaging_product: "whatsapp",
                metadata: { display_phone_number: "15550000000", phone_number_id: w.fake.phoneNumberId },
                contacts: [{ wa_id: WA_ID, profile: { name: "U" } }],
                messages: [
                  {
                    from: WA_ID,
                    id: "wamid.odd",
                    timestamp: String(sec(at)),
                    type: "text",
                    text: { body: "STOP" },
                    ...extra,
                  },
                ],
              },
            },
          ],
        },
      ],
    };
    const result = await wa.webhooks.handle(w.fake.webhooks.request(body));
    expect(result.status).toBe(200);
    await result.delivered;
    expect(result.events.map((e) => e.kind)).toContain("optOut");
    expect((await wa.consent.status(USER, "marketing")).granted).toBe(false);
    const before = w.reached();
    expect(await w.outcome(w.promo(wa))).toBe("consent");
    expect(w.reached()).toBe(before);
  });
});

describe("other elements the guarantee reads, with an incidental field in an odd shape", () => {
  const meta = (w: ReturnType<typeof world>) => ({
    display_phone_number: "15550000000",
    phone_number_id: w.fake.phoneNumberId,
  });

  it.each<[string, Record<string, unknown>]>([
    ["conversation as a string", { conversation: "c1" }],
    ["pricing.billable as a string", { pricing: { billable: "true" } }],
    ["biz_opaque_callback_data as a number", { biz_opaque_callback_data: 7 }],
    ["one of two errors without a usable shape", { errors: ["oops", { code: 131050, title: "failed" }] }],
    ["its status in capitals", { status: "FAILED" }],
  ])(
    "a failed status with 131050 (the user stopped marketing) and %s still revokes marketing",
    async (_n, extra) => {
      const w = world();
      const wa = w.client();
      await wa.consent.grant(USER, { scope: "marketing", source: "form" });
      const body = w.entry([
        {
          field: "messages",
          value: {
            messaging_product: "whatsapp",
            metadata: meta(w),
            statuses: [
              {
                id: "wamid.f",
                status: "failed",
                timestamp: String(sec(w.clock.now())),
                recipient_id: WA_ID,
                errors: [{ code: 131050, title: "failed" }],
                ...extra,
              },
            ],
          },
        },
      ]);
      const result = await wa.webhooks.handle(w.fake.webhooks.request(body));
      expect(result.status).toBe(200);
      await result.delivered;
      expect((await wa.consent.status(USER, "marketing")).granted).toBe(false);
      const before = w.reached();
      expect(await w.outcome(w.promo(wa))).toBe("consent");
      expect(w.reached()).toBe(before);
    },
  );

  it.each<[string, Record<string, unknown>]>([
    ["detail as an object", { detail: { text: "stop" } }],
    ["category as a number", { category: 1 }],
    ["timestamp as a date-time", { timestamp: "2026-04-19T13:59:20+0000" }],
    ["its value in capitals", { value: "STOP" }],
    ["its value capitalised, with spaces", { value: " Stop " }],
  ])("a user_preferences stop with %s still stops marketing", async (_n, extra) => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const body = w.entry([
      {
        field: "user_preferences",
        value: {
          messaging_product: "whatsapp",
          metadata: meta(w),
          contacts: [{ wa_id: WA_ID, profile: { name: "U" } }],
          user_preferences: [
            {
              wa_id: WA_ID,
              detail: "User requested to stop marketing messages",
              category: "marketing_messages",
              value: "stop",
              timestamp: sec(w.clock.now()),
              ...extra,
            },
          ],
        },
      },
    ]);
    const result = await wa.webhooks.handle(w.fake.webhooks.request(body));
    expect(result.status).toBe(200);
    await result.delivered;
    const before = w.reached();
    expect(await w.outcome(w.promo(wa))).toBe("consent");
    expect(w.reached()).toBe(before);
  });

  it("a template PAUSED whose reason is a number still stops the template", async () => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    expect(await w.outcome(w.promo(wa))).toBe("sent");
    const body = w.entry(
      [
        {
          field: "message_template_status_update",
          value: {
            event: "PAUSED",
            message_template_id: Number(w.fake.templates.find("promo", "en_US")?.id ?? 1),
            message_template_name: "promo",
            message_template_language: "en_US",
            reason: 42,
          },
        },
      ],
      w.clock.now(),
    );
    const result = await wa.webhooks.handle(w.fake.webhooks.request(body));
    expect(result.status).toBe(200);
    await result.delivered;
    w.clock.advance(60_000);
    const before = w.reached();
    expect(await w.outcome(w.promo(wa, 1))).toBe("template");
    expect(w.reached()).toBe(before);
  });
});

describe("metadata ids sent as JSON numbers", () => {
  const message = (w: ReturnType<typeof world>, phoneNumberId: unknown, id: string) =>
    w.entry([
      {
        field: "messages",
        value: {
          messaging_product: "whatsapp",
          metadata: { display_phone_number: 15550000000, phone_number_id: phoneNumberId },
          contacts: [{ wa_id: WA_ID, profile: { name: "U" } }],
          messages: [
            { from: WA_ID, id, timestamp: String(sec(w.clock.now())), type: "text", text: { body: "hi" } },
          ],
        },
      },
    ]);

  it("a message to another number, its id a number, opens no window on this one", async () => {
    const w = world();
    const wa = w.client();
    const other = 200000000000002;
    const result = await wa.webhooks.handle(w.fake.webhooks.request(message(w, other, "wamid.o")));
    expect(result.status).toBe(200);
    const before = w.reached();
    expect(await w.outcome(wa.messages.sendText({ to: USER, body: "free-form" }))).toBe("session-window");
    expect(w.reached()).toBe(before);
  });

  it("a message to this number, its id a number, opens this number's window", async () => {
    const w = world();
    const wa = w.client();
    w.fake.messaging.receiveMessage(USER, { text: "hi" }); // Meta's side of it
    const mine = Number(w.fake.phoneNumberId);
    const result = await wa.webhooks.handle(w.fake.webhooks.request(message(w, mine, "wamid.m")));
    expect(result.status).toBe(200);
    expect(await w.outcome(wa.messages.sendText({ to: USER, body: "free-form" }))).toBe("sent");
  });
});

describe("a repaired STOP when the store fails right there", () => {
  it("answers 500, and Meta's redelivery (repaired the same way) records it", async () => {
    const w = world();
    const { memoryStores } = await import("../../src/index.js");
    const stores = memoryStores();
    let fail = true;
    const consent = {
      append: async (e: Parameters<typeof stores.consent.append>[0]) => {
        if (fail && e.action === "revoke") throw new Error("store stalled");
        return stores.consent.append(e);
      },
      history: (k: string) => stores.consent.history(k),
    };
    const wa = w.client({ stores: { ...stores, consent } });
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const body = w.entry([
      {
        field: "messages",
        value: {
          messaging_product: "whatsapp",
          metadata: { display_phone_number: "15550000000", phone_number_id: w.fake.phoneNumberId },
          messages: [
            {
              from: Number(WA_ID), // read as its digits
              id: "wamid.odd.fail",
              timestamp: String(sec(w.clock.now())),
              type: "text",
              text: { body: "STOP" },
              context: { forwarded: "yes" }, // left out
            },
          ],
        },
      },
    ]);
    const first = await wa.webhooks.handle(w.fake.webhooks.request(body));
    expect(first.status).toBe(500);
    fail = false;
    w.clock.advance(5 * 60_000);
    const second = await wa.webhooks.handle(w.fake.webhooks.request(body));
    expect([second.status, second.duplicates]).toEqual([200, 0]);
    expect((await wa.consent.status(USER, "marketing")).granted).toBe(false);
    const third = await wa.webhooks.handle(w.fake.webhooks.request(body));
    expect([third.status, third.duplicates]).toEqual([200, 1]);
    expect(await w.outcome(w.promo(wa))).toBe("consent");
    expect(w.reached()).toBe(0);
  });
});

describe("hostile shapes: a message without a readable id or type still says STOP", () => {
  // Meta always sends both; a message lacking one was an unknown event, and its STOP was lost.
  const stopWith = (w: ReturnType<typeof world>, fields: Record<string, unknown>) =>
    w.entry([
      {
        field: "messages",
        value: {
          messaging_product: "whatsapp",
          metadata: { display_phone_number: "15550000000", phone_number_id: w.fake.phoneNumberId },
          contacts: [{ wa_id: WA_ID, profile: { name: "U" } }],
          messages: [
            { from: WA_ID, timestamp: String(sec(w.clock.now())), text: { body: "STOP" }, ...fields },
          ],
        },
      },
    ]);

  it.each([
    ["no id", { type: "text" }, false],
    ["a null id", { id: null, type: "text" }, false],
    ["an object id", { id: { v: 1 }, type: "text" }, false],
    ["no type", { id: "wamid.notype" }, true],
    ["a numeric type", { id: "wamid.numtype", type: 7 }, true],
    ["a numeric id", { id: 4_242, type: "text" }, true],
  ])("with %s: marketing stops; a window opens only with a readable id", async (_what, fields, opens) => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const body = stopWith(w, fields);
    const first = await wa.webhooks.handle(w.fake.webhooks.request(body));
    expect(first.status).toBe(200);
    expect(first.events.map((e) => e.kind)).toEqual(["message", "optOut"]);
    expect((await wa.consent.status(USER, "marketing")).granted).toBe(false);
    expect(await w.outcome(w.promo(wa))).toBe("consent");
    expect((await wa.sessions.status(USER)).open).toBe(opens);
    // Meta's redelivery is a duplicate, with or without an id.
    const again = await wa.webhooks.handle(w.fake.webhooks.request(body));
    expect([again.status, again.duplicates, again.events.length]).toEqual([200, 1, 0]);
    expect(w.reached()).toBe(0);
  });
});
