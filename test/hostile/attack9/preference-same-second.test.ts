/**
 * attack9 — Meta's marketing stop, then a resume, then a stop again, all in one second (a user
 * toggling "Stop promotions" in WhatsApp): the second stop is lost and marketing reaches Meta.
 * Meta's `user_preferences` entries carry no id, so the change dedupes Meta's stop by content and
 * time (`revokeReported` → `appendOnce`): the second stop is identical to the first and is not
 * recorded, leaving stop, resume — resumed. The change's own rule for id-less inbound messages
 * says the opposite ("two messages of one second cannot be told apart (a second STOP after a grant
 * of that second must count), so it is always recorded"). Part of this is older than the change:
 * the webhook de-duplication key of a preference (`p:<user>:<value>:<timestamp>`) already drops
 * the second stop of a second within the 7-day window (first test). The second test isolates the
 * change's contribution: the second stop comes spelt " Stop" (the parser reads it as the same
 * wish, "stop"; the de-duplication key keeps the raw value, so the delivery is not a duplicate),
 * reaches the ledger, and `appendOnce` drops it there — before the change it was recorded and
 * stopped marketing. With no id, a stop after a lift of the same second has to count (the strict
 * side); a late replay of an id-less stop cannot be told from a new one.
 *
 * Fixed: Meta's stop is always recorded, and a stop whose delivery key was seen is applied again.
 */
import { describe, expect, it } from "vitest";
import { USER, world } from "../world.js";
import { onSecond } from "./helpers.js";

describe("attack9: Meta's stop, resume, stop in one second", () => {
  it("the last stop holds (three deliveries)", async () => {
    const w = onSecond(world());
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    w.clock.advance(1000);
    const t = w.clock.now();
    for (const value of ["stop", "resume", "stop"] as const)
      expect((await wa.webhooks.handle(w.fake.webhooks.request(w.preference(value, t)))).status).toBe(200);
    const before = w.reached();
    expect(await w.outcome(w.promo(wa))).toBe("consent"); // today: "sent"
    expect(w.reached()).toBe(before);
  });

  it("the last stop holds when its delivery is not a webhook duplicate (the ledger drops it)", async () => {
    const w = onSecond(world());
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    w.clock.advance(1000);
    const t = w.clock.now();
    await wa.webhooks.handle(w.fake.webhooks.request(w.preference("stop", t)));
    await wa.webhooks.handle(w.fake.webhooks.request(w.preference("resume", t)));
    // The same stop, its value spelt " Stop" (read as "stop"; not the same de-duplication key).
    const again = JSON.parse(
      JSON.stringify(w.preference("stop", t)).replace('"value":"stop"', '"value":" Stop"'),
    );
    const res = await wa.webhooks.handle(w.fake.webhooks.request(again));
    expect(res.duplicates).toBe(0);
    expect(res.events.map((e) => e.kind)).toEqual(["optOut"]);
    expect((await wa.consent.history(USER)).filter((e) => e.action === "revoke")).toHaveLength(2); // today: 1
    expect(await w.outcome(w.promo(wa))).toBe("consent"); // today: "sent"
  });
});
