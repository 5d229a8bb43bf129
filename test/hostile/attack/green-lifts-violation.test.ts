/**
 * Attack: `wa.account.health({ refresh: true })` — an ops dashboard or a health probe calls it —
 * reads the quality rating; GREEN closes the `marketing_slow` scope "now". That scope also holds
 * the slowdown of an ACCOUNT_VIOLATION (7 days) and of a SCHEDULE_FOR_DISABLE (until a REINSTATE),
 * which have nothing to do with the quality rating (GREEN is the usual rating of an account Meta
 * just flagged for a violation). One refresh lifts them and marketing runs at full speed.
 */
import { describe, expect, it } from "vitest";
import { USER, world } from "../world.js";

const policy = {
  frequency: { marketingPerDay: 100, marketingPerWeek: 100, identicalWithinMs: 1 },
  throughput: { perSecond: 4, marketingShareWhenSlowed: 0.25, mode: "refuse" as const },
  messagingLimit: { tier: "unlimited" as const },
};

describe("a GREEN quality read lifts only the slowdown YELLOW imposed", () => {
  it.each([
    ["ACCOUNT_VIOLATION", { event: "ACCOUNT_VIOLATION", violation_info: { violation_type: "SCAM" } }],
    [
      "SCHEDULE_FOR_DISABLE",
      {
        event: "DISABLED_UPDATE",
        ban_info: { waba_ban_state: "SCHEDULE_FOR_DISABLE", waba_ban_date: "2030-01-01" },
      },
    ],
  ])("%s slowdown outlasts a GREEN account.health({ refresh: true })", async (_name, value) => {
    const w = world();
    const wa = w.client({ policy });
    const users = [USER, "+14165550002", "+14165550003"];
    for (const u of users) await wa.consent.grant(u, { scope: "marketing", source: "form" });
    await wa.webhooks.handle(w.fake.webhooks.request(w.account(value, w.clock.now())));
    expect((await wa.account.health()).restrictions.map((r) => r.scope)).toEqual(["marketing_slow"]);
    w.clock.advance(60_000);
    // A health probe.
    const probed = await wa.account.health({ refresh: true });
    const scopes = probed.restrictions.map((r) => r.scope);
    // Two marketing sends in the same second: slowed marketing allows 1/s.
    const results = [await w.outcome(w.promo(wa, 1, users[1])), await w.outcome(w.promo(wa, 2, users[2]))];
    expect({ scopes, results }).toEqual({ scopes: ["marketing_slow"], results: ["sent", "throughput"] });
  });
});
