/**
 * attack10 — a message without a readable id is keyed for de-duplication by a digest of its
 * content (`m~digest(raw)`), "its content and time". When the message has no `timestamp` either
 * (the schema accepts that: `timestamp` is optional), the key has no time at all: the user's next
 * identical id-less message within the seven-day de-duplication window is taken for a
 * redelivery. STOP, then START (with an id), then STOP again: the second STOP is answered 200 as a
 * duplicate and never recorded; the START stands and marketing reaches Meta. (Other id-less
 * changes — Meta's untimed changes — are keyed by the second they arrived for exactly this
 * reason.) With a timestamp, the same happens within one second (STOP, START, STOP: the second
 * STOP has the first's key), which the fix for Meta's `user_preferences` stop settled the other
 * way. And an id-less START without a timestamp redelivered after the de-duplication window is
 * recorded again, at its new arrival, and lifts the STOP the user sent after it (the replay
 * attack9 closed for messages with an id; with no id there is nothing to match). Keying an untimed
 * id-less message by its arrival second, and not letting an id-less opt-in be recorded at a
 * time later than the first delivery, would hold.
 *
 * Fixed: see README.md, "Status".
 */
import { expect, it } from "vitest";
import { DAY, HOUR, sec, USER, world } from "../world.js";
import { deliver, inbound } from "./helpers.js";

it("an untimed id-less STOP after a START is not a duplicate of an earlier one", async () => {
  const w = world();
  const wa = w.client();
  await wa.consent.grant(USER, { scope: "marketing", source: "form" });
  w.clock.advance(5_000);
  const stop = inbound(w, { type: "text", text: { body: "STOP" } });
  expect((await deliver(w, wa, stop)).events.map((e) => e.kind)).toEqual(["message", "optOut"]);
  w.clock.advance(HOUR);
  await deliver(w, wa, w.text("wamid.a10-start", w.clock.now(), "START"));
  expect(await w.outcome(w.promo(wa, 1))).toBe("sent");
  w.clock.advance(HOUR);
  const again = await deliver(w, wa, stop); // the user types STOP again
  // Its key (content alone) cannot tell it from a redelivery, so it counts as a duplicate for the
  // listeners; its effect is applied again all the same.
  expect(again.duplicates).toBe(1);
  expect(await w.outcome(w.promo(wa, 2))).toBe("consent"); // today: "sent"
});

it("id-less STOP, START, STOP in one second ends withdrawn", async () => {
  const w = world();
  w.clock.set(Math.ceil(w.clock.now() / 1000) * 1000 + 10_000);
  const wa = w.client();
  await wa.consent.grant(USER, { scope: "marketing", source: "form" });
  w.clock.advance(1_000);
  const ts = String(sec(w.clock.now()));
  const stop = inbound(w, { timestamp: ts, type: "text", text: { body: "STOP" } });
  const start = inbound(w, { timestamp: ts, type: "text", text: { body: "START" } });
  await deliver(w, wa, stop);
  await deliver(w, wa, start);
  w.clock.advance(300);
  await deliver(w, wa, stop);
  expect(await w.outcome(w.promo(wa, 1))).toBe("consent"); // today: "sent"
});

it("an untimed id-less START redelivered after the de-duplication window lifts no newer STOP", async () => {
  const w = world();
  const wa = w.client();
  await wa.consent.grant(USER, { scope: "marketing", source: "form" });
  w.clock.advance(1_000);
  const start = inbound(w, { type: "text", text: { body: "START" } });
  await deliver(w, wa, start);
  w.clock.advance(DAY);
  await deliver(w, wa, w.stop("wamid.a10-later-stop", w.clock.now()));
  expect(await w.outcome(w.promo(wa, 1))).toBe("consent");
  w.clock.advance(8 * DAY);
  expect((await deliver(w, wa, start)).status).toBe(200);
  expect(await w.outcome(w.promo(wa, 2))).toBe("consent"); // today: "sent"
});
