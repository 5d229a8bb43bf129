/**
 * The last commit's rule: an inbound message whose time cannot be read (missing, unreadable) opens
 * no 24-hour window — it may be a redelivery days after the user wrote. A `calls` event without a
 * `timestamp` (and no `entry.time`) is read as happening when it arrived and opens a window from
 * then (effects.ts `case "call"`). Meta retries for up to 7 days, so a user-initiated call whose
 * delivery succeeds three days later opens a fresh window: a free-form message reaches Meta
 * although the user's window closed two days ago (131047 at Meta). Same missing time, opposite
 * decisions; the call should open none, like the message.
 *
 * Fixed: see README.md, "Status".
 */
import { describe, expect, it } from "vitest";
import { deliver, inbound, metadata } from "../attack10/helpers.js";
import { DAY, USER, WA_ID, world } from "../world.js";

describe("an event without a time of its own opens no window", () => {
  it("a user-initiated call without timestamp, delivered days late", async () => {
    const w = world();
    const wa = w.client();
    w.clock.advance(3 * DAY); // the call was three days ago; Meta retried until now
    const body = w.entry([
      {
        field: "calls",
        value: {
          messaging_product: "whatsapp",
          metadata: metadata(w),
          contacts: [{ wa_id: WA_ID, profile: { name: "U" } }],
          calls: [
            {
              id: "wacid.late",
              from: WA_ID,
              to: "15550000000",
              event: "connect",
              direction: "USER_INITIATED",
            },
          ],
        },
      },
    ]);
    expect((await deliver(w, wa, body)).status).toBe(200);
    const before = w.reached();
    const outcome = await w.outcome(wa.messages.sendText({ to: USER, body: "hello" }));
    expect({ outcome, reachedMeta: w.reached() - before }).toEqual({
      outcome: "session-window",
      reachedMeta: 0,
    });
  });

  it("an inbound message without timestamp opens none (holds)", async () => {
    const w = world();
    const wa = w.client();
    await deliver(w, wa, inbound(w, { id: "wamid.untimed", type: "text", text: { body: "hi" } }));
    const before = w.reached();
    expect(await w.outcome(wa.messages.sendText({ to: USER, body: "hello" }))).toBe("session-window");
    expect(w.reached()).toBe(before);
  });
});
