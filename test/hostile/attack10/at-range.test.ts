/**
 * attack10 — a consent time the API accepts but a store cannot keep. The last commit made consent
 * times "whole milliseconds (the stores keep integers), or a `ValidationError`": any safe integer
 * passes. (1) Redis reads back only times within ±8.64e15 ms (the range of a `Date`); a revoke
 * dated 8.7e15 is written, and from then on every read of the person's ledger fails as corrupt
 * (`StoreUnavailableError`): their grants, their START, everything later is unreadable — lost
 * data on bad input, through `wa.consent.revoke`. (2) PostgreSQL's `timestamptz` starts at
 * 4713 BC; a revoke dated before it fails as `StoreUnavailableError` ("timestamp out of range")
 * although the store is up and the input is what is wrong. Bounding `at` to what every store
 * keeps (a `Date`'s range, or PostgreSQL's) in `checkAt` would hold.
 *
 * Fixed: see README.md, "Status".
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isValidationError } from "../../../src/index.js";
import { migrate, postgresConsentStore } from "../../../src/postgres/index.js";
import { redisStores } from "../../../src/redis/index.js";
import { MemoryWebhookDedupStore } from "../../../src/state/index.js";
import { POSTGRES_URL, whenPostgres, whenRedis } from "../../contracts/services.js";
import { sharedRedis } from "../attack6/two.js";
import { world } from "../world.js";

const withRedis = await whenRedis("attack10 at-range (Redis)");
const withPostgres = await whenPostgres("attack10 at-range (PostgreSQL)");
const PREFIX = `attack10-at-${process.pid}`;
const r = sharedRedis(PREFIX);
const schema = `attack10_at_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
beforeAll(async () => {
  await r.connect();
  if (withPostgres === describe) await migrate(pool, { schema });
});
afterAll(async () => {
  await r.cleanup();
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await pool.end();
});

/** A revoke is recorded (true) or refused as bad input (false); anything else fails the test. */
const revoked = (p: Promise<unknown>) =>
  p.then(
    () => true,
    (error: unknown) => {
      if (isValidationError(error)) return false;
      throw error;
    },
  );

withRedis("Redis", () => {
  it("a revoke dated past a Date's range is refused, or the ledger stays readable", async () => {
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
    const to = "+14165550201";
    await wa.consent.grant(to, { scope: "utility", source: "form" });
    if (await revoked(wa.consent.revoke(to, { scope: "support", source: "crm", at: 8_700_000_000_000_000 })))
      // today: StoreUnavailableError "… is not a valid consent event"
      await expect(wa.consent.status(to, "utility")).resolves.toMatchObject({ granted: true });
  });
});

withPostgres("PostgreSQL", () => {
  it("a revoke dated before 4713 BC is refused as bad input, or recorded", async () => {
    const w = world();
    const wa = w.client({ stores: { consent: postgresConsentStore(pool, { schema }) } });
    // today: StoreUnavailableError "postgres is unavailable (consent.append): timestamp out of range"
    await revoked(wa.consent.revoke("+14165550202", { source: "crm", at: -300_000_000_000_000 }));
  });
});
