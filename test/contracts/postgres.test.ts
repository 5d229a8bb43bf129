import { randomUUID } from "node:crypto";
import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { isStoreUnavailableError } from "../../src/index.js";
import {
  MIGRATIONS,
  migrate,
  postgresConsentStore,
  postgresIdentityStore,
} from "../../src/postgres/index.js";
import { type ConsentEvent, consentStatus } from "../../src/state/consent.js";
import { connected } from "../helpers.js";
import { POSTGRES_URL, whenPostgres } from "./services.js";
import { consentContract, identityContract } from "./stores.js";

// Needs PostgreSQL at 127.0.0.1:5432 (user postgres, database test; .ci/run starts it).
const suite = await whenPostgres("the PostgreSQL store suites");
const schema = `wa_guard_test_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
let pool: pg.Pool;

/** The view's rows for one recipient, by scope. */
async function current(recipient: string, inSchema = schema) {
  const { rows } = await pool.query(
    `SELECT scope, action, source, granted, decided_by_scope FROM ${inSchema}.wa_guard_consent_current WHERE recipient = $1 ORDER BY scope`,
    [recipient],
  );
  return Object.fromEntries(rows.map(({ scope, ...row }) => [scope, row]));
}

suite("PostgreSQL consent ledger", () => {
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 4 });
    expect((await migrate(pool, { schema })).applied).toEqual([1, 2, 3]);
  });
  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
  });

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

  // Each run tags its identifiers: the links table is append-only too.
  identityContract(async (instances = 1) => {
    const tag = `i${++n}:`;
    return Array.from({ length: instances }, () => {
      const store = postgresIdentityStore(pool, { schema });
      return {
        link: (ids: readonly string[], link: { at: number; source: string }) =>
          store.link(
            ids.map((id) => tag + id),
            link,
          ),
        aliases: async (id: string) => (await store.aliases(tag + id)).map((x) => x.slice(tag.length)),
      };
    });
  });

  it("migrate() is idempotent and safe to run from several instances at once", async () => {
    const results = await Promise.all([1, 2, 3].map(() => migrate(pool, { schema })));
    expect(results.map((r) => r.applied)).toEqual([[], [], []]);
    // On a fresh schema, three instances starting together: exactly one applies each migration.
    const other = `${schema}_b`;
    try {
      const first = await Promise.all([1, 2, 3].map(() => migrate(pool, { schema: other })));
      expect(first.map((r) => r.applied).sort()).toEqual([[], [], [1, 2, 3]]);
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS ${other} CASCADE`);
    }
  });

  it("migrate() from several instances at once also holds when the server defaults to SERIALIZABLE", async () => {
    const other = `${schema}_c`;
    const clients = [1, 2, 3].map(
      () =>
        new pg.Client({
          connectionString: POSTGRES_URL,
          options: "-c default_transaction_isolation=serializable",
        }),
    );
    try {
      await Promise.all(clients.map((c) => c.connect()));
      const first = await Promise.all(clients.map((c) => migrate(c, { schema: other })));
      expect(first.map((r) => r.applied).sort()).toEqual([[], [], [1, 2, 3]]);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
      await pool.query(`DROP SCHEMA IF EXISTS ${other} CASCADE`);
    }
  });

  it("migrate() upgrades a version-1 ledger in place: history kept, the view follows STOP", async () => {
    const old = `${schema}_v1`;
    const v1 = MIGRATIONS.find((m) => m.version === 1)!;
    try {
      // A database migrated by the first release: only version 1 applied.
      await pool.query(`CREATE SCHEMA ${old}`);
      await pool.query(
        `CREATE TABLE ${old}.wa_guard_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      await pool.query(v1.sql(`"${old}"`));
      await pool.query(`INSERT INTO ${old}.wa_guard_migrations (version, name) VALUES (1, $1)`, [v1.name]);
      const store = postgresConsentStore(pool, { schema: old });
      await store.append({ key: "u1", action: "grant", scope: "marketing", source: "form", at: 1 });
      await store.append({ key: "u1", action: "revoke", scope: "all", source: "keyword:STOP", at: 2 });
      const before = await pool.query(
        `SELECT action FROM ${old}.wa_guard_consent_current WHERE recipient = 'u1' AND scope = 'marketing'`,
      );
      expect(before.rows).toEqual([{ action: "grant" }]); // what version 1 showed after a STOP

      expect((await migrate(pool, { schema: old })).applied).toEqual([2, 3]);
      expect((await store.history("u1")).map((e) => e.source)).toEqual(["form", "keyword:STOP"]);
      expect((await current("u1", old))["marketing"]).toEqual({
        action: "revoke",
        source: "keyword:STOP",
        granted: false,
        decided_by_scope: "all",
      });
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS ${old} CASCADE`);
    }
  });

  it("the view agrees with wa.consent.status() after a keyword STOP and START", async () => {
    const { clock, fake, wa } = connected({
      client: { stores: { consent: postgresConsentStore(pool, { schema }) } },
    });
    const inbound = (id: string, body: string) =>
      fake.webhooks.request({
        object: "whatsapp_business_account",
        entry: [
          {
            id: fake.wabaId,
            changes: [
              {
                field: "messages",
                value: {
                  messaging_product: "whatsapp",
                  messages: [
                    {
                      from: "14165550042",
                      id,
                      timestamp: String(Math.floor(clock.now() / 1000)),
                      type: "text",
                      text: { body },
                    },
                  ],
                },
              },
            ],
          },
        ],
      });
    const post = async (id: string, body: string) => {
      clock.advance(2_000); // each message a moment after the last event
      const result = await wa.webhooks.handle(inbound(id, body));
      expect(result.status).toBe(200);
      await result.delivered;
    };
    await wa.consent.grant("+14165550042", { scope: "marketing", source: "checkout-form" });
    await post("wamid.stop", "STOP");
    expect((await wa.consent.status("+14165550042", "marketing")).granted).toBe(false);
    expect(await current("14165550042")).toEqual({
      all: { action: "revoke", source: "keyword:STOP", granted: false, decided_by_scope: "all" },
      marketing: { action: "revoke", source: "keyword:STOP", granted: false, decided_by_scope: "all" },
    });

    await post("wamid.start", "START");
    expect((await wa.consent.status("+14165550042", "marketing")).granted).toBe(true);
    expect(await current("14165550042")).toEqual({
      all: { action: "grant", source: "keyword:START", granted: true, decided_by_scope: "all" },
      marketing: { action: "grant", source: "checkout-form", granted: true, decided_by_scope: "marketing" },
    });
  });

  it("the view decides every scope as consentStatus() does, for any ledger", async () => {
    const store = postgresConsentStore(pool, { schema });
    // Business, keyword and Meta sources, and times out of recorded order (same second: ties).
    const event = fc.record({
      action: fc.constantFrom("grant" as const, "revoke" as const),
      scope: fc.constantFrom("all", "marketing", "utility", "news"),
      origin: fc.constantFrom("form", "keyword:STOP", "meta:user_preferences", "meta:131050"),
      second: fc.integer({ min: 0, max: 5 }),
      ms: fc.integer({ min: 0, max: 999 }),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 8 }), async (drawn) => {
        const key = `p${++run}`;
        const base = Date.UTC(2026, 5, 1);
        const events: ConsentEvent[] = drawn.map((e, i) => ({
          key,
          action: e.action,
          scope: e.scope,
          source: `${e.origin}#${i}`,
          at: base + e.second * 1000 + e.ms,
        }));
        for (const e of events) await store.append(e);
        const view = await current(key);
        expect(Object.keys(view).sort()).toEqual([...new Set(drawn.map((e) => e.scope))].sort());
        for (const [scope, row] of Object.entries(view)) {
          const status = consentStatus(events, scope);
          expect(row).toEqual({
            action: status.decidedBy?.action ?? null,
            source: status.decidedBy?.source ?? null,
            granted: status.granted,
            decided_by_scope: status.decidedBy?.scope ?? null,
          });
        }
      }),
      { numRuns: 150 },
    );
  });

  it("the table is append-only: updates and deletes are refused by the database", async () => {
    const store = postgresConsentStore(pool, { schema });
    await store.append({
      key: "14165550009",
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
    expect((await current("14165550009"))["marketing"]).toMatchObject({ action: "grant", source: "form" });
  });

  it("an unreachable database fails closed with StoreUnavailableError within the bound", async () => {
    const dead = new pg.Pool({
      connectionString: "postgres://postgres@127.0.0.1:1/test",
      connectionTimeoutMillis: 200,
    });
    const store = postgresConsentStore(dead, { schema, timeoutMs: 300 });
    const started = Date.now();
    const error = await store.history("14165550001").catch((e) => e);
    expect(isStoreUnavailableError(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
    await dead.end();
  });
});
