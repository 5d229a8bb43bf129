/**
 * The listener takes a tap on a template quick reply "Stop promotions" (or one whose text is an
 * opt-out keyword) as an opt-out, but not the same tap on an interactive reply button or a list
 * row: the webhook's `button_reply.title` / `list_reply.title` is left out of the text the consent
 * ledger reads. A user who taps "Stop promotions" or "STOP" in a reply-button menu the business
 * sent inside the window still gets the next marketing template.
 */
import { describe, expect, it } from "vitest";
import { BODY, CA, type Components, sec, world } from "./world.js";

const OPT_OUT: Components = [BODY, { type: "FOOTER", text: "Reply STOP to opt out" }];
const WA_ID = "14165550101";

describe("attack4: an opt-out tapped on an interactive reply button", () => {
  it.each([
    ["button_reply", "Stop promotions"],
    ["button_reply", "STOP"],
    ["list_reply", "Unsubscribe"],
  ])("a %s titled %j withdraws marketing consent", async (kind, title) => {
    const w = world(OPT_OUT);
    const wa = w.client();
    await wa.consent.grant(CA, { scope: "marketing", source: "form" });
    const tap = {
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
                    id: `wamid.tap.${kind}`,
                    timestamp: String(sec(w.clock.now())),
                    type: "interactive",
                    interactive: { type: kind, [kind]: { id: "menu-3", title } },
                  },
                ],
              },
            },
          ],
        },
      ],
    };
    expect((await w.deliver(wa, tap)).status).toBe(200);
    w.clock.advance(60_000);
    expect((await wa.consent.status(CA, "marketing")).granted).toBe(false);
    expect(await w.outcome(wa.messages.sendTemplate({ to: CA, name: "promo", language: "en_US" }))).toBe(
      "consent",
    );
    expect(w.sends()).toHaveLength(0);
  });
});
