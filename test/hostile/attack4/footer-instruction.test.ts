/**
 * A marketing template must offer a way out the webhook listener understands. The footer rule
 * accepts any footer that says "opt out" or "unsubscribe", whatever it tells the user to do: a
 * footer "Reply UNSUB to opt out" passes the guard, the user replies UNSUB as told, the listener
 * records nothing (UNSUB is not an opt-out keyword) and the next promotion reaches them.
 */
import { describe, expect, it } from "vitest";
import { BODY, CA, world } from "./world.js";

const WA_ID = "14165550101";

describe("attack4: a footer telling the user to reply a word the listener does not know", () => {
  it.each([
    ["Reply UNSUB to opt out", "UNSUB"],
    ["Reply NO to unsubscribe", "NO"],
    ["Opt out: reply 0", "0"],
    // Cyrillic Ѕ, Т, О, Р: reads "STOP", accepted for "opt out", the reply copied from it is no keyword.
    ["Reply \u0405\u0422\u041E\u0420 to opt out", "\u0405\u0422\u041E\u0420"],
  ])("footer %j: the user replies %j and is not sent the next promotion", async (footer, reply) => {
    const w = world([BODY, { type: "FOOTER", text: footer }]);
    const wa = w.client();
    await wa.consent.grant(CA, { scope: "marketing", source: "form" });
    const first = await w.outcome(wa.messages.sendTemplate({ to: CA, name: "promo", language: "en_US" }));
    // Either the guard refuses the template (its way out is not one the listener understands)…
    if (first !== "sent") {
      expect(first).toBe("template");
      return;
    }
    // …or the listener must record the reply the footer asks for.
    expect((await w.deliver(wa, w.inbound("wamid.r", reply, { waId: WA_ID }))).status).toBe(200);
    w.clock.advance(60_000);
    const before = w.sends().length;
    expect(await w.outcome(wa.messages.sendTemplate({ to: CA, name: "promo", language: "en_US" }))).toBe(
      "consent",
    );
    expect(w.sends().length).toBe(before);
  });
});
