import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { isValidationError } from "../../src/index.js";
import {
  grantApplicationRole,
  migrate,
  postgresConsentStore,
  postgresIdentityStore,
} from "../../src/postgres/index.js";
import { POSTGRES_URL, whenPostgres } from "./services.js";

// The least-privilege setup: an owner role runs migrate(), the application role can only append
// and read. Roles are cluster-wide, so their names are unique per run; all are dropped at the end.
const suite = await whenPostgres("the PostgreSQL role tests");
const tag = randomUUID().replaceAll("-", "").slice(0, 12);
const schema = `wa_guard_roles_${tag}`;
const owner = `wa_guard_owner_${tag}`;
const app = `wa_guard_app_${tag}`;
const member = `wa_guard_member_${tag}`;
const creator = `wa_guard_creator_${tag}`;
const password = randomUUID();
const events = `${schema}.wa_guard_consent_events`;
let admin: pg.Pool;
let asOwner: pg.Pool;
let asApp: pg.Pool;

function poolFor(user: string) {
  const url = new URL(POSTGRES_URL);
  url.username = user;
  url.password = password;
  return new pg.Pool({ connectionString: url.href, max: 2 });
}

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isValidationError(error), String(error)).toBe(true);
  return error as { message: string; issues: Array<{ code: string }> };
}

