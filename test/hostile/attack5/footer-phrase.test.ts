/**
 * Issue 16 ("Opt-out in every marketing message"): the guard and the listener must agree. The
 * template guard accepts a footer when an opt-out keyword follows an instruction verb, token by
 * token — so "Reply STOP OFFERS to opt out" passes (REPLY, STOP). The user does exactly what it
 * says and sends "STOP OFFERS"; the listener normalises the whole message to "STOPOFFERS", which
 * is no keyword: nothing is recorded and the next marketing template reaches Meta.
 */
import { describe, expect, it } from "vitest";
import { BODY, CA, world } from "../attack4/world.js";

describe("attack5: a footer the guard accepts whose instruction the listener ignores", () => {
  it("the reply a footer asks for withdraws marketing consent", async () => {
    const w = world([BODY, { type: "FOOTER", text: "Reply STOP OFFERS to opt out" }]);
    const wa = w.client();
    await wa.consent.grant(CA, { scope: "marketing", source: "form" });
    const promo = () => wa.messages.sendTemplate({ to: CA, name: "promo", language: "en_US" });
    // Fixed: the guard reads the whole phrase the footer asks for ("STOP OFFERS"), as the listener
    // would read the reply: not a keyword, so the template offers no way out it understands.
    const before = w.sends().length;
    expect(await w.outcome(promo())).toBe("template");
    expect(w.sends().length).toBe(before);
    // Had it been sent, the reply it asks for would not have been recorded: the two agree.
    await w.deliver(wa, w.inbound("wamid.in1", "STOP OFFERS", { waId: "14165550101" }));
    expect((await wa.consent.status(CA, "marketing")).granted).toBe(true);
  });
});
