/**
 * Attack: a `user_preferences` entry without its own `timestamp` (the entry still has `time`).
 * Its de-duplication key is `p:<user>:<value>:<digest(raw)>` — the entry's time is not in it — so
 * the user's SECOND marketing stop within 7 days (stop, resume, stop) has the key of the first and
 * is dropped as a duplicate: Meta's marketing stop is lost and the promo goes out.
 */
import { describe, expect, it } from "vitest";
import { DAY, sec, USER, WA_ID, world } from "../world.js";

describe("an untimed user_preferences stop, the second time", () => {
  it("stop, resume, stop (each with entry.time, no per-preference timestamp): the second stop holds", async () => {
    const w = world();
    const wa = w.client();
    const pref = (value: "stop" | "resume", at: number) => ({
      object: "whatsapp_business_account",
      entry: [
        {
          id: w.fake.wabaId,
          time: sec(at),
          changes: [
            {
              field: "user_preferences",
              value: {
                messaging_product: "whatsapp",
                metadata: { display_phone_number: "15550000000", phone_number_id: w.fake.phoneNumberId },
                contacts: [{ wa_id: WA_ID, profile: { name: "U" } }],
                user_preferences: [{ wa_id: WA_ID, category: "marketing_messages", value }],
              },
            },
          ],
        },
      ],
    });
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    await wa.webhooks.handle(w.fake.webhooks.request(pref("stop", w.clock.now())));
    expect(await w.outcome(w.promo(wa, 1))).toBe("consent");
    w.clock.advance(DAY);
    await wa.webhooks.handle(w.fake.webhooks.request(pref("resume", w.clock.now())));
    expect(await w.outcome(w.promo(wa, 2))).toBe("sent");
    w.clock.advance(DAY);
    const second = await wa.webhooks.handle(w.fake.webhooks.request(pref("stop", w.clock.now())));
    const before = w.reached();
    const outcome = await w.outcome(w.promo(wa, 3));
    expect({ duplicates: second.duplicates, outcome, reachedMeta: w.reached() - before }).toEqual({
      duplicates: 0,
      outcome: "consent",
      reachedMeta: 0,
    });
  });
});
