/**
 * Issue 16 ("US marketing"): after a 131049 failure the user gets no marketing template for 24 h.
 * The hold is a one-slot sliding window: a second 131049 for the same person while the first
 * hold is on is refused by the window and not recorded, so the hold ends 24 h after the FIRST
 * failure. Two marketing sends an hour apart (the first status webhook not yet in) both fail with
 * 131049; 24 h 30 min after the first — 23 h 30 min after the second failure — a third marketing
 * template reaches Meta.
 */
import { describe, expect, it } from "vitest";
import { BODY, CA, type Components, world } from "../attack4/world.js";

const OPT_OUT: Components = [BODY, { type: "FOOTER", text: "Reply STOP to opt out" }];
const HOUR = 3_600_000;

describe("attack5: a second 131049 failure does not extend the hold", () => {
  it("a marketing template within 24 h of the later of two 131049 failures does not reach Meta", async () => {
    const w = world(OPT_OUT);
    const wa = w.client();
    await wa.consent.grant(CA, { scope: "marketing", source: "form" });
    w.fake.messaging.marketingCapped.add("14165550101");
    const promo = () => wa.messages.sendTemplate({ to: CA, name: "promo", language: "en_US" });
    expect(await w.outcome(promo())).toBe("sent"); // fails at t0 (status webhook)
    w.clock.advance(HOUR);
    expect(await w.outcome(promo())).toBe("sent"); // fails at t0 + 1 h
    const failures: string[] = [];
    wa.on("status", (e) => {
      if (e.status === "failed") failures.push(JSON.stringify(e.errors));
    });
    await w.fake.webhooks.deliver(wa);
    expect(failures.length).toBe(2);
    expect(failures.every((f) => f.includes("131049"))).toBe(true);
    // The hold works: 23 h after the first failure, refused.
    w.clock.advance(22 * HOUR);
    expect(await w.outcome(promo())).toBe("frequency");
    // 24 h 30 min after the first failure, 23 h 30 min after the second.
    w.clock.advance(HOUR + HOUR / 2);
    const before = w.sends().length;
    expect(await w.outcome(promo())).toBe("frequency");
    expect(w.sends().length).toBe(before);
  });
});
