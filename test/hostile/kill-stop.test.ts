/**
 * A process killed while it writes a STOP to the PostgreSQL ledger: the event was leased, never
 * completed. Meta's redelivery to another instance must store the STOP (seen: it was answered 200
 * as a duplicate and the STOP was lost), and the next marketing template must be refused.
 */
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isPolicyViolation, WhatsAppClient } from "../../src/index.js";
import { migrate, postgresConsentStore } from "../../src/postgres/index.js";
import { redisStores } from "../../src/redis/index.js";
import { FakeCloudApi, fakeTransport } from "../../src/testing/index.js";
import { POSTGRES_URL, REDIS_URL, whenPostgres, whenRedis } from "../contracts/services.js";
import { inboundText } from "../helpers.js";

const ROOT = resolve(import.meta.dirname, "../..");
const USER = "+14165551234";
const withRedis = await whenRedis("the kill-mid-STOP test");
const withPostgres = await whenPostgres("the kill-mid-STOP test");
const suite = withRedis === describe && withPostgres === describe ? describe : describe.skip;

suite("hostile: a process killed while writing a STOP", () => {
  let pool: pg.Pool;
  let redis: Redis;
  const schema = `kill_stop_${Math.random().toString(36).slice(2, 10)}`;
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: POSTGRES_URL });
    redis = new Redis(REDIS_URL);
    await migrate(pool, { schema });
  });
  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
    redis.disconnect();
  });

  it("the redelivery to another instance records it, and marketing is refused", async () => {
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
    const prefix = `kill-stop:${Math.random().toString(36).slice(2)}`;
    const wa = new WhatsAppClient({
      accessToken: fake.accessToken,
      phoneNumberId: fake.phoneNumberId,
      wabaId: fake.wabaId,
      appSecret: fake.webhooks.appSecret,
      transport: fakeTransport(fake),
      maxRetries: 0,
      webhooks: { leaseMs: 1_000 },
      stores: {
        ...redisStores(redis, { phoneNumberId: fake.phoneNumberId, prefix, timeoutMs: 2_000 }),
        consent: postgresConsentStore(pool, { schema }),
      },
    });
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const body = inboundText(fake.wabaId, {
      from: USER.slice(1),
      id: `wamid.stop.${Math.random()}`,
      at: Date.now() + 1_000,
      body: "STOP",
    });
    // Writes to the ledger wait on a lock another session holds: the worker hangs mid-STOP.
    const locker = await pool.connect();
    await locker.query("BEGIN");
    await locker.query(`LOCK TABLE "${schema}".wa_guard_consent_events IN ACCESS EXCLUSIVE MODE`);
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        join(ROOT, "test/hostile/stop-worker.ts"),
        JSON.stringify(body),
        schema,
        prefix,
        fake.phoneNumberId,
      ],
      {
        cwd: ROOT,
        env: { ...process.env, REDIS_URL, DATABASE_URL: POSTGRES_URL },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString();
    });
    const exited = new Promise<NodeJS.Signals | null>((done) =>
      child.on("exit", (_, signal) => done(signal)),
    );
    const deadline = Date.now() + 20_000;
    while (!output.includes("handling") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 500)); // it has leased the event and waits on the ledger
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    expect(output).not.toContain("done");
    await locker.query("ROLLBACK");
    locker.release();

    // Meta redelivers at once: the dead process's lease is live, the STOP is stored anyway (503).
    const early = await wa.webhooks.handle(fake.webhooks.request(body));
    expect([200, 503]).toContain(early.status);
    expect((await wa.consent.status(USER, "marketing")).granted).toBe(false);
    const refused = await wa.messages
      .sendTemplate({ to: USER, name: "promo", language: "en_US", body: ["5%"] })
      .catch((e: unknown) => e);
    expect(isPolicyViolation(refused) && refused.rule).toBe("consent");
    expect(fake.messaging.sent).toHaveLength(0);
    // Once the lease has lapsed, a redelivery completes the event; the next one is a duplicate.
    await new Promise((r) => setTimeout(r, 1_100));
    let late = await wa.webhooks.handle(fake.webhooks.request(body));
    if (late.status === 503) late = await wa.webhooks.handle(fake.webhooks.request(body));
    expect(late.status).toBe(200);
    const again = await wa.webhooks.handle(fake.webhooks.request(body));
    expect([again.status, again.duplicates]).toEqual([200, 1]);
  }, 60_000);
});
