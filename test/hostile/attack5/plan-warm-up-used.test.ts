/**
 * Issue 16 ("campaign plans showing the ramp"): `campaigns.plan` caps `send` at the step's daily
 * cap, but ignores what the number already sent in the rolling 24 hours. After 15 of the first
 * day's 20 business-initiated sends, a plan for 20 recipients says 20 will be sent; the run sends
 * 5 and defers 15.
 */
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../../src/testing/index.js";
import { BODY, world } from "../attack4/world.js";

const to = (i: number) => `+1416555${String(1000 + i)}`;

describe("attack5: a warm-up plan counts the day's sends already made", () => {
  // Fixed: plan() counts the sends of the rolling 24 hours (plan.warmUp.leftToday).
  it("plan.send matches what a run then sends", async () => {
    const clock = new FakeClock();
    const w = world(
      [BODY, { type: "FOOTER", text: "Reply STOP to opt out" }],
      {
        warmUp: { since: clock.now() },
        messagingLimit: { tier: "unlimited" },
      },
      { clock },
    );
    const wa = w.client();
    for (let i = 0; i < 35; i++) await wa.consent.grant(to(i), { scope: "marketing", source: "form" });
    for (let i = 0; i < 15; i++) {
      expect(await w.outcome(wa.messages.sendTemplate({ to: to(i), name: "promo", language: "en_US" }))).toBe(
        "sent",
      );
      clock.advance(31_000);
    }
    const template = { name: "promo", language: "en_US" };
    const recipients = Array.from({ length: 20 }, (_, i) => to(15 + i));
    const plan = await wa.campaigns.plan({ template, recipients });
    const run = wa.campaigns.run({ id: "later", template, recipients, maxPauseMs: 60_000 });
    const done = run.report();
    // Let the run wait out its 30 s gaps.
    for (let i = 0; i < 200; i++) {
      await new Promise((r) => setTimeout(r, 0));
      clock.advance(31_000);
    }
    const report = await done;
    expect(report.sent).toBe(5);
    expect(plan.send).toBe(report.sent);
    expect(plan.warmUp).toEqual({ perDay: 20, gapMs: 30_000, leftToday: 5 });
  });
});
