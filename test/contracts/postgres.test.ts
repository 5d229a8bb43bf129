import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isStoreUnavailableError } from "../../src/index.js";
import { migrate, postgresConsentStore } from "../../src/postgres/index.js";
import { consentContract } from "./stores.js";

// Needs PostgreSQL at 127.0.0.1:5432 (user postgres, database test; .ci/run starts it). In CI a
// missing server fails the suite; elsewhere it is skipped with the reason printed.
const URL = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";
const available = await (async () => {
  const probe = new pg.Client({ connectionString: URL, connectionTimeoutMillis: 1_000 });
  try {
    await probe.connect();
    await probe.query("SELECT 1");
    return true;
  } catch (error) {
    return String(error);
  } finally {
    await probe.end().catch(() => undefined);
  }
})();
if (available !== true) {
  if (process.env["CI"]) throw new Error(`PostgreSQL is required in CI (${URL}): ${available}`);
  console.warn(`skipping the PostgreSQL store suites: no PostgreSQL at ${URL} (${available})`);
}
const suite = available === true ? describe : describe.skip;
const schema = `wa_guard_test_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
let pool: pg.Pool;

beforeAll(async () => {
  if (available !== true) return;
  pool = new pg.Pool({ connectionString: URL, max: 4 });
  expect((await migrate(pool, { schema })).applied).toEqual([1]);
});
afterAll(async () => {
  if (available !== true) return;
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pool.end();
});

suite("PostgreSQL consent ledger", () => {
  let n = 0;
  // Each contract run gets its own recipients: the ledger is append-only by design.
  consentContract(async () => {
    const store = postgresConsentStore(pool, { schema });
    const tag = `r${++n}:`;
    return {
      append: (e) => store.append({ ...e, key: tag + e.key }),
      history: async (k) =>
        (await store.history(tag + k)).map((e) => ({ ...e, key: e.key.slice(tag.length) })),
    };
  });

  it("migrate() is idempotent and safe to run from several instances at once", async () => {
    const results = await Promise.all([1, 2, 3].map(() => migrate(pool, { schema })));
    expect(results.map((r) => r.applied)).toEqual([[], [], []]);
    // On a fresh schema, three instances starting together: exactly one applies each migration.
    const other = `${schema}_b`;
    try {
      const first = await Promise.all([1, 2, 3].map(() => migrate(pool, { schema: other })));
      expect(first.map((r) => r.applied).sort()).toEqual([[], [], [1]]);
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS ${other} CASCADE`);
    }
  });

  it("the table is append-only: updates and deletes are refused by the database", async () => {
    const store = postgresConsentStore(pool, { schema });
    await store.append({
      key: "16505550009",
      action: "grant",
      scope: "marketing",
      source: "form",
      proof: "sha256:ab",
      at: Date.now(),
    });
    await expect(
      pool.query(`UPDATE ${schema}.wa_guard_consent_events SET action = 'revoke'`),
    ).rejects.toThrow(/append-only/);
    await expect(pool.query(`DELETE FROM ${schema}.wa_guard_consent_events`)).rejects.toThrow(/append-only/);
    await expect(pool.query(`TRUNCATE ${schema}.wa_guard_consent_events`)).rejects.toThrow(/append-only/);
    const current = await pool.query(
      `SELECT action, source FROM ${schema}.wa_guard_consent_current WHERE recipient = '16505550009' AND scope = 'marketing'`,
    );
    expect(current.rows).toEqual([{ action: "grant", source: "form" }]);
  });

  it("an unreachable database fails closed with StoreUnavailableError within the bound", async () => {
    const dead = new pg.Pool({
      connectionString: "postgres://postgres@127.0.0.1:1/test",
      connectionTimeoutMillis: 200,
    });
    const store = postgresConsentStore(dead, { schema, timeoutMs: 300 });
    const started = Date.now();
    const error = await store.history("16505550001").catch((e) => e);
    expect(isStoreUnavailableError(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
    await dead.end();
  });
});
