/**
 * Account and quality changes without `entry.time`. Seen: the de-duplication key of such a change
 * was a digest of (field, value, undefined), so a second, genuinely new DISABLE within 7 days was
 * dropped as a duplicate; and a lift without a time was taken as happening "now", so a late or
 * replayed one lifted a newer restriction. Now an untimed change is keyed by the second it arrived
 * and an untimed lift lifts nothing.
 */
import { describe, expect, it } from "vitest";
import { DAY, HOUR, USER, world } from "../world.js";

const DISABLE = { event: "DISABLED_UPDATE", ban_info: { waba_ban_state: "DISABLE" } };
const REINSTATE = { event: "DISABLED_UPDATE", ban_info: { waba_ban_state: "REINSTATE" } };

describe("account changes without entry.time", () => {
  it("DISABLE, REINSTATE, DISABLE again (untimed, within 7 days): the second DISABLE is applied, not a duplicate", async () => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "utility", source: "form" });
    await wa.webhooks.handle(w.fake.webhooks.request(w.account(DISABLE, undefined)));
    w.clock.advance(HOUR);
    await wa.webhooks.handle(w.fake.webhooks.request(w.account(REINSTATE, undefined)));
    // A lift without Meta's time cannot be ordered: it lifts nothing until the business says so.
    expect(await w.outcome(w.notice(wa))).toBe("account-health");
    await wa.account.clearRestriction("all");
    expect(await w.outcome(w.notice(wa))).toBe("sent");
    w.clock.advance(2 * DAY);
    // A new ban, two days later: Meta sends the same body (no time) again.
    const again = await wa.webhooks.handle(w.fake.webhooks.request(w.account(DISABLE, undefined)));
    const before = w.reached();
    const outcome = await w.outcome(w.notice(wa));
    expect({
      status: again.status,
      duplicates: again.duplicates,
      outcome,
      reachedMeta: w.reached() - before,
    }).toEqual({
      status: 200,
      duplicates: 0,
      outcome: "account-health",
      reachedMeta: 0,
    });
  });

  it("a REINSTATE without time, delivered after a newer (timed) DISABLE, lifts nothing", async () => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "utility", source: "form" });
    // Meta: REINSTATE (untimed, sent at t0), then DISABLE at t0 + 1 h; the REINSTATE's delivery is late.
    const t0 = w.clock.now();
    w.clock.advance(HOUR);
    await wa.webhooks.handle(w.fake.webhooks.request(w.account(DISABLE, t0 + HOUR)));
    w.clock.advance(HOUR);
    await wa.webhooks.handle(w.fake.webhooks.request(w.account(REINSTATE, undefined)));
    const outcome = await w.outcome(w.notice(wa));
    expect({ outcome, reachedMeta: w.reached() }).toEqual({ outcome: "account-health", reachedMeta: 0 });
  });
});
