/**
 * Data read back from a store is checked before it decides anything: a corrupt entry fails
 * closed with a typed error that names the key and never quotes its content.
 */
import { inspect } from "node:util";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { isPolicyViolation, isWhatsAppError, WhatsAppClient } from "../../src/index.js";
import { redisStores } from "../../src/redis/index.js";
import { FakeClock, FakeCloudApi, fakeTransport } from "../../src/testing/index.js";
import { REDIS_URL, whenRedis } from "../contracts/services.js";

const USER = "+14165551234";
const WA_ID = "14165551234";
const suite = await whenRedis("the stored-data tests");

suite("hostile stored data", () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(() => redis.disconnect());

  function world() {
    const prefix = `stored:${Math.random().toString(36).slice(2)}`;
    const clock = new FakeClock({ start: Date.now() });
    const fake = new FakeCloudApi({ clock });
    fake.templates.add({
      name: "promo",
      language: "en_US",
      category: "MARKETING",
      components: [
        { type: "FOOTER", text: "Reply STOP to opt out" },
        { type: "BODY", text: "{{1}} off" },
      ],
    });
    const wa = new WhatsAppClient({
      accessToken: fake.accessToken,
      phoneNumberId: fake.phoneNumberId,
      wabaId: fake.wabaId,
      appSecret: fake.webhooks.appSecret,
      clock,
      maxRetries: 0,
      transport: fakeTransport(fake),
      stores: redisStores(redis, { phoneNumberId: fake.phoneNumberId, prefix, timeoutMs: 1_000 }),
    });
    const promo = () =>
      wa.messages.sendTemplate({ to: USER, name: "promo", language: "en_US", body: ["5%"] }).then(
        () => "sent",
        (e: unknown) => e,
      );
    return { prefix, clock, fake, wa, promo };
  }
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => "sent",
      (e: { code?: string; message?: string }) => e,
    );

  it("a consent entry that is not JSON fails closed, naming the key (masked) and not quoting it", async () => {
    const { prefix, fake, wa } = world();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    await redis.rpush(`${prefix}:consent:${WA_ID}`, "not-json SECRET-PAYLOAD");
    const error = await failure(
      wa.messages.sendTemplate({ to: USER, name: "promo", language: "en_US", body: ["5%"] }),
    );
    expect(error).toMatchObject({ code: "store_unavailable", unreachable: false });
    expect((error as Error).message).toContain(`${prefix}:consent:…1234`);
    expect((error as Error).message).not.toContain(WA_ID);
    expect((error as Error).message).not.toContain("SECRET-PAYLOAD");
    expect(fake.messaging.sent).toHaveLength(0);
  });

  it("a consent entry of the wrong shape grants nothing", async () => {
    const { prefix, fake, wa } = world();
    await redis.rpush(
      `${prefix}:consent:${WA_ID}`,
      JSON.stringify({ key: WA_ID, action: "grant", scope: "marketing", source: "x", at: "soon" }),
    );
    const error = await failure(
      wa.messages.sendTemplate({ to: USER, name: "promo", language: "en_US", body: ["5%"] }),
    );
    expect(error).toMatchObject({ code: "store_unavailable" });
    expect(fake.messaging.sent).toHaveLength(0);
  });

  it("a window key holding Infinity or a far-future time opens no window", async () => {
    const { prefix, fake, wa } = world();
    for (const value of ["Infinity", String(Date.now() + 365 * 86_400_000)]) {
      await redis.set(`${prefix}:${fake.phoneNumberId}:window:${WA_ID}`, value);
      const outcome = await failure(wa.messages.sendText({ to: USER, body: "hi" }));
      expect(outcome === "sent").toBe(false);
      expect(isPolicyViolation(outcome) || (outcome as { code?: string }).code === "store_unavailable").toBe(
        true,
      );
    }
    expect(fake.messaging.sent).toHaveLength(0);
  });

  it("a restriction type named after an Object property creates no junk restriction", async () => {
    const { fake, wa } = world();
    for (const type of ["constructor", "__proto__", "toString"]) {
      const result = await wa.webhooks.handle(
        fake.webhooks.request({
          object: "whatsapp_business_account",
          entry: [
            {
              id: fake.wabaId,
              time: Math.floor(Date.now() / 1000),
              changes: [
                {
                  field: "account_update",
                  value: { event: "ACCOUNT_RESTRICTION", restriction_info: [{ restriction_type: type }] },
                },
              ],
            },
          ],
        }),
      );
      expect(result.status).toBe(200);
    }
    // Unknown types restrict templates (the strict reading), with a real scope.
    const restrictions = (await wa.account.health()).restrictions;
    expect(restrictions.map((r) => r.scope)).toEqual(["business_initiated"]);
  });

  it("a grant dated in the far future (written by hand or a clock far ahead) does not outlive the user's STOP", async () => {
    const { prefix, clock, fake, wa, promo } = world();
    await redis.rpush(
      `${prefix}:consent:${WA_ID}`,
      JSON.stringify({ key: WA_ID, action: "grant", scope: "marketing", source: "crm", at: 1e15 }),
    );
    const stop = await wa.webhooks.handle(
      fake.webhooks.request({
        object: "whatsapp_business_account",
        entry: [
          {
            id: fake.wabaId,
            changes: [
              {
                field: "messages",
                value: {
                  messaging_product: "whatsapp",
                  metadata: { display_phone_number: "15550000000", phone_number_id: fake.phoneNumberId },
                  contacts: [{ wa_id: WA_ID, profile: { name: "U" } }],
                  messages: [
                    {
                      from: WA_ID,
                      id: "wamid.stop1",
                      timestamp: String(Math.floor(clock.now() / 1000)),
                      type: "text",
                      text: { body: "STOP" },
                    },
                  ],
                },
              },
            ],
          },
        ],
      }),
    );
    expect(stop.status).toBe(200);
    expect(stop.events.some((e) => e.kind === "optOut")).toBe(true);
    const outcome = await promo();
    expect({ outcome: outcome === "sent" ? "sent" : "refused", reached: fake.messaging.sent.length }).toEqual(
      {
        outcome: "refused",
        reached: 0,
      },
    );
  });

  it("a corrupt shared template list is never trusted: Meta's own list decides, and nothing crashes", async () => {
    const { prefix, fake, wa, promo } = world();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    fake.templates.setStatus("promo", "PAUSED", "en_US");
    await redis.set(
      `${prefix}:${fake.phoneNumberId}:templates`,
      JSON.stringify({
        templates: [{ name: "promo", language: "en_US", status: "APPROVED" }],
        fetchedAt: Date.now(),
      }),
    );
    const outcome = await promo();
    expect(isWhatsAppError(outcome) && (outcome as { rule?: string }).rule).toBe("template");
  });

  it("the error for a corrupt consent entry does not show the full phone number", async () => {
    const { prefix, promo, wa } = world();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    await redis.rpush(`${prefix}:consent:${WA_ID}`, "garbage");
    const error = await promo();
    expect((error as { code?: string }).code).toBe("store_unavailable");
    expect(inspect(error, { depth: 10 })).not.toContain(WA_ID);
  });

  it("a Redis reply error's cause does not carry the key with the full phone number", async () => {
    const { prefix, promo, wa } = world();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    await redis.del(`${prefix}:consent:${WA_ID}`);
    await redis.set(`${prefix}:consent:${WA_ID}`, "a string, not a list"); // WRONGTYPE
    const error = await promo();
    expect((error as { code?: string }).code).toBe("store_unavailable");
    expect(inspect(error, { depth: 10 })).not.toContain(WA_ID);
  });
});
