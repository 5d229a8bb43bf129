/**
 * The adversary's Redis: a stall in the middle of a STOP or a send, after Redis forgot its
 * scripts (a restart or failover), with the client settings of docs/deployment.md. Each runs on
 * a redis-server of its own, so the stalls never touch the shared one.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { isPolicyViolation, isStoreUnavailableError, WhatsAppClient } from "../../src/index.js";
import { redisStores } from "../../src/redis/index.js";
import { FakeCloudApi, fakeTransport } from "../../src/testing/index.js";
import { type OwnRedis, ownRedisSuite, startRedis } from "../contracts/own-redis.js";
import { inboundText } from "../helpers.js";

const USER = "+14165551234";
const WA_ID = "14165551234";

ownRedisSuite("hostile Redis: stalls after a script flush", () => {
  let server: OwnRedis;
  let admin: Redis;
  const clients: Redis[] = [];
  beforeAll(async () => {
    server = await startRedis();
    admin = new Redis({ port: server.port, host: "127.0.0.1" });
  }, 30_000);
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    admin.disconnect();
    await server.stop();
  });

  /** A client on real time with Redis stores, configured as docs/deployment.md says. */
  async function world() {
    const redis = new Redis({
      port: server.port,
      host: "127.0.0.1",
      commandTimeout: 500,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
    });
    clients.push(redis);
    await new Promise((r) => redis.once("ready", r));
    const fake = new FakeCloudApi();
    fake.templates.add({
      name: "promo",
      language: "en_US",
      category: "MARKETING",
      components: [
        { type: "FOOTER", text: "Reply STOP to opt out" },
        { type: "BODY", text: "{{1}} off" },
      ],
    });
    const prefix = `hostile:${Math.random().toString(36).slice(2)}`;
    const make = (guards: Array<{ name: string; check: () => Promise<undefined> }> = []) =>
      new WhatsAppClient({
        accessToken: fake.accessToken,
        phoneNumberId: fake.phoneNumberId,
        wabaId: fake.wabaId,
        appSecret: fake.webhooks.appSecret,
        maxRetries: 0,
        transport: fakeTransport(fake),
        stores: redisStores(redis, { phoneNumberId: fake.phoneNumberId, prefix }),
        policy: { guards, messagingLimit: { tier: "unlimited" } },
      });
    return { fake, make, redis };
  }

  /** Redis stops answering for `ms` (DEBUG SLEEP, on a connection of its own); resolves once it has. */
  const stall = async (ms: number): Promise<{ over: Promise<unknown> }> => {
    const sleeper = new Redis({ port: server.port, host: "127.0.0.1" });
    await new Promise((r) => sleeper.once("ready", r));
    const done = sleeper.call("DEBUG", "SLEEP", String(ms / 1000)).finally(() => sleeper.disconnect());
    await new Promise((r) => setTimeout(r, 30)); // the sleep has begun
    return { over: done };
  };

  it("a STOP handled during a stall answers 500, and its redelivery records it", async () => {
    const { fake, make } = await world();
    const wa = make();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    await admin.script("FLUSH");
    const inbound = (from: string, text: string) =>
      inboundText(fake.wabaId, { from, id: `wamid.${Math.random()}`, at: Date.now(), body: text });
    // After the flush, an ordinary delivery runs (and so caches) the scripts of the happy path;
    // the scripts only a failure needs stay uncached, as they would in production.
    expect((await wa.webhooks.handle(fake.webhooks.request(inbound("14165550000", "hi")))).status).toBe(200);
    const body = inbound(WA_ID, "STOP");
    const stalled = await stall(2_000);
    const first = await wa.webhooks.handle(fake.webhooks.request(body));
    expect(first.status).toBeGreaterThanOrEqual(500);
    await stalled.over;
    // Meta redelivers after the stall. Whatever landed in Redis from the first try, the STOP is
    // recorded by the time the redelivery is answered 2xx — or the answer is non-2xx again.
    let answered = await wa.webhooks.handle(fake.webhooks.request(body));
    for (let i = 0; i < 3 && answered.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 300));
      answered = await wa.webhooks.handle(fake.webhooks.request(body));
    }
    if (answered.status === 503) {
      // The first try's lease outlived the stall: the redelivery stored the effects anyway.
      expect((await wa.consent.status(USER, "marketing")).granted).toBe(false);
    } else expect(answered.status).toBe(200);
    expect((await wa.consent.status(USER, "marketing")).granted).toBe(false);
    const refused = await wa.messages
      .sendTemplate({ to: USER, name: "promo", language: "en_US", body: ["5%"] })
      .catch((e: unknown) => e);
    expect(isPolicyViolation(refused) && refused.rule).toBe("consent");
    expect(fake.messaging.sent).toHaveLength(0);
  }, 20_000);

  it("a send that failed during a stall leaves no reservation: its retry is sent", async () => {
    const { fake, make } = await world();
    let stalled: Promise<unknown> | undefined;
    let armed = false;
    // Redis stalls between the reads and the reservation (a guard of ours starts the stall).
    const wa = make([
      {
        name: "stall-once",
        check: async () => {
          if (!armed || stalled) return undefined;
          stalled = (await stall(2_000)).over;
          return undefined;
        },
      },
    ]);
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    await wa.consent.grant("+14165550000", { scope: "marketing", source: "form" });
    await admin.script("FLUSH");
    // The happy path's scripts are cached again by a send to someone else; a release is not.
    await wa.messages.sendTemplate({ to: "+14165550000", name: "promo", language: "en_US", body: ["5%"] });
    const send = () => wa.messages.sendTemplate({ to: USER, name: "promo", language: "en_US", body: ["5%"] });
    armed = true;
    const failed = await send().catch((e: unknown) => e);
    expect(isStoreUnavailableError(failed)).toBe(true);
    await stalled;
    await new Promise((r) => setTimeout(r, 100));
    await expect(send()).resolves.toMatchObject({ messageId: expect.any(String) });
    expect(fake.messaging.sentTo(USER)).toHaveLength(1);
  }, 20_000);
});
