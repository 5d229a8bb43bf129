/**
 * attack12 — Meta's marketing stop has no id, so a duplicate delivery of it is applied again
 * (handler.ts: "a stop only withdraws, ordered by Meta's time"); the docs allow it to "withdraw a
 * resume of its own second again, never the reverse". Since the last commit the stop is dated
 * `min(Meta's time, now)`: with Meta's clock ahead, each re-application is dated at its own
 * arrival, not at Meta's time. The user stops, 30 s later resumes (lifted: marketing flows again),
 * and Meta redelivers the stop 10 s after that (a lost 200, a timeout): the re-applied stop is
 * recorded after the resume and withdraws it again. The user's last word was resume, yet
 * marketing stays refused until they resume again — a legitimate delivery (a plain duplicate)
 * mishandled, well beyond "its own second". Without skew the re-applied stop keeps Meta's (older)
 * time and the resume stands.
 *
 * Kept as a known gap (the strict side): see README.md, "Status".
 */
import { describe, expect, it } from "vitest";
import { deliver } from "../attack10/helpers.js";
import { USER, world } from "../world.js";

async function stopResumeRedelivered(skew: number) {
  const w = world();
  const wa = w.client();
  await wa.consent.grant(USER, { scope: "marketing", source: "form" });
  w.clock.advance(60_000);
  const stop = w.preference("stop", w.clock.now() + skew);
  expect((await deliver(w, wa, stop)).status).toBe(200);
  w.clock.advance(30_000);
  expect((await deliver(w, wa, w.preference("resume", w.clock.now() + skew))).status).toBe(200);
  const lifted = await w.outcome(w.promo(wa, 1));
  w.clock.advance(10_000);
  const again = await deliver(w, wa, stop); // Meta's duplicate of the stop
  w.clock.advance(10 * 60_000);
  return { lifted, duplicate: again.duplicates, after: await w.outcome(w.promo(wa, 2)) };
}

describe("a duplicate of Meta's marketing stop after the user's resume", () => {
  // Known gap, the strict side (attack12): with Meta's clock minutes ahead, a withdrawal keeps
  // Meta's time and a grant is dated no later than now, so a lift within those minutes lifts
  // nothing. Dating grants by Meta's time instead let an out-of-order resume lift a newer stop.
  it.fails("Meta 2 min ahead: the duplicate withdraws the newer resume", async () => {
    // today: after: "consent"
    expect(await stopResumeRedelivered(120_000)).toEqual({ lifted: "sent", duplicate: 1, after: "sent" });
  });

  it("no skew: the resume stands (holds)", async () => {
    expect(await stopResumeRedelivered(0)).toEqual({ lifted: "sent", duplicate: 1, after: "sent" });
  });
});
