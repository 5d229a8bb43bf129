/**
 * The tables at deploy time: `migrate()` creates or upgrades them (once, in a transaction, under
 * an advisory lock), `grantApplicationRole()` gives the application role append and read only.
 */
import { ValidationError } from "../errors/validation.js";
import { type PgQueryable, type PostgresOptions, schemaOf } from "./shared.js";

/** Run `work` on one connection: a Pool lends one (`totalCount` tells a Pool from a Client). */
async function onOneConnection<T>(
  db: PgQueryable & { connect?: () => Promise<unknown> },
  work: (connection: PgQueryable) => Promise<T>,
): Promise<T> {
  if ("totalCount" in db && typeof db.connect === "function") {
    const client = (await db.connect()) as PgQueryable & { release(): void };
    try {
      return await work(client);
    } finally {
      client.release();
    }
  }
  return work(db);
}

/** `work` in one transaction, rolled back if it throws. */
async function inTransaction<T>(db: PgQueryable, work: () => Promise<T>): Promise<T> {
  // READ COMMITTED whatever the server's default: after waiting for the advisory lock, the next
  // statement must see what the instance that held it committed.
  await db.query("BEGIN ISOLATION LEVEL READ COMMITTED");
  try {
    const result = await work();
    await db.query("COMMIT");
    return result;
  } catch (error) {
    await db.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
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
  {
    version: 2,
    name: "current consent view decides as wa.consent.status()",
    // The decision is a port of consentStatus() (src/state/consent.ts): events in Meta's time
    // order (to the second; ties in recorded order); Meta's stop of the scope or of `all` holds
    // until the user lifts it; otherwise the scope's newest event decides unless a newer STOP
    // (revoke of `all`) not lifted by a START withdraws it. The columns of version 1 keep their
    // names and types (so CREATE OR REPLACE keeps the grants) and now describe the deciding event;
    // `granted` and `decided_by_scope` are added. A contract test compares the two on random
    // ledgers.
    sql: (s) => `
CREATE OR REPLACE FUNCTION ${s}.wa_guard_consent_decide(p_recipient text, p_scope text)
RETURNS TABLE (action text, source text, at timestamptz, id bigint, scope text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  e record;
  lifted boolean := false;
BEGIN
  FOR e IN
    SELECT ev.action, ev.source, ev.at, ev.id, ev.scope FROM ${s}.wa_guard_consent_events ev
    WHERE ev.recipient = p_recipient AND ev.scope IN (p_scope, 'all')
    ORDER BY date_trunc('second', ev.at) DESC, ev.id DESC
  LOOP
    EXIT WHEN e.action = 'grant' AND (e.source LIKE 'meta:%' OR e.source LIKE 'keyword:%');
    IF e.action = 'revoke' AND e.source LIKE 'meta:%' THEN
      RETURN QUERY SELECT e.action, e.source, e.at, e.id, e.scope;
      RETURN;
    END IF;
  END LOOP;
  FOR e IN
    SELECT ev.action, ev.source, ev.at, ev.id, ev.scope FROM ${s}.wa_guard_consent_events ev
    WHERE ev.recipient = p_recipient AND ev.scope IN (p_scope, 'all') AND ev.source NOT LIKE 'meta:%'
    ORDER BY date_trunc('second', ev.at) DESC, ev.id DESC
  LOOP
    IF e.scope = p_scope THEN
      RETURN QUERY SELECT e.action, e.source, e.at, e.id, e.scope;
      RETURN;
    END IF;
    IF e.action = 'grant' THEN
      lifted := true;
    ELSIF NOT lifted THEN
      RETURN QUERY SELECT e.action, e.source, e.at, e.id, e.scope;
      RETURN;
    END IF;
  END LOOP;
END $$;
CREATE OR REPLACE VIEW ${s}.wa_guard_consent_current AS
  SELECT own.recipient, own.scope, d.action, d.source, d.at, d.id,
    coalesce(d.action = 'grant', false) AS granted, d.scope AS decided_by_scope
  FROM (SELECT DISTINCT recipient, scope FROM ${s}.wa_guard_consent_events) own
  LEFT JOIN LATERAL ${s}.wa_guard_consent_decide(own.recipient, own.scope) d ON true;
COMMENT ON VIEW ${s}.wa_guard_consent_current IS
  'Consent per recipient and scope exactly as wa.consent.status() decides it (Meta''s time order, STOP and START, Meta''s marketing stop lifted only by the user). A row with no deciding event is not granted.';
COMMENT ON COLUMN ${s}.wa_guard_consent_current.action IS
  'Action of the deciding event (null when none decides). On the all row: revoke = a STOP is in force, grant = lifted by START (grants no scope by itself).';
COMMENT ON COLUMN ${s}.wa_guard_consent_current.id IS
  'id in wa_guard_consent_events of the deciding event (source and at are its own).';
COMMENT ON COLUMN ${s}.wa_guard_consent_current.granted IS 'What wa.consent.status() answers.';
COMMENT ON COLUMN ${s}.wa_guard_consent_current.decided_by_scope IS
  'Scope of the deciding event: the row''s scope, or all when a STOP (or Meta''s stop of all) decided it.';`,
  },
  {
    version: 3,
    name: "identity links",
    // Which identifiers (phone numbers, BSUIDs) Meta named as one person: an append-only record
    // of each pair, the first time it was seen (a < b in byte order — the order JavaScript
    // compares identifiers in, whatever the database's collation — so a pair is stored once).
    sql: (s) => `
CREATE TABLE ${s}.wa_guard_identity_links (
  id          bigserial   PRIMARY KEY,
  a           text        COLLATE "C" NOT NULL,
  b           text        COLLATE "C" NOT NULL CHECK (a < b),
  source      text        NOT NULL,
  at          timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX wa_guard_identity_links_pair ON ${s}.wa_guard_identity_links (a, b);
CREATE INDEX wa_guard_identity_links_b ON ${s}.wa_guard_identity_links (b);
CREATE TRIGGER wa_guard_identity_links_append_only BEFORE UPDATE OR DELETE ON ${s}.wa_guard_identity_links
  FOR EACH ROW EXECUTE FUNCTION ${s}.wa_guard_consent_events_append_only();
CREATE TRIGGER wa_guard_identity_links_no_truncate BEFORE TRUNCATE ON ${s}.wa_guard_identity_links
  FOR EACH STATEMENT EXECUTE FUNCTION ${s}.wa_guard_consent_events_append_only();
COMMENT ON TABLE ${s}.wa_guard_identity_links IS
  'Identifiers Meta named as one person (a phone number and business-scoped user ids), append-only. A person is every identifier reachable through links; wa-guard decides consent from the events of all of them.';`,
  },
];

/**
 * Create or upgrade the tables. Safe to run on every start and from several instances at once.
 * Run it as the role that owns the tables (see {@link grantApplicationRole}); once the schema is
 * up to date it changes nothing, so the application role may call it too (it reads
 * `wa_guard_migrations` and needs no other right).
 */
export async function migrate(
  db: PgQueryable & { connect?: () => Promise<unknown> },
  options: PostgresOptions = {},
): Promise<{ applied: number[] }> {
  const s = schemaOf(options);
  return onOneConnection(db, (connection) => inTransaction(connection, () => migrateOn(connection, s)));
}

async function migrateOn(db: PgQueryable, s: string): Promise<{ applied: number[] }> {
  await db.query("SELECT pg_advisory_xact_lock(hashtext('wa_guard_migrations'))");
  // Create only what is missing: CREATE … IF NOT EXISTS still needs the right to create, which
  // the owner of a schema made for it (CREATE SCHEMA … AUTHORIZATION) may not have on the database.
  const { rows } = await db.query(
    "SELECT to_regnamespace($1) IS NOT NULL AS has_schema, to_regclass($2) IS NOT NULL AS has_table",
    [s, `${s}.wa_guard_migrations`],
  );
  if (rows[0]?.["has_schema"] !== true) await db.query(`CREATE SCHEMA ${s}`);
  if (rows[0]?.["has_table"] !== true)
    await db.query(
      `CREATE TABLE ${s}.wa_guard_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
  const done = new Set(
    (await db.query(`SELECT version FROM ${s}.wa_guard_migrations`)).rows.map((r) => Number(r["version"])),
  );
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    await db.query(m.sql(s));
    await db.query(`INSERT INTO ${s}.wa_guard_migrations (version, name) VALUES ($1, $2)`, [
      m.version,
      m.name,
    ]);
    applied.push(m.version);
  }
  return { applied };
}

/**
 * Give `role` the least it needs to run wa-guard: append to the ledger and read it, and nothing
 * else — no UPDATE, DELETE or TRUNCATE, no ALTER, DROP or CREATE OR REPLACE (those need the
 * owner, which the role must not be). Run it connected as the owner after {@link migrate}; it is
 * safe to run again (it first revokes whatever the role held on these objects).
 *
 * Refuses (`ValidationError`) a role that could undo the append-only guarantee: a superuser, a
 * role that may create roles, or the owner of the tables or of the schema, or a member of one.
 *
 * @param role the role name exactly as PostgreSQL stores it (`pg_roles.rolname`), e.g. `wa_guard_app`.
 * @example
 * await migrate(ownerPool, { schema: "wa_guard" });
 * await grantApplicationRole(ownerPool, "wa_guard_app", { schema: "wa_guard" });
 */
export async function grantApplicationRole(
  db: PgQueryable & { connect?: () => Promise<unknown> },
  role: string,
  options: PostgresOptions = {},
): Promise<void> {
  const s = schemaOf(options);
  const refuse = (why: string, path = "role", code = "unsafe_role") =>
    new ValidationError(`cannot make ${JSON.stringify(role)} the application role on ${s}: ${why}`, [
      { path: [path], message: why, code },
    ]);
  if (
    typeof role !== "string" ||
    role.length === 0 ||
    new TextEncoder().encode(role).length > 63 ||
    role.includes("\0")
  )
    throw refuse("expected a role name of 1 to 63 bytes");
  const r = `"${role.replaceAll('"', '""')}"`;
  const events = `${s}.wa_guard_consent_events`;
  const links = `${s}.wa_guard_identity_links`;
  await onOneConnection(db, (connection) =>
    inTransaction(connection, async () => {
      const notMigrated = refuse("run migrate() on this schema first", "schema", "not_migrated");
      const { rows: tables } = await connection.query("SELECT to_regclass($1) IS NOT NULL AS ok", [
        `${s}.wa_guard_migrations`,
      ]);
      if (tables[0]?.["ok"] !== true) throw notMigrated;
      const { rows: versions } = await connection.query(
        `SELECT max(version) AS v FROM ${s}.wa_guard_migrations`,
      );
      if (Number(versions[0]?.["v"]) < (MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0)) throw notMigrated;
      const { rows } = await connection.query(
        `SELECT rolsuper, rolcreaterole, EXISTS (
           SELECT FROM (SELECT nspowner AS owner FROM pg_namespace WHERE oid = to_regnamespace($2)
                        UNION ALL SELECT relowner FROM pg_class WHERE relnamespace = to_regnamespace($2)
                          AND relname IN ('wa_guard_consent_events', 'wa_guard_consent_current', 'wa_guard_migrations',
                                          'wa_guard_identity_links')
                        UNION ALL SELECT proowner FROM pg_proc WHERE pronamespace = to_regnamespace($2)
                          AND proname = 'wa_guard_consent_events_append_only') o
           WHERE pg_has_role(r.oid, o.owner, 'MEMBER')) AS owner
         FROM pg_roles r WHERE rolname = $1`,
        [role, s],
      );
      const found = rows[0];
      if (!found) throw refuse("no such role");
      if (found["rolsuper"] === true) throw refuse("it is a superuser");
      if (found["rolcreaterole"] === true) throw refuse("it has CREATEROLE (it could make itself the owner)");
      if (found["owner"] === true)
        throw refuse("it owns the schema or the ledger, or is a member of the role that does");
      for (const statement of [
        `REVOKE ALL ON TABLE ${events}, ${links}, ${s}.wa_guard_consent_current, ${s}.wa_guard_migrations FROM ${r}`,
        `REVOKE ALL ON SEQUENCE ${events}_id_seq, ${links}_id_seq FROM ${r}`,
        `REVOKE CREATE ON SCHEMA ${s} FROM ${r}`,
        `GRANT USAGE ON SCHEMA ${s} TO ${r}`,
        `GRANT SELECT, INSERT ON TABLE ${events}, ${links} TO ${r}`,
        `GRANT USAGE ON SEQUENCE ${events}_id_seq, ${links}_id_seq TO ${r}`,
        `GRANT SELECT ON TABLE ${s}.wa_guard_consent_current, ${s}.wa_guard_migrations TO ${r}`,
      ])
        await connection.query(statement);
    }),
  );
}
