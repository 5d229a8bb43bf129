/**
 * attack10 — `wa.consent.processInbound` records an opt-in dated in the future. `grant()` refuses
 * a grant dated after now ("one dated later would outrank what comes first"), and the webhook
 * handler records an inbound message at `min(Meta's time, now)` for the same reason, but
 * `processInbound({ text: "START", at })` takes any whole-millisecond `at` (the validation the
 * last commit added checks only that it is an integer). A START dated 50 s ahead — an app clock,
 * or Meta's timestamp from a server ahead of ours, which is exactly what the handler clamps —
 * is ordered after the STOP the user sends 10 s later, which is then lost: the marketing
 * template reaches Meta. Clamping `at` to now for an opt-in (or refusing it like `grant()`)
 * would hold.
 *
 * Fixed: see README.md, "Status".
 */
import { expect, it } from "vitest";
import { USER, world } from "../world.js";

it("a START dated ahead does not outrank the STOP the user sends after it", async () => {
  const w = world();
  const wa = w.client();
  await wa.consent.grant(USER, { scope: "marketing", source: "form" });
  w.clock.advance(5_000);
  expect(await wa.consent.processInbound({ from: USER, text: "STOP", messageId: "wamid.a10-f1" })).toBe(
    "opt-out",
  );
  w.clock.advance(5_000);
  const ahead = w.clock.now() + 50_000;
  const recorded = await wa.consent
    .processInbound({ from: USER, text: "START", messageId: "wamid.a10-f2", at: ahead })
    .catch((error: Error) => error.name);
  w.clock.advance(10_000);
  await wa.webhooks.handle(w.fake.webhooks.request(w.stop("wamid.a10-f3", w.clock.now())));
  expect([recorded, await w.outcome(w.promo(wa, 1))]).not.toContain("sent"); // today: "sent"
});
