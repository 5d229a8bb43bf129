/**
 * attack10 — a STOP whose Meta timestamp has a fraction finer than a millisecond is never
 * recorded. The schema accepts a numeric `timestamp` (`unixTime`: any finite number), which is read
 * as `seconds * 1000`; `1767225604.123456` becomes `1767225604123.456` ms. Since consent times
 * must be whole milliseconds (`checkAt`, the last commit), `recordInbound` (an inbound STOP) and
 * `revoke` (Meta's `user_preferences` stop) throw `ValidationError` inside the webhook handler:
 * every delivery answers 500, Meta retries until it gives up, and the user's grant stands —
 * the marketing template reaches Meta. Before the change such a STOP was recorded. The 131050
 * path (`learnFromCode` → `appendOnce`) does not check `at` at all: with Redis stores it writes a
 * fractional time that the Redis decoder reads back as corrupt — the very defect the whole-ms
 * rule was meant to close — and the person's whole ledger becomes unreadable. Rounding Meta's
 * time (down, to the millisecond) where the webhook reads it would hold.
 *
 * Fixed: see README.md, "Status".
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { redisStores } from "../../../src/redis/index.js";
import { MemoryWebhookDedupStore } from "../../../src/state/index.js";
import { whenRedis } from "../../contracts/services.js";
import { sharedRedis } from "../attack6/two.js";
import { sec, USER, WA_ID, world } from "../world.js";
import { deliver, inbound, metadata } from "./helpers.js";

/** Meta's seconds with a fraction finer than a millisecond. */
const fractional = (ms: number) => sec(ms) - 1 + 0.123456;

it("an inbound STOP stamped with fractional seconds withdraws marketing", async () => {
  const w = world();
  const wa = w.client();
  await wa.consent.grant(USER, { scope: "marketing", source: "form" });
  w.clock.advance(5_000);
  const stop = inbound(w, {
    id: "wamid.a10-frac-stop",
    timestamp: fractional(w.clock.now()),
    type: "text",
    text: { body: "STOP" },
  });
  // Meta's first delivery and two retries.
  for (let i = 0; i < 3; i++) await deliver(w, wa, stop);
  expect(await w.outcome(w.promo(wa, 1))).toBe("consent"); // today: "sent" (each delivery: 500 ValidationError)
});

it("Meta's user_preferences stop stamped with fractional seconds withdraws marketing", async () => {
  const w = world();
  const wa = w.client();
  await wa.consent.grant(USER, { scope: "marketing", source: "form" });
  w.clock.advance(5_000);
  const stop = w.preference("stop", undefined) as {
    entry: Array<{ changes: Array<{ value: { user_preferences: Array<Record<string, unknown>> } }> }>;
  };
  stop.entry[0]!.changes[0]!.value.user_preferences[0]!["timestamp"] = fractional(w.clock.now());
  for (let i = 0; i < 3; i++) await deliver(w, wa, stop);
  expect(await w.outcome(w.promo(wa, 1))).toBe("consent"); // today: "sent"
});

const withRedis = await whenRedis("attack10 fractional-timestamp (Redis)");
const PREFIX = `attack10-frac-${process.pid}`;
const r = sharedRedis(PREFIX);
beforeAll(r.connect);
afterAll(r.cleanup);

withRedis("Redis", () => {
  it("a 131050 stamped with fractional seconds leaves the ledger readable", async () => {
    const w = world();
    const wa = w.client({
      stores: {
        ...redisStores(r.redis, {
          prefix: PREFIX,
          phoneNumberId: w.fake.phoneNumberId,
          wabaId: w.fake.wabaId,
        }),
        webhookDedup: new MemoryWebhookDedupStore(),
      },
    });
    await wa.consent.grant(USER, { scope: "utility", source: "form" });
    w.clock.advance(5_000);
    const failed = w.entry([
      {
        field: "messages",
        value: {
          messaging_product: "whatsapp",
          metadata: metadata(w),
          statuses: [
            {
              id: "wamid.a10-frac-131050",
              status: "failed",
              timestamp: fractional(w.clock.now()),
              recipient_id: WA_ID,
              errors: [{ code: 131050 }],
            },
          ],
        },
      },
    ]);
    expect((await deliver(w, wa, failed)).status).toBe(200);
    // today: StoreUnavailableError "… is not a valid consent event" — the utility grant is gone too.
    await expect(wa.consent.status(USER, "utility")).resolves.toMatchObject({ granted: true });
  });
});
