/**
 * Attacks: `applyQualityUpdate` matching `display_phone_number` to this number's own (digits
 * only). The fake's number reads back as 15550001111. Written with "+", spaces and dashes it is
 * still this number (held); written with the international call prefix "00" (as a display number
 * is dialled from most of the world) the digits differ, so this number's own FLAGGED is taken for
 * another number's and its marketing reaches Meta. Also: a FLAGGED arriving before the client
 * ever read its number (the read fails) is taken (strict), an UNFLAGGED is not.
 */
import { describe, expect, it } from "vitest";
import { CA, twoNumbers } from "../attack6/two.js";

describe("phone_number_quality_update naming this number in other writings", () => {
  const setup = async () => {
    const w = twoNumbers();
    const wa = w.client({ transport: w.transport });
    await wa.consent.grant(CA, { scope: "marketing", source: "form" });
    const quality = (display: string, event: string) => ({
      object: "whatsapp_business_account",
      entry: [
        {
          id: w.fake.wabaId,
          time: Math.floor(w.clock.now() / 1000),
          changes: [
            { field: "phone_number_quality_update", value: { display_phone_number: display, event } },
          ],
        },
      ],
    });
    const promo = () => {
      w.clock.advance(60_000);
      return w.outcome(wa.messages.sendTemplate({ to: CA, name: "promo", language: "en_US" }));
    };
    return { w, wa, quality, promo };
  };

  for (const display of ["+1 555-000-1111", "+15550001111", "1 (555) 000 1111"]) {
    it(`held: FLAGGED naming "${display}" stops this number's marketing`, async () => {
      const { w, wa, quality, promo } = await setup();
      expect(w.fake.displayPhoneNumber).toBe("15550001111");
      expect((await w.deliver(wa, quality(display, "FLAGGED"))).status).toBe(200);
      expect(await promo()).toBe("account-health");
    });
  }

  it('FLAGGED naming "0015550001111" (international prefix) stops this number\'s marketing', async () => {
    const { w, wa, quality, promo } = await setup();
    expect((await w.deliver(wa, quality("0015550001111", "FLAGGED"))).status).toBe(200);
    const before = w.reached.length;
    expect(await promo()).toBe("account-health");
    expect(w.reached.length).toBe(before);
  });

  it("held: FLAGGED while the number cannot be read is taken; UNFLAGGED then is not", async () => {
    const { w, wa, quality, promo } = await setup();
    w.fake.failNext(10, 1, { operation: "phone_number" });
    expect((await w.deliver(wa, quality("15550009999", "FLAGGED"))).status).toBe(200);
    expect(await promo()).toBe("account-health");
    w.clock.advance(5_000);
    expect((await w.deliver(wa, quality("15550009999", "UNFLAGGED"))).status).toBe(200);
    expect(await promo()).toBe("account-health");
  });
});
