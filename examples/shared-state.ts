/**
 * Two processes, one truth. Instance A takes the webhooks; instance B sends. Through Redis, the
 * window A opened lets B reply, and the STOP that A received stops B's marketing at once.
 *
 * Needs Redis at 127.0.0.1:6379 (REDIS_URL to change it):
 * `npx tsx --tsconfig examples/tsconfig.json examples/shared-state.ts`
 */
import { fork } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { isPolicyViolation, WhatsAppClient } from "wa-guard";
import { redisStores } from "wa-guard/redis";
import { FakeCloudApi, fakeTransport } from "wa-guard/testing";

const USER = "+14165551234";
const role = process.argv[2] === "sender" ? "sender" : "webhooks";
const prefix = process.argv[3] ?? `wa-guard-example:${randomUUID()}`;

const redis = new Redis(process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379", {
  maxRetriesPerRequest: 1,
  connectTimeout: 1_000,
  lazyConnect: true,
  retryStrategy: () => null,
});
try {
  await redis.connect();
} catch {
  console.log("this example needs Redis at 127.0.0.1:6379 (or REDIS_URL)");
  process.exit(0);
}

// Each process has its own client; the fake stands in for Meta in each.
const fake = new FakeCloudApi();
fake.templates.add({
  name: "promo",
  language: "en_US",
  category: "MARKETING",
  components: [
    { type: "BODY", text: "Sale!" },
    { type: "FOOTER", text: "Reply STOP to opt out" },
  ],
});
const wa = new WhatsAppClient({
  accessToken: fake.accessToken,
  phoneNumberId: fake.phoneNumberId,
  wabaId: fake.wabaId,
  appSecret: fake.webhooks.appSecret,
  transport: fakeTransport(fake),
  stores: redisStores(redis, { phoneNumberId: fake.phoneNumberId, prefix, timeoutMs: 1_000 }),
});

if (role === "sender") {
  // Instance B: acts on what instance A tells it happened.
  fake.messaging.receiveMessage(USER); // Meta's side of the window (the fake is per process)
  process.on("message", async (step: string) => {
    const attempt = async (what: string, send: () => Promise<unknown>) => {
      try {
        await send();
        console.log(`[B] ${what}: sent`);
      } catch (error) {
        if (!isPolicyViolation(error)) throw error;
        console.log(`[B] ${what}: refused [${error.rule}]`);
      }
    };
    if (step === "reply")
      await attempt("reply to the user", () =>
        wa.messages.sendText({ to: USER, body: "Hi! How can we help?" }),
      );
    if (step === "promo")
      await attempt("marketing template", () =>
        wa.messages.sendTemplate({ to: USER, name: "promo", language: "en_US" }),
      );
    process.send?.("done");
    if (step === "promo") {
      await redis.quit();
      process.exit(0);
    }
  });
  process.send?.("ready");
} else {
  // Instance A: the webhook endpoint.
  const child = fork(fileURLToPath(import.meta.url), ["sender", prefix], { execArgv: process.execArgv });
  const next = () => new Promise<string>((resolve) => child.once("message", (m) => resolve(String(m))));
  await next(); // B is ready
  const deliver = async () => {
    for (const payload of fake.webhooks.pending.splice(0))
      await wa.webhooks.handle(fake.webhooks.request(payload));
  };

  await wa.consent.grant(USER, { scope: "marketing", source: "checkout-form" });
  fake.messaging.receiveMessage(USER, { text: "Hello?" });
  await deliver();
  console.log("[A] webhook: the user wrote — window opened (in Redis)");
  child.send("reply");
  await next();

  fake.messaging.receiveMessage(USER, { text: "STOP" });
  await deliver();
  console.log("[A] webhook: the user sent STOP — consent withdrawn (in Redis)");
  child.send("promo");
  await next();

  await new Promise((resolve) => child.once("exit", resolve));
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
}
