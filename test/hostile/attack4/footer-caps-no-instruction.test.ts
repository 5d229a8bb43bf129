/**
 * The footer rule takes any opt-out keyword written in capitals as "a way to unsubscribe". An
 * all-caps footer that merely contains one of the words (END, STOP, CANCEL, QUIT) offers no way
 * out at all — "END OF SEASON SALE", "NON-STOP DEALS ALL WEEK" — and the template is accepted as
 * if it said "Reply STOP to opt out": a marketing message with no way to unsubscribe reaches Meta.
 */
import { describe, expect, it } from "vitest";
import { BODY, CA, world } from "./world.js";

describe("attack4: an all-caps footer that only contains an opt-out word", () => {
  it.each([
    "END OF SEASON SALE",
    "NON-STOP DEALS ALL WEEK",
    "FREE CANCELLATION · CANCEL ANYTIME",
    "DON'T QUIT NOW — 2 DAYS LEFT",
  ])("footer %j is not a way to unsubscribe", async (footer) => {
    const w = world([BODY, { type: "FOOTER", text: footer }]);
    const wa = w.client();
    await wa.consent.grant(CA, { scope: "marketing", source: "form" });
    expect(await w.outcome(wa.messages.sendTemplate({ to: CA, name: "promo", language: "en_US" }))).toBe(
      "template",
    );
    expect(w.sends()).toHaveLength(0);
  });
});
