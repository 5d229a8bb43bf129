/**
 * `storable()` (state/consent.ts) maps every NUL and lone surrogate to U+FFFD, so it is not
 * one-to-one: two different message ids such as `wamid.X\uD800` and `wamid.X\uDBFF` (or
 * `wamid.X\u0000` and `wamid.X\uFFFD`) become the same proof. `appendOnce` matches a consent event
 * by its proof at any time, so the user's second STOP (a new message, a new de-duplication key,
 * processed as new) is taken for the first one already on file and not recorded. After
 * STOP → START → STOP the START stays the newest event: listeners are told `optOut`, yet the next
 * marketing template reaches Meta. (Redis also encodes both keys to the same bytes.)
 *
 * Fixed: see README.md, "Status".
 */
import { describe, expect, it } from "vitest";
import { deliver } from "../attack10/helpers.js";
import { USER, world } from "../world.js";

describe("two message ids that storable() makes equal", () => {
  it.each([
    ["two lone surrogates", "wamid.X\uD800", "wamid.X\uDBFF"],
    ["NUL and U+FFFD", "wamid.X\u0000", "wamid.X\uFFFD"],
  ])("%s: STOP, START, STOP ends withdrawn", async (_n, first, second) => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    await deliver(w, wa, w.stop(first, w.clock.now()));
    w.clock.advance(60_000);
    await deliver(w, wa, w.text("wamid.start", w.clock.now(), "START"));
    expect(await w.outcome(w.promo(wa, 1))).toBe("sent");
    w.clock.advance(60_000);
    const again = await deliver(w, wa, w.stop(second, w.clock.now()));
    expect(again.events.map((e) => e.kind)).toContain("optOut");
    const before = w.reached();
    const outcome = await w.outcome(w.promo(wa, 2));
    expect({ outcome, reachedMeta: w.reached() - before }).toEqual({ outcome: "consent", reachedMeta: 0 });
  });
});
