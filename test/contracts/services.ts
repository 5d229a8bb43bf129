import { Redis } from "ioredis";
import pg from "pg";
import { describe } from "vitest";

export const REDIS_URL = process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379";
export const POSTGRES_URL = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";

/**
 * `describe` when Redis answers at REDIS_URL (127.0.0.1:6379; .ci/run starts it). Under CI a
 * missing Redis fails the suite; elsewhere it is skipped with the reason printed.
 */
export async function whenRedis(what: string): Promise<typeof describe | typeof describe.skip> {
  const probe = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    retryStrategy: () => null,
  });
  probe.on("error", () => undefined);
  let why: string | undefined;
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    why = String(error);
  } finally {
    probe.disconnect();
  }
  if (why === undefined) return describe;
  if (process.env["CI"]) throw new Error(`Redis is required in CI (${REDIS_URL}): ${why}`);
  console.warn(`skipping ${what}: no Redis at ${REDIS_URL} (${why})`);
  return describe.skip;
}

/**
 * `describe` when PostgreSQL answers at POSTGRES_URL (127.0.0.1:5432, user postgres, database
 * test; .ci/run starts it). Under CI a missing server fails the suite; elsewhere it is skipped
 * with the reason printed.
 */
export async function whenPostgres(what: string): Promise<typeof describe | typeof describe.skip> {
  const probe = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 1_000 });
  let why: string | undefined;
  try {
    await probe.connect();
    await probe.query("SELECT 1");
  } catch (error) {
    why = String(error);
  } finally {
    await probe.end().catch(() => undefined);
  }
  if (why === undefined) return describe;
  if (process.env["CI"]) throw new Error(`PostgreSQL is required in CI (${POSTGRES_URL}): ${why}`);
  console.warn(`skipping ${what}: no PostgreSQL at ${POSTGRES_URL} (${why})`);
  return describe.skip;
}