suite("PostgreSQL least privilege", () => {
  beforeAll(async () => {
    admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
    for (const role of [owner, app]) await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    await admin.query(`CREATE ROLE ${member} LOGIN PASSWORD '${password}' IN ROLE ${owner}`);
    await admin.query(`CREATE ROLE ${creator} LOGIN PASSWORD '${password}' CREATEROLE`);
    // What a DBA does once: a schema for the ledger, owned by the owner role. The owner gets no
    // right on the database itself.
    await admin.query(`CREATE SCHEMA ${schema} AUTHORIZATION ${owner}`);
    asOwner = poolFor(owner);
    asApp = poolFor(app);
    expect((await migrate(asOwner, { schema })).applied).toEqual([1, 2, 3]);
    await grantApplicationRole(asOwner, app, { schema });
  });
  afterAll(async () => {
    await asOwner?.end();
    await asApp?.end();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    for (const role of [creator, member, app, owner]) {
      await admin.query(`DROP OWNED BY ${role}`).catch(() => undefined);
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
    }
    await admin.end();
  });

  it("the application role appends and reads through postgresConsentStore, and reads the view", async () => {
    const store = postgresConsentStore(asApp, { schema });
    await store.append({ key: "u1", action: "grant", scope: "marketing", source: "form", proof: "p", at: 1 });
    await store.append({ key: "u1", action: "revoke", scope: "all", source: "keyword:STOP", at: 2 });
    expect((await store.history("u1")).map((e) => `${e.action}:${e.scope}`)).toEqual([
      "grant:marketing",
      "revoke:all",
    ]);
    const { rows } = await asApp.query(
      `SELECT scope, granted FROM ${schema}.wa_guard_consent_current WHERE recipient = 'u1' ORDER BY scope`,
    );
    expect(rows).toEqual([
      { scope: "all", granted: false },
      { scope: "marketing", granted: false },
    ]);
    // An up-to-date schema: migrate() on every start works for the application role too.
    expect((await migrate(asApp, { schema })).applied).toEqual([]);
  });

  it("the application role links identities and reads them, and cannot change or remove a link", async () => {
    const identity = postgresIdentityStore(asApp, { schema });
    await identity.link(["14165550001", "US.1"], { at: 1_000, source: "webhook:message" });
    await identity.link(["US.1", "US.2"], { at: 2_000, source: "webhook:user_changed_user_id" });
    expect([...(await identity.aliases("US.2"))].sort()).toEqual(["14165550001", "US.1", "US.2"]);
    const links = `${schema}.wa_guard_identity_links`;
    for (const sql of [`UPDATE ${links} SET b = 'x'`, `DELETE FROM ${links}`, `TRUNCATE ${links}`])
      await expect(asApp.query(sql), sql).rejects.toThrow(/permission denied|must be owner/);
    // Not even the owner removes a link: the table is append-only.
    await expect(asOwner.query(`DELETE FROM ${links}`)).rejects.toThrow(/append-only/);
  });

  it("the application role cannot change, remove or unprotect the record", async () => {
    const store = postgresConsentStore(asApp, { schema });
    await store.append({ key: "u2", action: "revoke", scope: "all", source: "keyword:STOP", at: 3 });
    const attempts = [
      `UPDATE ${events} SET action = 'grant'`,
      `DELETE FROM ${events}`,
      `TRUNCATE ${events}`,
      `ALTER TABLE ${events} DISABLE TRIGGER USER`,
      `ALTER TABLE ${events} DISABLE TRIGGER wa_guard_consent_events_append_only`,
      `ALTER TABLE ${events} OWNER TO ${app}`,
      `DROP TRIGGER wa_guard_consent_events_append_only ON ${events}`,
      `CREATE TRIGGER sneak BEFORE INSERT ON ${events} FOR EACH ROW EXECUTE FUNCTION ${schema}.wa_guard_consent_events_append_only()`,
      `DROP TABLE ${events}`,
      `DROP VIEW ${schema}.wa_guard_consent_current`,
      `CREATE OR REPLACE VIEW ${schema}.wa_guard_consent_current AS SELECT * FROM ${events}`,
      `CREATE OR REPLACE FUNCTION ${schema}.wa_guard_consent_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`,
      `DROP FUNCTION ${schema}.wa_guard_consent_events_append_only() CASCADE`,
      `INSERT INTO ${schema}.wa_guard_migrations (version, name) VALUES (99, 'skip')`,
      `DROP SCHEMA ${schema} CASCADE`,
      `SET ROLE ${owner}`,
    ];
    for (const sql of attempts)
      await expect(asApp.query(sql), sql).rejects.toThrow(/permission denied|must be owner/);
    expect(await store.history("u2")).toEqual([
      { key: "u2", action: "revoke", scope: "all", source: "keyword:STOP", at: 3 },
    ]);
    const { rows } = await admin.query(
      `SELECT tgenabled FROM pg_trigger WHERE tgrelid = $1::regclass AND NOT tgisinternal ORDER BY tgname`,
      [events],
    );
    expect(rows).toEqual([{ tgenabled: "O" }, { tgenabled: "O" }]); // both triggers, still on
  });

  it("running grantApplicationRole again takes back rights given to the role by hand", async () => {
    await admin.query(`GRANT UPDATE, DELETE, TRUNCATE, TRIGGER ON ${events} TO ${app}`);
    await admin.query(`GRANT CREATE ON SCHEMA ${schema} TO ${app}`);
    await grantApplicationRole(asOwner, app, { schema });
    await expect(asApp.query(`TRUNCATE ${events}`)).rejects.toThrow(/permission denied/);
    await expect(asApp.query(`CREATE TABLE ${schema}.mine (x int)`)).rejects.toThrow(/permission denied/);
    const { rows } = await admin.query(
      `SELECT privilege_type FROM information_schema.role_table_grants
       WHERE grantee = $1 AND table_schema = $2 AND table_name = 'wa_guard_consent_events' ORDER BY 1`,
      [app, schema],
    );
    expect(rows.map((r) => r["privilege_type"])).toEqual(["INSERT", "SELECT"]);
  });

  it("grantApplicationRole refuses roles that could undo the append-only record", async () => {
    for (const [role, why] of [
      [owner, /owns the schema or the ledger/],
      [member, /member of the role that does/],
      ["postgres", /superuser/],
      [creator, /CREATEROLE/],
      ["public", /no such role/],
      ['x"; DROP TABLE t; --', /no such role/],
      ["", /1 to 63 bytes/],
    ] as const) {
      const error = await refusal(grantApplicationRole(asOwner, role, { schema }));
      expect(error.message).toMatch(why);
      expect(error.issues[0]?.code).toBe("unsafe_role");
    }
    const error = await refusal(grantApplicationRole(asOwner, app, { schema: `${schema}_missing` }));
    expect(error.issues[0]?.code).toBe("not_migrated");
    expect((await admin.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [events])).rows).toEqual([
      { ok: true },
    ]);
  });
});
