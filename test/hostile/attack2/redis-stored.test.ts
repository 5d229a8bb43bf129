/**
 * Corrupt data in Redis (127.0.0.1:6379, a unique prefix per test):
 * - a consent grant dated in the far future (finite, so src/redis/decode.ts decodeConsentEvent
 *   accepts it; wa.consent.grant() would refuse it as "in the future") outranks every later STOP:
 *   the user's STOP is recorded and marketing is still sent;
 * - a shared template list whose item has no `components` (decodeTemplateList checks only that
 *   `templates` is an array) crashes a send with an untyped TypeError ("t.components is not
 *   iterable"); a `null` component gives "Cannot read properties of null";
 * - the typed error for a corrupt consent entry names the key, and the key holds the full phone
 *   number (the issue also asks that phone numbers be masked in every message);
 * - a Redis error's cause (ioredis ReplyError) keeps `command.args`, the full key with the number.
 */
import { inspect } from "node:util";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { isWhatsAppError, WhatsAppClient } from "../../../src/index.js";
import { redisStores } from "../../../src/redis/index.js";
import { FakeClock, FakeCloudApi, fakeTransport } from "../../../src/testing/index.js";
import { REDIS_URL, whenRedis } from "../../contracts/services.js";

const USER = "+16505551234";
const WA_ID = "16505551234";
const suite = await whenRedis("the attack2 stored-data tests");

suite("attack2: corrupt data in Redis", () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(() => redis.disconnect());

  function world() {
    const prefix = `attack2:${Math.random().toString(36).slice(2)}`;
    const clock = new FakeClock({ start: Date.now() });
    const fake = new FakeCloudApi({ clock });
    fake.templates.add({
      name: "promo",
      language: "en_US",
      category: "MARKETING",
      components: [{ type: "BODY", text: "{{1}} off" }],
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

  it("a grant dated in the far future outlives the user's STOP", async () => {
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
