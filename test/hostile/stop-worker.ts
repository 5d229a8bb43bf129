// One webhook delivery in its own process, for kill-stop.test.ts: handles the body in argv[2]
// with the consent ledger in PostgreSQL (schema argv[3]) and every other store in Redis (prefix
// argv[4]). The test kills it while the STOP is being written.

import { Redis } from "ioredis";
import pg from "pg";
import { WhatsAppClient } from "../../src/index.js";
import { postgresConsentStore } from "../../src/postgres/index.js";
import { redisStores } from "../../src/redis/index.js";
import { FakeCloudApi } from "../../src/testing/index.js";

const [body = "{}", schema = "", prefix = "", phoneNumberId = ""] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: process.env["DATABASE_URL"] });
const redis = new Redis(process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: 1 });
const fake = new FakeCloudApi();
const wa = new WhatsAppClient({
  accessToken: fake.accessToken,
  phoneNumberId,
  appSecret: fake.webhooks.appSecret,
  webhooks: { leaseMs: 1_000 },
  stores: {
    ...redisStores(redis, { phoneNumberId, prefix, timeoutMs: 2_000 }),
    consent: postgresConsentStore(pool, { schema, timeoutMs: 30_000 }),
  },
});
process.stdout.write("handling\n");
const result = await wa.webhooks.handle(fake.webhooks.request(JSON.parse(body)));
process.stdout.write(`done ${result.status}\n`);
await redis.quit();
await pool.end();
