/**
 * attack10 — what held: two identical id-less STOPs from different users are two STOPs (the
 * digest holds the sender); a message whose id is literally "(unreadable)" opens no window and its
 * STOP counts; a message with an id and a numeric type is read by its content (its STOP counts,
 * its redelivery with the right type is a duplicate); one message id used by a STOP of one user and
 * a START of another records both; an id-less, type-less message whose content is a `system`
 * number change links no identities (the type is never inferred as `system`).
 */
import { expect, it } from "vitest";
import { sec, USER, WA_ID, world } from "../world.js";
import { deliver, inbound } from "./helpers.js";

const OTHER = "14165559999";

it("two identical id-less STOPs from different users are both recorded", async () => {
  const w = world();
  const wa = w.client();
  const ts = String(sec(w.clock.now()));
  await deliver(w, wa, inbound(w, { timestamp: ts, type: "text", text: { body: "STOP" } }));
  const second = await deliver(
    w,
    wa,
    inbound(w, { timestamp: ts, type: "text", text: { body: "STOP" } }, OTHER),
  );
  expect(second.duplicates).toBe(0);
  expect(await wa.consent.history(`+${OTHER}`)).toHaveLength(1);
  expect(await wa.consent.history(USER)).toHaveLength(1);
});

it('a message whose id is "(unreadable)" opens no window; its STOP counts', async () => {
  const w = world();
  const wa = w.client();
  await wa.consent.grant(USER, { scope: "marketing", source: "form" });
  w.clock.advance(5_000);
  const ts = String(sec(w.clock.now()));
  await deliver(
    w,
    wa,
    inbound(w, { id: "(unreadable)", timestamp: ts, type: "text", text: { body: "STOP" } }),
  );
  expect((await wa.sessions.status(USER)).open).toBe(false);
  expect(await w.outcome(w.promo(wa, 1))).toBe("consent");
});

it("an id with a numeric type: read by content, and the well-typed redelivery is a duplicate", async () => {
  const w = world();
  const wa = w.client();
  await wa.consent.grant(USER, { scope: "marketing", source: "form" });
  w.clock.advance(5_000);
  const ts = String(sec(w.clock.now()));
  await deliver(w, wa, inbound(w, { id: "wamid.a10-h1", timestamp: ts, type: 7, text: { body: "STOP" } }));
  expect(await w.outcome(w.promo(wa, 1))).toBe("consent");
  const again = await deliver(
    w,
    wa,
    inbound(w, { id: "wamid.a10-h1", timestamp: ts, type: "text", text: { body: "STOP" } }),
  );
  expect(again.duplicates).toBe(1);
  expect(await wa.consent.history(USER)).toHaveLength(2); // the grant and one STOP
});

it("one message id for a STOP of one user and a START of another records both", async () => {
  const w = world();
  const wa = w.client();
  await wa.consent.processInbound({ from: USER, text: "STOP", messageId: "wamid.a10-shared" });
  await wa.consent.processInbound({ from: `+${OTHER}`, text: "START", messageId: "wamid.a10-shared" });
  expect(await wa.consent.history(USER)).toHaveLength(1);
  expect(await wa.consent.history(`+${OTHER}`)).toHaveLength(1);
});

it("an id-less, type-less system number change links no identities", async () => {
  const w = world();
  const wa = w.client();
  await wa.consent.processInbound({ from: USER, text: "STOP", messageId: "wamid.a10-h2" });
  const change = inbound(w, {
    timestamp: String(sec(w.clock.now())),
    system: { type: "user_changed_number", wa_id: WA_ID, new_wa_id: OTHER, body: "changed" },
  });
  expect((await deliver(w, wa, change)).status).toBe(200);
  expect(await wa.consent.history(`+${OTHER}`)).toHaveLength(0);
});
