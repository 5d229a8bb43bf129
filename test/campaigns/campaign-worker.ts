// A campaign in its own process, for kill-resume.test.ts: sends the `spring_sale` template to
// argv[5] numbers through the fake server at argv[2], with every piece of policy state and the
// checkpoint in Redis under prefix argv[3], as campaign id argv[4]. The test kills it mid-run.
import { Redis } from "ioredis";
import { WhatsAppClient } from "../../src/index.js";
import { redisStores } from "../../src/redis/index.js";
import { number } from "./world.js";

const [baseUrl = "", prefix = "", id = "", countArg = "0", phoneNumberId = "", wabaId = ""] =
  process.argv.slice(2);
const redis = new Redis(process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: 1 });
const wa = new WhatsAppClient({
  accessToken: "test-token",
  phoneNumberId,
  wabaId,
  baseUrl,
  maxRetries: 0,
  stores: redisStores(redis, { phoneNumberId, prefix, timeoutMs: 2_000 }),
  // The frequency guard would also refuse a second identical promotion: off, so that the
  // checkpoint alone has to prevent it.
  policy: { messagingLimit: { tier: "unlimited" }, throughput: { perSecond: 400 }, disable: ["frequency"] },
});
const recipients = Array.from({ length: Number(countArg) }, (_, i) => number(i));
const run = wa.campaigns.run({
  id,
  template: { name: "spring_sale", language: "en_US", body: ["friend"] },
  recipients,
});
for await (const r of run) if (r.status === "sent") process.stdout.write("s");
process.stdout.write("\ndone\n");
await redis.quit();
