/**
 * Held: an edit made through one client empties the template cache of every client sharing its
 * stores (withOptions(), a second client on one memoryStores()): none of them sends the template
 * now in review.
 */
import { describe, expect, it } from "vitest";
import { memoryStores } from "../../../src/index.js";
import { BODY, CA, type Components, world } from "./world.js";

const OPT_OUT: Components = [BODY, { type: "FOOTER", text: "Reply STOP to opt out" }];

describe("attack4: a template edit seen by every client on the same stores", () => {
  it("held: a client made by withOptions() and a second client on the same stores see an edit", async () => {
    const w = world(OPT_OUT);
    const stores = memoryStores();
    const wa = w.client({ stores });
    const copy = wa.withOptions({ maxRetries: 1 });
    const other = w.client({ stores });
    await wa.consent.grant(CA, { scope: "marketing", source: "form" });
    for (const c of [wa, copy, other]) {
      w.clock.advance(1_000);
      expect(await w.outcome(c.messages.sendTemplate({ to: CA, name: "promo", language: "en_US" }))).toBe(
        "sent",
      );
    }
    const id = String(w.fake.templates.find("promo", "en_US")?.id);
    await other.templates.edit(id, { components: [{ type: "BODY", text: "30% off" }, OPT_OUT[1] as never] });
    const before = w.sends().length;
    for (const c of [wa, copy, other]) {
      w.clock.advance(1_000);
      expect(await w.outcome(c.messages.sendTemplate({ to: CA, name: "promo", language: "en_US" }))).toBe(
        "template",
      );
    }
    expect(w.sends().length).toBe(before);
  });
});
