/**
 * attack12 — the last commit made a failed status with 131050 (the user's marketing stop) count
 * when its `timestamp` cannot be read; its `id` is still taken as given. A status is keyed for
 * de-duplication by `s:${id}:${status}`, so every failed status with `id: ""` has the one key
 * `s::failed` (attack10 fixed exactly this for messages: an empty id is unreadable, "one shared
 * de-duplication key"). The first user's 131050 with an empty id is recorded; a second user's,
 * within the 7-day de-duplication window, is answered 200 as a "duplicate" and never recorded:
 * marketing to them reaches Meta. And a 131050 status without any `id` (the schema requires one)
 * is an `unknown` event, 200, the stop lost — the failure mode the commit removed for an unreadable
 * `timestamp`. A stop must count whatever its id; an id-less or empty-id status should be keyed by
 * its content and time (like an id-less message) and apply its 131050 on every delivery.
 *
 * Fixed: see README.md, "Status".
 */
import { describe, expect, it } from "vitest";
import { deliver, metadata } from "../attack10/helpers.js";
import { world } from "../world.js";

type W = ReturnType<typeof world>;

const failed = (w: W, waId: string, id: Record<string, unknown>) =>
  w.entry([
    {
      field: "messages",
      value: {
        messaging_product: "whatsapp",
        metadata: metadata(w),
        statuses: [
          {
            ...id,
            status: "failed",
            timestamp: String(Math.floor(w.clock.now() / 1000)),
            recipient_id: waId,
            errors: [{ code: 131050, title: "Unable to deliver the message: user stopped marketing" }],
          },
        ],
      },
    },
  ]);

async function stopped(w: W, wa: ReturnType<W["client"]>, waId: string) {
  const before = w.reached();
  const outcome = await w.outcome(w.promo(wa, 0, `+${waId}`));
  return { outcome, reachedMeta: w.reached() - before };
}

describe("a 131050 failed status with an odd id", () => {
  it("a second user's 131050 with id '' is not a duplicate of the first's", async () => {
    const w = world();
    const wa = w.client();
    for (const u of ["14165550001", "14165550002"])
      await wa.consent.grant(`+${u}`, { scope: "marketing", source: "form" });
    expect((await deliver(w, wa, failed(w, "14165550001", { id: "" }))).status).toBe(200);
    w.clock.advance(3_600_000);
    const second = await deliver(w, wa, failed(w, "14165550002", { id: "" }));
    expect(second.status).toBe(200);
    // today: second.duplicates === 1, and { outcome: "sent", reachedMeta: 1 }
    expect(await stopped(w, wa, "14165550002")).toEqual({ outcome: "consent", reachedMeta: 0 });
  });

  it("a 131050 status without an id still stops marketing", async () => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant("+14165550003", { scope: "marketing", source: "form" });
    const result = await deliver(w, wa, failed(w, "14165550003", {}));
    expect(result.status).toBe(200);
    // today: an `unknown` event, and { outcome: "sent", reachedMeta: 1 }
    expect(await stopped(w, wa, "14165550003")).toEqual({ outcome: "consent", reachedMeta: 0 });
  });

  it("a 131050 status with an id stops marketing (holds)", async () => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant("+14165550004", { scope: "marketing", source: "form" });
    await deliver(w, wa, failed(w, "14165550004", { id: "wamid.f4" }));
    expect(await stopped(w, wa, "14165550004")).toEqual({ outcome: "consent", reachedMeta: 0 });
  });
});
