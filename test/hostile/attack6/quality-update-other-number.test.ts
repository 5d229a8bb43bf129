/**
 * Attacks: `phone_number_quality_update` is about the number in its `display_phone_number` (the
 * docs: "a quality rating, a phone_number_quality_update and the spam limit 131048 are about one
 * number"). One app, one webhook URL: the first number's client also hears about the WABA's
 * second number. The second number's UNFLAGGED must not lift the first number's FLAGGED hold on
 * marketing, and its FLAGGED must not stop the first number's marketing.
 */
import { describe, expect, it } from "vitest";
import { CA, twoNumbers } from "./two.js";

const OTHER_DISPLAY = "15550009999";

describe("phone_number_quality_update of the WABA's other number", () => {
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
    const own = (await wa.account.phoneNumber()).displayPhoneNumber ?? "";
    return { w, wa, quality, promo, own };
  };

  it("the other number's UNFLAGGED does not lift this number's FLAGGED", async () => {
    const { w, wa, quality, promo, own } = await setup();
    expect(own).not.toBe("");
    expect((await w.deliver(wa, quality(own, "FLAGGED"))).status).toBe(200);
    expect(await promo()).toBe("account-health");
    w.clock.advance(5_000);
    expect((await w.deliver(wa, quality(OTHER_DISPLAY, "UNFLAGGED"))).status).toBe(200);
    const before = w.reached.length;
    expect(await promo()).toBe("account-health");
    expect(w.reached.length).toBe(before);
  });

  it("the other number's FLAGGED does not stop this number's marketing", async () => {
    const { w, wa, quality, promo } = await setup();
    expect((await w.deliver(wa, quality(OTHER_DISPLAY, "FLAGGED"))).status).toBe(200);
    expect(await promo()).toBe("sent");
  });
});
