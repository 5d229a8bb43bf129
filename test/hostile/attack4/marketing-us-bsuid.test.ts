/**
 * Marketing templates to US users are refused locally (Meta does not deliver them, 131049) — but
 * only when the recipient is written as a phone number. A BSUID carries the user's country
 * ("US.…", reference §10): a marketing template to "US.1349…" passes the guard and reaches Meta.
 */
import { describe, expect, it } from "vitest";
import { BODY, type Components, world } from "./world.js";

const OPT_OUT: Components = [BODY, { type: "FOOTER", text: "Reply STOP to opt out" }];
const US_BSUID = "US.13491208655302741918";
const US_WA_ID = "16505550101";

describe("attack4: marketing to a US person written as a BSUID", () => {
  it("a marketing template to a US BSUID is refused like one to the US phone number", async () => {
    const w = world(OPT_OUT);
    w.fake.blocklist.linkUser(`+${US_WA_ID}`, US_BSUID);
    const wa = w.client();
    // The phone number form is refused…
    await wa.consent.grant(`+${US_WA_ID}`, { scope: "marketing", source: "form" });
    expect(
      await w.outcome(wa.messages.sendTemplate({ to: `+${US_WA_ID}`, name: "promo", language: "en_US" })),
    ).toBe("template");
    expect(w.sends()).toHaveLength(0);
    // …the same person by their BSUID (country US) must be too.
    await wa.consent.grant(US_BSUID, { scope: "marketing", source: "form" });
    expect(
      await w.outcome(wa.messages.sendTemplate({ to: US_BSUID, name: "promo", language: "en_US" })),
    ).toBe("template");
    expect(w.sends()).toHaveLength(0);
  });
});
