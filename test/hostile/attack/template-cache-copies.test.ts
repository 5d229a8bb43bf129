/**
 * Attack: clients that share policy state (a `withOptions()` copy, or two clients given one
 * `memoryStores()`) do not share the template list. A PAUSED webhook handled by one client leaves
 * the other's cached copy APPROVED for up to its TTL (10 min): it sends the paused template.
 * Restrictions, consent and blocks are shared; template status is not.
 */
import { describe, expect, it } from "vitest";
import { memoryStores } from "../../../src/index.js";
import { USER, world } from "../world.js";

describe("a template paused by a webhook is paused for every client sharing state", () => {
  it("a withOptions() copy refuses a template its parent learnt is PAUSED", async () => {
    const w = world();
    const wa = w.client();
    const copy = wa.withOptions({ maxRetries: 1 });
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    expect(await w.outcome(w.promo(wa, 1))).toBe("sent");
    w.clock.advance(10_000);
    expect(await w.outcome(w.promo(copy, 2))).toBe("sent");
    // Meta pauses the template and says so; the parent's webhook endpoint stores it (200).
    w.fake.templates.setStatus("promo", "PAUSED", "en_US");
    const res = await wa.webhooks.handle(w.fake.webhooks.request(w.templateStatus("PAUSED", w.clock.now())));
    expect(res.status).toBe(200);
    w.clock.advance(60_000);
    expect(await w.outcome(w.promo(wa, 3))).toBe("template"); // the parent refuses
    const before = w.reached();
    const copyOutcome = await w.outcome(w.promo(copy, 4));
    expect({ copyOutcome, reachedMeta: w.reached() - before }).toEqual({
      copyOutcome: "template",
      reachedMeta: 0,
    });
  });

  it("two clients on one memoryStores(): the one that did not handle the webhook refuses the paused template", async () => {
    const w = world();
    const stores = memoryStores();
    const a = w.client({ stores });
    const b = w.client({ stores });
    await a.consent.grant(USER, { scope: "marketing", source: "form" });
    expect(await w.outcome(w.promo(b, 1))).toBe("sent");
    w.fake.templates.setStatus("promo", "PAUSED", "en_US");
    await a.webhooks.handle(w.fake.webhooks.request(w.templateStatus("PAUSED", w.clock.now())));
    w.clock.advance(60_000);
    const before = w.reached();
    const bOutcome = await w.outcome(w.promo(b, 2));
    expect({ bOutcome, reachedMeta: w.reached() - before }).toEqual({ bOutcome: "template", reachedMeta: 0 });
  });
});
