/**
 * Attack (availability, not a violation): the memory send history's messaging-limit count keeps a
 * user as "reached in the last 24 h" for ever after one failed template. `release()` puts the user's
 * older reach time back into `#latest`, but that time's queue entry was already pruned, so nothing
 * ever removes it: every such user permanently takes one of the tier's unique-user slots until the
 * business can reach no new user at all.
 */
import { describe, expect, it } from "vitest";
import { DAY, world } from "../world.js";

describe("a refused template leaves nothing in the 24-hour reach", () => {
  it("tier 2: A reached on day 0, a template to A refused by Meta on day 3; days later B and C are both reached", async () => {
    const w = world();
    const wa = w.client({
      policy: {
        frequency: { marketingPerDay: 100, marketingPerWeek: 100, identicalWithinMs: 1 },
        messagingLimit: { tier: 2 },
      },
    });
    const [A, B, C] = ["+14165550001", "+14165550002", "+14165550003"];
    for (const u of [A, B, C]) await wa.consent.grant(u, { scope: "utility", source: "form" });
    expect(await w.outcome(w.notice(wa, A))).toBe("sent");
    w.clock.advance(3 * DAY);
    w.fake.failNext(1, 131026, { match: (r) => r.url.endsWith("/messages") });
    expect(await w.outcome(w.notice(wa, A))).toBe("meta:131026");
    w.clock.advance(2 * DAY); // A has reached nobody-counting for 5 days now
    expect(await w.outcome(w.notice(wa, B))).toBe("sent");
    const c = await w.outcome(w.notice(wa, C));
    expect(c).toBe("sent"); // only B was reached in the last 24 h: 1 of 2
  });
});
