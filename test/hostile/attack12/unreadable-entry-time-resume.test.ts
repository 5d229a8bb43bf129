/**
 * attack12 — the last commit reads a `user_preferences` entry whose own `timestamp` cannot be read
 * at the entry's `time`, and marks it untrusted ("a resume in it lifts nothing") only when
 * `entry.time` is absent: `time === undefined` in parse.ts. But `entry.time` is read with
 * `toMs(entry.time, receivedAt)`, so an `entry.time` that is there but unreadable (`null`, `"soon"`,
 * `-1`) becomes the arrival time and the preference counts as "timed by Meta". The resume then
 * takes its arrival as its time and lifts a stop that came after it: the user resumed, then
 * stopped; the stop arrives first, the resume (its time and its entry's time unreadable) arrives
 * second and lifts it; the marketing template reaches Meta. Exactly what the rule "a resume timed
 * by nothing Meta wrote lifts nothing" promised to prevent; with no `entry.time` key at all it
 * holds. `time` should be undefined when `entry.time` cannot be read.
 *
 * Fixed: see README.md, "Status".
 */
import { describe, expect, it } from "vitest";
import { deliver, metadata } from "../attack10/helpers.js";
import { USER, WA_ID, world } from "../world.js";

type W = ReturnType<typeof world>;

const resume = (w: W, entryTime: unknown, withTime: boolean) => ({
  object: "whatsapp_business_account",
  entry: [
    {
      id: w.fake.wabaId,
      ...(withTime && { time: entryTime }),
      changes: [
        {
          field: "user_preferences",
          value: {
            messaging_product: "whatsapp",
            metadata: metadata(w),
            contacts: [{ wa_id: WA_ID, profile: { name: "U" } }],
            user_preferences: [
              {
                wa_id: WA_ID,
                detail: "User requested to resume marketing messages",
                category: "marketing_messages",
                value: "resume",
                timestamp: null,
              },
            ],
          },
        },
      ],
    },
  ],
});

async function resumeThenStop(entryTime: unknown, withTime: boolean) {
  const w = world();
  const wa = w.client();
  await wa.consent.grant(USER, { scope: "marketing", source: "form" });
  w.clock.advance(60_000);
  const resumedAt = w.clock.now(); // the user resumes (Meta's time, lost below)...
  w.clock.advance(30_000);
  // ...then stops; the stop is delivered first.
  expect((await deliver(w, wa, w.preference("stop", w.clock.now()))).status).toBe(200);
  expect(resumedAt).toBeLessThan(w.clock.now());
  w.clock.advance(5_000);
  // The resume arrives late, its time unreadable.
  expect((await deliver(w, wa, resume(w, entryTime, withTime))).status).toBe(200);
  const before = w.reached();
  const outcome = await w.outcome(w.promo(wa));
  return { outcome, reachedMeta: w.reached() - before };
}

describe("a resume whose own time and entry time cannot be read", () => {
  it.each([
    ["null", null],
    ['"soon"', "soon"],
    ["-1", -1],
  ])("entry.time %s: the resume lifts nothing", async (_n, entryTime) => {
    // today: { outcome: "sent", reachedMeta: 1 }
    expect(await resumeThenStop(entryTime, true)).toEqual({ outcome: "consent", reachedMeta: 0 });
  });

  it("no entry.time at all: the resume lifts nothing (holds)", async () => {
    expect(await resumeThenStop(undefined, false)).toEqual({ outcome: "consent", reachedMeta: 0 });
  });
});
