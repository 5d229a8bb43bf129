/**
 * attack12 — the last commit made `processInbound` refuse a `messageId` that no store keeps as
 * written (a NUL, a lone surrogate) and, before it, an empty one: such ids "could equal another
 * message's", and the consent event is recorded once per proof, at any time (`appendOnce`). The
 * webhook parser treats a blank id (`"  "`) as unreadable too (`rawId.trim() !== ""`), but
 * `processInbound` accepts it as the message's proof. An integrator who feeds its own parsed
 * messages with a blank id gets one proof for all of them: STOP (recorded), START (a grant —
 * another event), STOP again — "already on file", not recorded; the START stands and the
 * marketing template reaches Meta although the user's last word was STOP. A blank `messageId`
 * should be refused like an empty one (or recorded without a proof).
 *
 * Fixed: see README.md, "Status".
 */
import { describe, expect, it } from "vitest";
import { USER, world } from "../world.js";

async function stopStartStop(messageId: (n: number) => string) {
  const w = world();
  const wa = w.client();
  await wa.consent.grant(USER, { scope: "marketing", source: "form" });
  const said: Array<string | undefined> = [];
  for (const [n, text] of ["STOP", "START", "STOP"].entries()) {
    w.clock.advance(60_000);
    said.push(
      await wa.consent
        .processInbound({ from: USER, text, messageId: messageId(n) })
        .catch((e: Error) => e.name),
    );
  }
  const before = w.reached();
  const outcome = await w.outcome(w.promo(wa));
  return {
    refusedOrStopped: said[2] !== "opt-out" ? said[2] : "opt-out",
    outcome,
    reachedMeta: w.reached() - before,
  };
}

describe("processInbound with a blank messageId", () => {
  it("STOP, START, STOP with the blank id: the last STOP is refused or counts", async () => {
    const r = await stopStartStop(() => "   ");
    // today: { refusedOrStopped: undefined, outcome: "sent", reachedMeta: 1 }
    expect(r.outcome === "consent" || r.refusedOrStopped === "ValidationError").toBe(true);
    // Refused, every call threw (the integrator hears of it); recorded, nothing reaches Meta.
    if (r.refusedOrStopped !== "ValidationError") expect(r.reachedMeta).toBe(0);
  });

  it("distinct ids: the last STOP counts (holds)", async () => {
    expect(await stopStartStop((n) => `wamid.b${n}`)).toEqual({
      refusedOrStopped: "opt-out",
      outcome: "consent",
      reachedMeta: 0,
    });
  });
});
