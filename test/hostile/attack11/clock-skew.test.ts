/**
 * Clock skew between our server and Meta's. Message times are read from Meta's clock, except that
 * one ahead of ours is taken as now (`Math.min(timestamp, now)` in effects.ts and, since the last
 * commit, in `recordInbound`); Meta's marketing stop (`user_preferences`) keeps Meta's time, and a
 * business grant is dated by our clock. Two consequences. (1) Meta's clock two minutes ahead: the
 * user taps "Stop promotions" (stop at Meta's time M) and 30 s later types START (Meta's M+30 s,
 * read as our now ≈ M−90 s): the START is "older than a newer withdrawal" and is dropped for good
 * — marketing the user asked for again stays refused, even after our clock catches up. (2) Our
 * clock 90 s ahead of Meta's: the user replies YES, the app records `consent.grant` (our time T),
 * and 30 s later sends STOP (Meta's time T−60 s): the STOP is ordered before the grant, the grant
 * decides, and the next marketing template reaches Meta although the user's last word was STOP.
 *
 * Fixed: see README.md, "Status".
 */
import { describe, expect, it } from "vitest";
import { deliver } from "../attack10/helpers.js";
import { USER, world } from "../world.js";

describe("clock skew of a minute or two", () => {
  // Known gap, the strict side (attack12): with Meta's clock minutes ahead, a withdrawal keeps
  // Meta's time and a grant is dated no later than now, so a lift within those minutes lifts
  // nothing. Dating grants by Meta's time instead let an out-of-order resume lift a newer stop.
  it.fails("Meta ahead by 2 min: a START 30 s after Meta's marketing stop lifts it", async () => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const meta = () => w.clock.now() + 120_000;
    await deliver(w, wa, w.preference("stop", meta()));
    expect(await w.outcome(w.promo(wa, 1))).toBe("consent");
    w.clock.advance(30_000);
    const start = await deliver(w, wa, w.text("wamid.start", meta(), "START"));
    expect(start.status).toBe(200);
    w.clock.advance(10 * 60_000); // long after either clock passed both
    expect(start.events.map((e) => e.kind)).toContain("optIn");
    expect(await w.outcome(w.promo(wa, 2))).toBe("sent");
  });

  it("our clock ahead by 90 s: a STOP 30 s after the business's grant withdraws it", async () => {
    const w = world();
    const wa = w.client();
    const meta = () => w.clock.now() - 90_000;
    // The user replies YES to an offer; the app records the opt-in as it hears it.
    await deliver(w, wa, w.text("wamid.yes", meta(), "YES"));
    await wa.consent.grant(USER, { scope: "marketing", source: "reply:YES" });
    w.clock.advance(30_000);
    const stop = await deliver(w, wa, w.stop("wamid.stop", meta()));
    expect(stop.status).toBe(200);
    expect(stop.events.map((e) => e.kind)).toContain("optOut");
    const before = w.reached();
    const outcome = await w.outcome(w.promo(wa));
    expect({ outcome, reachedMeta: w.reached() - before }).toEqual({ outcome: "consent", reachedMeta: 0 });
  });

  it("no skew: the STOP after the grant withdraws it (holds)", async () => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "reply:YES" });
    w.clock.advance(30_000);
    await deliver(w, wa, w.stop("wamid.stop", w.clock.now()));
    expect(await w.outcome(w.promo(wa))).toBe("consent");
  });
});
