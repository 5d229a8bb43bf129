// One instance of a fleet, for fleet.test.ts: 50 concurrent takers of the shared throughput
// budget, exactly as the throughput guard takes it (wait `retryAfterMs`, try again), with this
// process's clock skewed by argv[3] ms. Prints the Redis time of every unit it was granted.
import { Cluster, Redis } from "ioredis";
import { redisStores } from "../../src/redis/index.js";

const [prefix = "", skewArg, durationArg] = process.argv.slice(2);
const skew = Number(skewArg);
const until = Date.now() + Number(durationArg);
// REDIS_CLUSTER (ports on 127.0.0.1, comma-separated): a Redis Cluster instead of one Redis.
const ports = process.env["REDIS_CLUSTER"]?.split(",").map(Number);
const redis = ports
  ? new Cluster(
      ports.map((port) => ({ host: "127.0.0.1", port })),
      { redisOptions: { maxRetriesPerRequest: 1 } },
    )
  : new Redis(process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: 1 });
const { rateLimits } = redisStores(redis, { phoneNumberId: "100000000000001", prefix, timeoutMs: 2_000 });
const granted: number[] = [];
let attempts = 0;
await Promise.all(
  Array.from({ length: 50 }, async () => {
    while (Date.now() < until) {
      attempts++;
      const d = await rateLimits.window("throughput:100000000000001", 80, 1_000, Date.now() + skew, true);
      if (d.ok) granted.push(d.at as number);
      else await new Promise((r) => setTimeout(r, d.retryAfterMs));
    }
  }),
);
process.stdout.write(`${JSON.stringify({ granted, attempts })}\n`);
await redis.quit();
