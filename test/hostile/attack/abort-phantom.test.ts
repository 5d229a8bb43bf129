/**
 * Minor (availability): a send aborted during the policy checks rejects at once, but the checks
 * carry on in the background and release their reservation only when they finish. A retry made
 * right after the abort is refused as if the aborted promo had been sent ("this user reached the
 * marketing messages allowed in 24 hours"), although nothing reached Meta.
 */
import { describe, expect, it } from "vitest";
import { USER, world } from "../world.js";

describe("an aborted send leaves no reservation behind", () => {
  it("abort during the pair-rate wait, then retry at once: the retry is sent", async () => {
    const w = world();
    const policy = {
      frequency: { marketingPerDay: 1, marketingPerWeek: 3, identicalWithinMs: 1 },
      pairRate: { burst: 1, intervalMs: 6000 },
    };
    const wa = w.client({ policy });
    await wa.consent.grant(USER, { scope: "utility", source: "form" });
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    expect(await w.outcome(w.notice(wa))).toBe("sent");
    const ac = new AbortController();
    const p = w.outcome(w.promo(wa, 1, USER, ac.signal));
    ac.abort();
    expect(await p).toMatch(/aborted/);
    w.clock.advance(10_000);
    expect(await w.outcome(w.promo(wa, 2))).toBe("sent");
  });
});
