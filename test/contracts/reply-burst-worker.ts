// One instance of a fleet, for reply-burst.test.ts: opens the window of `count` users of its own,
// prints "ready", waits for "go" on stdin, then sends every user a reply at once through Redis
// with the default runner settings (the point of the test) and prints how each send ended.
import { Redis } from "ioredis";
import { isStoreUnavailableError, WhatsAppClient } from "../../src/index.js";
import { redisStores } from "../../src/redis/index.js";
import { FakeCloudApi, fakeTransport } from "../../src/testing/index.js";

const [prefix = "", idArg = "0", countArg = "200"] = process.argv.slice(2);
const count = Number(countArg);
// The settings docs/deployment.md recommends.
const redis = new Redis(process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379", {
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  connectTimeout: 1_000,
  commandTimeout: 500,
  enableAutoPipelining: true,
  lazyConnect: true,
});
await redis.connect();
// Times every script from call to answer, for the report line (the longest wait seen).
const waits: number[] = [];
const timed = new Proxy(redis, {
  get(target, prop) {
    const v = Reflect.get(target, prop);
    if (prop !== "evalsha" && prop !== "eval") return typeof v === "function" ? v.bind(target) : v;
    return (...args: unknown[]) => {
      const started = performance.now();
      const p = (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      const done = () => void waits.push(performance.now() - started);
      p.then(done, done);
      return p;
    };
  },
});
const fake = new FakeCloudApi({ throughputPerSecond: 1_000 }); // Meta's ceiling: only Redis can refuse
const wa = new WhatsAppClient({
  accessToken: fake.accessToken,
  phoneNumberId: fake.phoneNumberId,
  wabaId: fake.wabaId,
  transport: fakeTransport(fake),
  stores: redisStores(timed, { phoneNumberId: fake.phoneNumberId, prefix }),
  policy: { throughput: { perSecond: 1_000 } },
});
const users = Array.from({ length: count }, (_, i) => `+1416${idArg}${String(i).padStart(6, "0")}`);
// Set-up is not what is measured: it goes through a client of its own with a generous bound.
const setup = new WhatsAppClient({
  accessToken: fake.accessToken,
  phoneNumberId: fake.phoneNumberId,
  transport: fakeTransport(fake),
  stores: redisStores(redis, { phoneNumberId: fake.phoneNumberId, prefix, timeoutMs: 2_000 }),
});
for (const u of users) {
  fake.messaging.receiveMessage(u);
  await setup.sessions.recordInbound(u);
}
waits.length = 0;
process.stdout.write("ready\n");
await new Promise<void>((go) => process.stdin.once("data", () => go()));
const outcomes = await Promise.all(
  users.map((to) =>
    wa.messages.sendText({ to, body: "your order shipped" }).then(
      () => "sent",
      (e: unknown) =>
        isStoreUnavailableError(e) ? `unavailable: ${e.message}` : `other: ${(e as { code?: string }).code}`,
    ),
  ),
);
const tally: Record<string, number> = {};
for (const o of outcomes) tally[o] = (tally[o] ?? 0) + 1;
waits.sort((a, b) => a - b);
const longestWaitMs = Math.round(waits.at(-1) ?? 0);
const commands = waits.length;
process.stdout.write(
  `${JSON.stringify({ sent: fake.messaging.sent.length, tally, commands, longestWaitMs })}\n`,
);
process.stdin.destroy();
await redis.quit();
