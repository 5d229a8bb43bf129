/**
 * attack10 — a message whose `id` is the empty string is read as a readable id. It is keyed for
 * de-duplication as `m:` — the same key for every such message, of any user — and it opens the
 * 24-hour window, unlike a message without an id (read as "(unreadable)", keyed by its content,
 * opening no window). The effects already treat `""` as no id (`event.id.length > 0` before it is
 * used as the STOP's proof), but the parser does not. So one user's empty-id "hi" makes a second
 * user's empty-id STOP a duplicate for the next seven days: it is answered 200 and never
 * recorded, and a marketing template reaches that user. And a message that carries no usable id
 * opens a window for free-form messages. Reading `""` (and an id of spaces) as `UNREADABLE_ID`
 * in `withoutIdOrType` would hold.
 *
 * Fixed: see README.md, "Status".
 */
import { expect, it } from "vitest";
import { sec, USER, world } from "../world.js";
import { deliver, inbound } from "./helpers.js";

const OTHER = "14165559999";

it("a STOP with an empty id is not taken for another user's empty-id message", async () => {
  const w = world();
  const wa = w.client();
  await wa.consent.grant(USER, { scope: "marketing", source: "form" });
  w.clock.advance(5_000);
  const hi = inbound(
    w,
    { id: "", timestamp: String(sec(w.clock.now())), type: "text", text: { body: "hi" } },
    OTHER,
  );
  expect((await deliver(w, wa, hi)).status).toBe(200);
  w.clock.advance(60_000);
  const stop = inbound(w, {
    id: "",
    timestamp: String(sec(w.clock.now())),
    type: "text",
    text: { body: "STOP" },
  });
  const result = await deliver(w, wa, stop);
  expect(result.duplicates).toBe(0); // today: 1 (key "m:" was seen)
  expect(await w.outcome(w.promo(wa, 1))).toBe("consent"); // today: "sent"
});

it("a message with an empty id opens no window, like one without an id", async () => {
  const w = world();
  const wa = w.client();
  const hi = inbound(w, {
    id: "",
    timestamp: String(sec(w.clock.now())),
    type: "text",
    text: { body: "hi" },
  });
  await deliver(w, wa, hi);
  // control: the same message without an id opens none.
  const { id: _, ...noId } = {
    id: "",
    timestamp: String(sec(w.clock.now())),
    type: "text",
    text: { body: "hi" },
  };
  const wb = w.client();
  await deliver(w, wb, inbound(w, noId, "14165558888"));
  expect((await wb.sessions.status("+14165558888")).open).toBe(false);
  expect((await wa.sessions.status(USER)).open).toBe(false); // today: true
  expect(await w.outcome(wa.messages.sendText({ to: USER, body: "free-form" }))).not.toBe("sent");
});
