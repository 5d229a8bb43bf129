/**
 * attack12 — the last commit dates Meta's marketing stop and resume (`user_preferences`) at
 * `min(Meta's time, now)`, as messages already were, "so the user's START right after a stop must
 * still come after it" with Meta's clock ahead. But clamping both to the arrival throws away the
 * order Meta's times gave them: when Meta's clock is ahead (the case the clamp is for) and two of
 * the user's events are delivered out of order — which Meta does not promise against, and which
 * the ledger's "a lift older than what it would lift changes nothing" rule is there for — each is
 * dated when it arrived. The user resumes, then 20 s later stops marketing; the stop arrives first
 * (dated now), the resume arrives 4 s later (dated now + 4 s) and lifts the stop: the marketing
 * template reaches Meta although the user's last word was stop. Before the commit (Meta's times
 * kept) the stop held. The keyword path has the same hole (START then STOP typed 20 s apart,
 * delivered STOP first: the START is "not older than a withdrawal on record" and lifts the STOP).
 * With our clock ahead of Meta's (no clamping), the same out-of-order deliveries hold.
 *
 * Fixed: see README.md, "Status".
 */
import { describe, expect, it } from "vitest";
import { deliver } from "../attack10/helpers.js";
import { USER, world } from "../world.js";

/** Meta's clock ahead of ours by `skew` ms; the user acts at `resumeAt`, then 20 s later stops. */
async function outOfOrder(skew: number, via: "preferences" | "keywords") {
  const w = world();
  const wa = w.client();
  await wa.consent.grant(USER, { scope: "marketing", source: "form" });
  w.clock.advance(60_000);
  const meta = (t: number) => t + skew;
  const liftAt = w.clock.now();
  const stopAt = liftAt + 20_000;
  w.clock.advance(21_000); // both happened; Meta delivers the stop first...
  const stop =
    via === "preferences" ? w.preference("stop", meta(stopAt)) : w.text("wamid.stop", meta(stopAt), "STOP");
  expect((await deliver(w, wa, stop)).status).toBe(200);
  w.clock.advance(4_000); // ...and the earlier lift 4 s later.
  const lift =
    via === "preferences"
      ? w.preference("resume", meta(liftAt))
      : w.text("wamid.start", meta(liftAt), "START");
  expect((await deliver(w, wa, lift)).status).toBe(200);
  w.clock.advance(10 * 60_000); // long after either clock passed both
  const before = w.reached();
  const outcome = await w.outcome(w.promo(wa));
  return { outcome, reachedMeta: w.reached() - before };
}

describe("two of the user's events delivered out of order", () => {
  it("Meta 2 min ahead: a marketing resume delivered after the later stop lifts it", async () => {
    // today: { outcome: "sent", reachedMeta: 1 }
    expect(await outOfOrder(120_000, "preferences")).toEqual({ outcome: "consent", reachedMeta: 0 });
  });

  it("Meta 2 min ahead: a START delivered after the later STOP lifts it", async () => {
    // today: { outcome: "sent", reachedMeta: 1 }
    expect(await outOfOrder(120_000, "keywords")).toEqual({ outcome: "consent", reachedMeta: 0 });
  });

  it("our clock 2 min ahead: the stop holds (holds)", async () => {
    expect(await outOfOrder(-120_000, "preferences")).toEqual({ outcome: "consent", reachedMeta: 0 });
    expect(await outOfOrder(-120_000, "keywords")).toEqual({ outcome: "consent", reachedMeta: 0 });
  });
});
