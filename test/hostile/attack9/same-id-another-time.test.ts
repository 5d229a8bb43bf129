/**
 * attack9 — one message, recorded again because it came with another time. `appendOnce` treats an
 * event as already on file only when everything matches, `at` included; Meta's message id, which
 * names the message, is not enough. (1) A message whose `timestamp` is missing (the schema accepts
 * it: `timestamp` is vital but optional) is recorded at its arrival; replayed after the
 * de-duplication window it arrives again, later, and is recorded again at the replay's arrival. A
 * START replayed so lands after a STOP the user sent days after that START, and lifts it: marketing
 * reaches Meta (a lost opt-out). (2) The public `wa.consent.processInbound({ …, messageId })` is
 * documented as "the same message applied twice (a redelivery, a replay) is recorded once"; an app
 * that passes the id but not `at` (at defaults to now) gets the same START recorded a second time
 * after a newer STOP, which it lifts. In both, the second recording of one message id decides what
 * the user's later STOP already decided. Matching the id (with key, action, scope and source) at
 * any time — or refusing an inbound opt-in the ledger already holds under that id — would hold.
 *
 * Fixed: `appendOnce` matches a message by its id whatever time it was recorded at.
 */
import { describe, expect, it } from "vitest";
import { DAY, USER, world } from "../world.js";
import { onSecond, textAt } from "./helpers.js";

describe("attack9: the same message id recorded again at another time", () => {
  it("a START without a timestamp, replayed after a newer STOP, does not lift it", async () => {
    const w = onSecond(world());
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    w.clock.advance(1000);
    const start = textAt(w, "wamid.a9-untimed-start", undefined, "START");
    const first = await wa.webhooks.handle(w.fake.webhooks.request(start));
    // Since attack10: a START without a time cannot be ordered against a STOP and lifts nothing.
    expect(first.events.map((e) => e.kind)).toEqual(["message"]);
    w.clock.advance(DAY);
    await wa.webhooks.handle(w.fake.webhooks.request(w.stop("wamid.a9-later-stop", w.clock.now())));
    expect(await w.outcome(w.promo(wa, 1))).toBe("consent");
    w.clock.advance(8 * DAY);
    expect((await wa.webhooks.handle(w.fake.webhooks.request(start))).status).toBe(200);
    const before = w.reached();
    expect(await w.outcome(w.promo(wa, 2))).toBe("consent"); // today: "sent"
    expect(w.reached()).toBe(before);
  });

  it("processInbound: the same START (same messageId, no at) twice does not lift a STOP between", async () => {
    const w = onSecond(world());
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    w.clock.advance(1000);
    expect(await wa.consent.processInbound({ from: USER, text: "START", messageId: "wamid.a9-B" })).toBe(
      "opt-in",
    );
    w.clock.advance(1000);
    expect(await wa.consent.processInbound({ from: USER, text: "STOP", messageId: "wamid.a9-C" })).toBe(
      "opt-out",
    );
    w.clock.advance(1000);
    // A redelivery of message B, handed to processInbound as the app's handler got it.
    await wa.consent.processInbound({ from: USER, text: "START", messageId: "wamid.a9-B" });
    const starts = (await wa.consent.history(USER)).filter((e) => e.proof === "wamid.a9-B");
    expect(starts).toHaveLength(1); // today: 2
    expect(await w.outcome(w.promo(wa, 2))).toBe("consent"); // today: "sent"
  });

  it("control: with the message's timestamp, the same START replayed lifts nothing", async () => {
    const w = onSecond(world());
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    w.clock.advance(1000);
    const start = textAt(w, "wamid.a9-timed-start", w.clock.now(), "START");
    await wa.webhooks.handle(w.fake.webhooks.request(start));
    w.clock.advance(DAY);
    await wa.webhooks.handle(w.fake.webhooks.request(w.stop("wamid.a9-later-stop2", w.clock.now())));
    w.clock.advance(8 * DAY);
    await wa.webhooks.handle(w.fake.webhooks.request(start));
    expect(await w.outcome(w.promo(wa, 2))).toBe("consent");
  });
});
