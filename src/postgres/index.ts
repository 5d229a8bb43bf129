/**
 * `wa-guard/postgres`: the consent ledger as an append-only PostgreSQL table — the auditable,
 * durable record of who agreed to what, when, how and with what proof. Works with a `pg` Pool or
 * Client (or anything with `query(text, values)`); this module does not import `pg`.
 *
 * ```ts
 * import pg from "pg";
 * import { migrate, postgresConsentStore } from "wa-guard/postgres";
 * const pool = new pg.Pool({ connectionString, connectionTimeoutMillis: 1000, query_timeout: 1000 });
 * await migrate(pool);
 * const wa = new WhatsAppClient({ stores: { consent: postgresConsentStore(pool) } });
 * ```
 */
import { StoreUnavailableError } from "../errors/store.js";
import { describeError } from "../internal/logger.js";
import type { ConsentEvent, ConsentStore } from "../state/consent.js";

/** What wa-guard needs of a `pg` Pool or Client. */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}

export interface PostgresOptions {
  /** Schema of the tables. @default "public" */
  schema?: string;
  /**
   * Longest wait for one query; past it the decision fails closed with `StoreUnavailableError`.
   * @default 1000
   */
  timeoutMs?: number;
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/** The schema as a quoted identifier (so `user` or `order` work too). */
function schemaOf(options: PostgresOptions): string {
  const schema = options.schema ?? "public";
  if (!IDENT.test(schema))
    throw new TypeError(`schema must be a lower-case SQL identifier, got ${JSON.stringify(schema)}`);
  return `"${schema}"`;
}

/** The migrations, in order. Each runs once, in a transaction, under an advisory lock. */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: (schema: string) => string }> = [
  {
    version: 1,
    name: "consent events ledger",
    sql: (s) => `
CREATE TABLE IF NOT EXISTS ${s}.wa_guard_consent_events (
  id          bigserial   PRIMARY KEY,
  recipient   text        NOT NULL,
  action      text        NOT NULL CHECK (action IN ('grant', 'revoke')),
  scope       text        NOT NULL,
  source      text        NOT NULL,
  proof       text,
  at          timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS wa_guard_consent_events_recipient ON ${s}.wa_guard_consent_events (recipient, id);
-- A legal record: rows are never changed or removed through this table.
CREATE OR REPLACE FUNCTION ${s}.wa_guard_consent_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'wa_guard_consent_events is append-only'; END $$;
DROP TRIGGER IF EXISTS wa_guard_consent_events_append_only ON ${s}.wa_guard_consent_events;
CREATE TRIGGER wa_guard_consent_events_append_only BEFORE UPDATE OR DELETE ON ${s}.wa_guard_consent_events
  FOR EACH ROW EXECUTE FUNCTION ${s}.wa_guard_consent_events_append_only();
DROP TRIGGER IF EXISTS wa_guard_consent_events_no_truncate ON ${s}.wa_guard_consent_events;
CREATE TRIGGER wa_guard_consent_events_no_truncate BEFORE TRUNCATE ON ${s}.wa_guard_consent_events
  FOR EACH STATEMENT EXECUTE FUNCTION ${s}.wa_guard_consent_events_append_only();
-- The latest event per recipient and scope, for reporting (wa-guard decides from the full history).
CREATE OR REPLACE VIEW ${s}.wa_guard_consent_current AS
  SELECT DISTINCT ON (recipient, scope) recipient, scope, action, source, at, id
  FROM ${s}.wa_guard_consent_events ORDER BY recipient, scope, id DESC;`,
  },
];

/** Create or upgrade the tables. Safe to run on every start and from several instances at once. */
export async function migrate(
  db: PgQueryable & { connect?: () => Promise<unknown> },
  options: PostgresOptions = {},
): Promise<{ applied: number[] }> {
  const s = schemaOf(options);
  // A transaction needs one connection: take one from a Pool (`totalCount` tells a Pool from a
  // Client, which is one connection already).
  if ("totalCount" in db && typeof db.connect === "function") {
    const client = (await db.connect()) as PgQueryable & { release(): void };
    try {
      return await migrateOn(client, s);
    } finally {
      client.release();
    }
  }
  return migrateOn(db, s);
}

async function migrateOn(db: PgQueryable, s: string): Promise<{ applied: number[] }> {
  const applied: number[] = [];
  await db.query("BEGIN");
  try {
    await db.query("SELECT pg_advisory_xact_lock(hashtext('wa_guard_migrations'))");
    await db.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await db.query(
      `CREATE TABLE IF NOT EXISTS ${s}.wa_guard_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Set(
      (await db.query(`SELECT version FROM ${s}.wa_guard_migrations`)).rows.map((r) => Number(r["version"])),
    );
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await db.query(m.sql(s));
      await db.query(`INSERT INTO ${s}.wa_guard_migrations (version, name) VALUES ($1, $2)`, [
        m.version,
        m.name,
      ]);
      applied.push(m.version);
    }
    await db.query("COMMIT");
  } catch (error) {
    await db.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
  return { applied };
}

/** The consent ledger in PostgreSQL (run {@link migrate} first). */
export function postgresConsentStore(db: PgQueryable, options: PostgresOptions = {}): ConsentStore {
  const s = schemaOf(options);
  const timeoutMs = options.timeoutMs ?? 1_000;
  const run = async (operation: string, text: string, values: unknown[]) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let query: Promise<{ rows: Array<Record<string, unknown>> }> | undefined;
    try {
      query = db.query(text, values);
      return await Promise.race([
        query,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(new StoreUnavailableError("postgres", operation, `no answer within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } catch (error) {
      query?.catch(() => undefined);
      if (error instanceof StoreUnavailableError) throw error;
      throw new StoreUnavailableError("postgres", operation, describeError(error), { cause: error });
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    async append(event) {
      await run(
        "consent.append",
        `INSERT INTO ${s}.wa_guard_consent_events (recipient, action, scope, source, proof, at) VALUES ($1, $2, $3, $4, $5, to_timestamp($6::double precision / 1000))`,
        [event.key, event.action, event.scope, event.source, event.proof ?? null, event.at],
      );
    },
    async history(key) {
      const { rows } = await run(
        "consent.history",
        `SELECT action, scope, source, proof, (extract(epoch FROM at) * 1000)::bigint AS at FROM ${s}.wa_guard_consent_events WHERE recipient = $1 ORDER BY id`,
        [key],
      );
      return rows.map((r) => {
        const event: ConsentEvent = {
          key,
          action: r["action"] as ConsentEvent["action"],
          scope: String(r["scope"]),
          source: String(r["source"]),
          at: Number(r["at"]),
        };
        if (r["proof"] !== null && r["proof"] !== undefined) event.proof = String(r["proof"]);
        return event;
      });
    },
  };
}
