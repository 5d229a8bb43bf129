/**
 * attack8: attacks on the same changes that held (passing). Repair that keeps what the guarantee
 * reads, prototype-named keys in repaired elements, de-duplication of repaired elements, the
 * lazily built `\p{…}` regexes (shared global regexes across calls) in keyword normalisation and
 * the content guard, and numeric metadata ids that are exact integers.
 */
import { describe, expect, it } from "vitest";
import { sec, USER, WA_ID, world } from "../world.js";

type W = ReturnType<typeof world>;
const meta = (w: W) => ({ display_phone_number: "15550000000", phone_number_id: w.fake.phoneNumberId });
const inbound = (w: W, message: Record<string, unknown>, contacts: unknown = [{ wa_id: WA_ID }]) =>
  w.entry([
    {
      field: "messages",
      value: {
        messaging_product: "whatsapp",
        metadata: meta(w),
        contacts,
        messages: [{ from: WA_ID, timestamp: String(sec(w.clock.now())), ...message }],
      },
    },
  ]);

async function stopsMarketing(w: W, body: unknown) {
  const wa = w.client();
  await wa.consent.grant(USER, { scope: "marketing", source: "form" });
  const result = await wa.webhooks.handle(w.fake.webhooks.request(body));
  expect(result.status).toBe(200);
  await result.delivered;
  const before = w.reached();
  expect(await w.outcome(w.promo(wa))).toBe("consent");
  expect(w.reached()).toBe(before);
  return result;
}

