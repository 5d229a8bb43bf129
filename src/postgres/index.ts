/**
 * `wa-guard/postgres`: the consent ledger as an append-only PostgreSQL table — the auditable,
 * durable record of who agreed to what, when, how and with what proof — and beside it the
 * identity links that say which phone numbers and BSUIDs are one person. Works with a `pg` Pool or
 * Client (or anything with `query(text, values)`); this module does not import `pg`.
 *
 * ```ts
 * import pg from "pg";
 * import { grantApplicationRole, migrate, postgresConsentStore, postgresIdentityStore } from "wa-guard/postgres";
 * // Once per deploy, connected as the role that owns the tables:
 * await migrate(ownerPool, { schema: "wa_guard" });
 * await grantApplicationRole(ownerPool, "wa_guard_app", { schema: "wa_guard" });
 * // The application connects as the application role, which can only append and read:
 * const pool = new pg.Pool({ connectionString, connectionTimeoutMillis: 1000, query_timeout: 1000 });
 * const wa = new WhatsAppClient({
 *   stores: {
 *     consent: postgresConsentStore(pool, { schema: "wa_guard" }),
 *     identity: postgresIdentityStore(pool, { schema: "wa_guard" }),
 *   },
 * });
 * ```
 */
export { grantApplicationRole, MIGRATIONS, migrate } from "./schema.js";
export type { PgQueryable, PostgresOptions } from "./shared.js";
export { postgresConsentStore, postgresIdentityStore } from "./stores.js";
