/** The stores at run time: the consent ledger and the identity links, each query bounded in time. */
import { StoreUnavailableError } from "../errors/store.js";
import { describeError } from "../internal/logger.js";
import type { ConsentEvent, ConsentStore } from "../state/consent.js";
import { aliasOrder, distinctIds, type IdentityStore } from "../state/identity.js";
import { type PgQueryable, type PostgresOptions, schemaOf } from "./shared.js";

/** One query, bounded by `timeoutMs`; every failure is a `StoreUnavailableError` (fail closed). */
function queryRunner(db: PgQueryable, options: PostgresOptions) {
  const timeoutMs = options.timeoutMs ?? 1_000;
  return async (operation: string, text: string, values: unknown[]) => {
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
}

/** The consent ledger in PostgreSQL (run {@link migrate} first). */
export function postgresConsentStore(db: PgQueryable, options: PostgresOptions = {}): ConsentStore {
  const s = schemaOf(options);
  const run = queryRunner(db, options);
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

/**
 * Identity links in PostgreSQL (run {@link migrate} first): an append-only record of which
 * identifiers Meta named as one person, beside the consent ledger it explains.
 */
export function postgresIdentityStore(db: PgQueryable, options: PostgresOptions = {}): IdentityStore {
  const s = schemaOf(options);
  const run = queryRunner(db, options);
  return {
    async link(ids, link) {
      const distinct = distinctIds(ids);
      if (!distinct) return;
      // A star from the first id: each pair ordered as the table's CHECK (a < b) wants it.
      const [first, ...rest] = distinct as [string, ...string[]];
      const pairs = rest.map((id) => [first, id].sort());
      const a = pairs.map(([x]) => x);
      const b = pairs.map(([, y]) => y);
      await run(
        "identity.link",
        `INSERT INTO ${s}.wa_guard_identity_links (a, b, source, at)
         SELECT pair.a, pair.b, $3, to_timestamp($4::double precision / 1000)
         FROM unnest($1::text[], $2::text[]) AS pair(a, b)
         ON CONFLICT (a, b) DO NOTHING`,
        [a, b, link.source, link.at],
      );
    },
    async aliases(id) {
      const { rows } = await run(
        "identity.aliases",
        `WITH RECURSIVE person(id) AS (
           SELECT $1::text COLLATE "C"
           UNION
           SELECT CASE WHEN l.a = p.id THEN l.b ELSE l.a END
           FROM ${s}.wa_guard_identity_links l JOIN person p ON l.a = p.id OR l.b = p.id
         ) SELECT id FROM person`,
        [id],
      );
      return aliasOrder(
        id,
        rows.map((r) => String(r["id"])),
      );
    },
  };
}
