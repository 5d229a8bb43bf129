/**
 * Held: a BLOCKED health reading by one client refuses every send from the clients that share its
 * stores (withOptions(), a second client on one memoryStores()), and a later AVAILABLE reading
 * does not lift it before the hold ends.
 */
import { describe, expect, it } from "vitest";
import { memoryStores } from "../../../src/index.js";
import { BODY, CA, type Components, world } from "./world.js";

const OPT_OUT: Components = [BODY, { type: "FOOTER", text: "Reply STOP to opt out" }];

describe("attack4: BLOCKED health seen by one client", () => {
  it("refuses every send from the clients sharing its stores, also after an AVAILABLE reading", async () => {
    const w = world(OPT_OUT);
    const stores = memoryStores();
    const wa = w.client({ stores });
    const copy = wa.withOptions({ maxRetries: 1 });
    const other = w.client({ stores });
    await wa.consent.grant(CA, { scope: "all", source: "form" });
    w.fake.setHealth("WABA", {
      canSendMessage: "BLOCKED",
      errors: [{ code: 141006, description: "Payment method issue" }],
    });
    const reading = await wa.account.health({ refresh: true });
    expect(reading.status?.canSendMessage).toBe("BLOCKED");
    const before = w.sends().length;
    for (const c of [wa, copy, other]) {
      w.clock.advance(1_000);
      expect(await w.outcome(c.messages.sendTemplate({ to: CA, name: "notice", language: "en_US" }))).toBe(
        "account-health",
      );
      expect(await w.outcome(c.messages.sendTemplate({ to: CA, name: "promo", language: "en_US" }))).toBe(
        "account-health",
      );
    }
    // Meta says AVAILABLE a minute later: the hold stays (a flapping reading lifts nothing early).
    w.fake.setHealth("WABA", { canSendMessage: "AVAILABLE" });
    w.clock.advance(60_000);
    await other.account.health({ refresh: true });
    expect(await w.outcome(copy.messages.sendTemplate({ to: CA, name: "notice", language: "en_US" }))).toBe(
      "account-health",
    );
    expect(w.sends().length).toBe(before);
  });
});