describe("repair keeps what the guarantee reads", () => {
  it("an edit to read STOP, its original_message_id a number, stops", async () => {
    const w = world();
    await stopsMarketing(
      w,
      inbound(w, {
        id: "wamid.e1",
        type: "edit",
        edit: { original_message_id: 12345, message: { type: "text", text: { body: "STOP" } } },
      }),
    );
  });

  it("a quick-reply button STOP whose payload is a number stops (text kept)", async () => {
    const w = world();
    await stopsMarketing(
      w,
      inbound(w, { id: "wamid.q1", type: "button", button: { payload: 7, text: "STOP" } }),
    );
  });

  it("a STOP with `from` a number but from_user_id and a contact linking both stops the phone number", async () => {
    const w = world();
    const body = inbound(
      w,
      {
        id: "wamid.u1",
        type: "text",
        text: { body: "STOP" },
        from: Number(WA_ID),
        from_user_id: "US.13491208655302741918",
      },
      [{ wa_id: WA_ID, user_id: "US.13491208655302741918", profile: { name: "U" } }],
    );
    await stopsMarketing(w, body);
  });

  it("prototype-named keys (__proto__, constructor) beside a STOP neither pollute nor lose it", async () => {
    const w = world();
    const raw = `{"object":"whatsapp_business_account","entry":[{"id":"${w.fake.wabaId}","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":"${w.fake.phoneNumberId}","__proto__":{"phone_number_id":"other"}},"contacts":[{"wa_id":"${WA_ID}"}],"messages":[{"__proto__":{"group_id":"g1","text":{"body":"hello"}},"constructor":{"prototype":{"polluted":1}},"from":"${WA_ID}","id":"wamid.p1","timestamp":"${sec(w.clock.now())}","type":"text","text":{"body":"STOP"},"context":7}]}}]}]}`;
    await stopsMarketing(w, JSON.parse(raw));
    expect(({} as Record<string, unknown>)["group_id"]).toBeUndefined();
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("two repaired STOPs with one id and different odd fields are one delivery; a third id is another STOP", async () => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const a = await wa.webhooks.handle(
      w.fake.webhooks.request(
        inbound(w, { id: "wamid.d1", type: "text", text: { body: "STOP" }, context: 1 }),
      ),
    );
    await a.delivered;
    expect(a.events.map((e) => e.kind)).toContain("optOut");
    await wa.consent.grant(USER, { scope: "marketing", source: "form again" });
    const c = await wa.webhooks.handle(
      w.fake.webhooks.request(
        inbound(w, { id: "wamid.d2", type: "text", text: { body: "STOP" }, context: 2 }),
      ),
    );
    await c.delivered;
    expect(c.events.map((e) => e.kind)).toContain("optOut");
    expect(await w.outcome(w.promo(wa))).toBe("consent");
  });
});

describe("lazily built \\p{…} regexes keep no state between calls", () => {
  it("the same unusual STOP forms, alternated with other text, opt out every time", async () => {
    const forms = ["ＳＴＯＰ", "𝐒𝐓𝐎𝐏", "S\u200bT\u200bO\u200bP", "stöp", " Stop! ", "S T O P", "ＳＴＯＰ"];
    for (let round = 0; round < 2; round++) {
      for (const [i, form] of forms.entries()) {
        const w = world();
        const wa = w.client();
        await wa.consent.grant(USER, { scope: "marketing", source: "form" });
        // Unrelated text with marks and digits first, through the same normalisers.
        const noise = await wa.webhooks.handle(
          w.fake.webhooks.request(w.text(`n${round}${i}`, w.clock.now(), "é١٢٣ ok")),
        );
        await noise.delivered;
        const r = await wa.webhooks.handle(
          w.fake.webhooks.request(w.text(`s${round}${i}`, w.clock.now(), form)),
        );
        await r.delivered;
        expect(
          r.events.map((e) => e.kind),
          form,
        ).toContain("optOut");
      }
    }
  });

  it("a card number in other scripts' digits is refused on every send, not every other one", async () => {
    const w = world();
    const wa = w.client();
    const hi = await wa.webhooks.handle(w.fake.webhooks.request(w.text("wamid.hi", w.clock.now(), "hi")));
    await hi.delivered;
    const toDigits = (zero: number) => (s: string) =>
      s.replace(/\d/g, (d) => String.fromCodePoint(zero + Number(d)));
    const cards = [0x0660, 0x0966, 0xff10, 0x1d7ce].map((z) => toDigits(z)("4111 1111 1111 1111"));
    const before = w.reached();
    for (let i = 0; i < 3; i++)
      for (const body of cards)
        expect(await w.outcome(wa.messages.sendText({ to: USER, body })), body).not.toBe("sent");
    expect(w.reached()).toBe(before);
    expect(await w.outcome(wa.messages.sendText({ to: USER, body: "Order ٤٢ shipped" }))).toBe("sent");
  });
});

describe("numeric metadata ids that are exact integers", () => {
  it("1e14-style exponent and .0 forms of this number's id are this number's; another's is not", async () => {
    const w = world();
    const wa = w.client();
    const mine = Number(w.fake.phoneNumberId);
    const msg = (pid: unknown, id: string) => ({
      object: "whatsapp_business_account",
      entry: [
        {
          id: w.fake.wabaId,
          changes: [
            {
              field: "messages",
              value: {
                messaging_product: "whatsapp",
                metadata: { phone_number_id: pid },
                messages: [
                  {
                    from: WA_ID,
                    id,
                    timestamp: String(sec(w.clock.now())),
                    type: "text",
                    text: { body: "hi" },
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    const other = await wa.webhooks.handle(w.fake.webhooks.request(msg(mine + 1, "wamid.x1")));
    await other.delivered;
    expect(await w.outcome(wa.messages.sendText({ to: USER, body: "a" }))).toBe("session-window");
    // JSON text "…e0" / "….0" parse to the same exact integer as the id.
    const raw = JSON.stringify(msg(0, "wamid.x2")).replace(
      '"phone_number_id":0',
      `"phone_number_id":${mine}.0e0`,
    );
    const own = await wa.webhooks.handle(w.fake.webhooks.request(JSON.parse(raw)));
    await own.delivered;
    expect(await w.outcome(wa.messages.sendText({ to: USER, body: "b" }))).toBe("sent");
  });
});
