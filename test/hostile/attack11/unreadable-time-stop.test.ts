/**
 * A `user_preferences` stop (Meta's marketing stop) or a failed status with 131050 whose
 * `timestamp` cannot be read — negative, beyond what a Date holds (1e13 s: a time in the wrong
 * unit), `null`, padded with a space — is dropped: `timestamp` is a vital field of both schemas, so
 * the whole element becomes an `unknown` event, the delivery is acknowledged with 200 and the
 * stop is never recorded; the next marketing template reaches Meta. The same time in an inbound
 * message makes it untrusted and its STOP still counts from now (the rule the last commit
 * introduced), so only these two opt-out paths lose it. The commit's new bounds made this worse:
 * before it, a negative number was read (the stop held) and a value beyond a Date was a 500 that
 * Meta retried; now both are acknowledged and lost.
 *
 * Fixed: see README.md, "Status".
 */
import { describe, expect, it } from "vitest";
import { deliver, inbound, metadata } from "../attack10/helpers.js";
import { USER, WA_ID, world } from "../world.js";

const unreadable: Array<[string, unknown]> = [
  ["-1", -1],
  ["1e13 (past what a Date holds)", 1e13],
  ["null", null],
  ['" 1767225600" (a space)', " 1767225600"],
];

describe("an opt-out whose time cannot be read", () => {
  it.each(unreadable)("a user_preferences stop stamped %s still stops marketing", async (_n, timestamp) => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const body = w.entry([
      {
        field: "user_preferences",
        value: {
          messaging_product: "whatsapp",
          metadata: metadata(w),
          contacts: [{ wa_id: WA_ID, profile: { name: "U" } }],
          user_preferences: [
            {
              wa_id: WA_ID,
              detail: "User requested to stop marketing messages",
              category: "marketing_messages",
              value: "stop",
              timestamp,
            },
          ],
        },
      },
    ]);
    const result = await deliver(w, wa, body);
    const before = w.reached();
    const outcome = await w.outcome(w.promo(wa));
    expect({ status: result.status, outcome, reachedMeta: w.reached() - before }).toEqual({
      status: 200,
      outcome: "consent",
      reachedMeta: 0,
    });
  });

  it.each(unreadable)(
    "a failed status with 131050 stamped %s still stops marketing",
    async (_n, timestamp) => {
      const w = world();
      const wa = w.client();
      await wa.consent.grant(USER, { scope: "marketing", source: "form" });
      const body = w.entry([
        {
          field: "messages",
          value: {
            messaging_product: "whatsapp",
            metadata: metadata(w),
            statuses: [
              {
                id: "wamid.failed",
                status: "failed",
                timestamp,
                recipient_id: WA_ID,
                errors: [{ code: 131050, title: "User stopped marketing" }],
              },
            ],
          },
        },
      ]);
      const result = await deliver(w, wa, body);
      const before = w.reached();
      const outcome = await w.outcome(w.promo(wa));
      expect({ status: result.status, outcome, reachedMeta: w.reached() - before }).toEqual({
        status: 200,
        outcome: "consent",
        reachedMeta: 0,
      });
    },
  );

  // Control: the same times in an inbound message — untrusted, the STOP counts from now.
  it.each(unreadable)("an inbound STOP stamped %s stops marketing (holds)", async (_n, timestamp) => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const result = await deliver(
      w,
      wa,
      inbound(w, { id: "wamid.s", timestamp, type: "text", text: { body: "STOP" } }),
    );
    expect(result.status).toBe(200);
    const before = w.reached();
    expect(await w.outcome(w.promo(wa))).toBe("consent");
    expect(w.reached()).toBe(before);
  });
});
