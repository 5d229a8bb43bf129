import { type ClientOptions, WhatsAppClient } from "../src/index.js";
import { FakeClock, FakeCloudApi, type FakeCloudApiOptions, fakeTransport } from "../src/testing/index.js";

export const USER = "+14165551234";
export const USER_WA_ID = "14165551234";

/**
 * A client wired to a fresh fake sharing one fake clock. The policy is off unless the caller
 * configures it: these tests exercise the client and the fake themselves.
 */
export function setup(fakeOptions: FakeCloudApiOptions = {}, clientOptions: ClientOptions = {}) {
  const clock = new FakeClock();
  const fake = new FakeCloudApi({ clock, ...fakeOptions });
  const transport = fakeTransport(fake);
  const calls: string[] = [];
  const wa = new WhatsAppClient({
    accessToken: fake.accessToken,
    phoneNumberId: fake.phoneNumberId,
    wabaId: fake.wabaId,
    clock,
    policy: false,
    transport: async (req) => {
      calls.push(`${req.method} ${new URL(req.url).pathname}`);
      return transport(req);
    },
    ...clientOptions,
  });
  return { clock, fake, wa, calls };
}

/**
 * A client with the policy on (unless `client.policy` says otherwise) wired to a fresh fake
 * through its API and its webhooks (same app secret), sharing one fake clock.
 */
export function connected(
  options: { clock?: FakeClock; fake?: FakeCloudApiOptions; client?: ClientOptions } = {},
) {
  const clock = options.clock ?? new FakeClock();
  const fake = new FakeCloudApi({ clock, ...options.fake });
  const wa = new WhatsAppClient({
    accessToken: fake.accessToken,
    phoneNumberId: fake.phoneNumberId,
    wabaId: fake.wabaId,
    appSecret: fake.webhooks.appSecret,
    transport: fakeTransport(fake),
    clock,
    ...options.client,
  });
  return { clock, fake, wa };
}

/**
 * The world of the model-based policy tests: a fake with a marketing template `promo` ("{{1}}
 * off") and a utility template `notice`, and a client (no retries) that counts the sends reaching
 * its transport.
 */
export function modelWorld(client: ClientOptions = {}) {
  const clock = new FakeClock();
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
  fake.templates.add({
    name: "notice",
    language: "en_US",
    category: "UTILITY",
    components: [{ type: "BODY", text: "Notice" }],
  });
  const counter = { sends: 0 };
  const transport = fakeTransport(fake);
  const wa = new WhatsAppClient({
    accessToken: fake.accessToken,
    phoneNumberId: fake.phoneNumberId,
    wabaId: fake.wabaId,
    appSecret: fake.webhooks.appSecret,
    clock,
    maxRetries: 0,
    transport: async (req) => {
      if (req.url.endsWith("/messages")) counter.sends++;
      return transport(req);
    },
    ...client,
  });
  return { clock, fake, wa, reached: () => counter.sends };
}

/** The most events in any window of `ms` (1 s by default), from their times in any order. */
export function busiestWindow(times: readonly number[], ms = 1_000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let worst = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= ms) j++;
    worst = Math.max(worst, i - j + 1);
  }
  return worst;
}

/**
 * A `messages` webhook body with one inbound text message, as Meta sends it: `from` is the
 * user's wa_id (digits), `at` ms (sent as seconds), `phoneNumberId` the business number it was
 * sent to (omitted: no metadata).
 */
export function inboundText(
  wabaId: string,
  m: {
    from: string;
    id: string;
    at: number;
    body: string;
    phoneNumberId?: string;
    /** More fields of the message, e.g. one in a shape the reference does not show. */
    extra?: Record<string, unknown>;
  },
) {
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: wabaId,
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              ...(m.phoneNumberId !== undefined && {
                metadata: { display_phone_number: "15550000000", phone_number_id: m.phoneNumberId },
              }),
              messages: [
                {
                  from: m.from,
                  id: m.id,
                  timestamp: String(Math.floor(m.at / 1000)),
                  type: "text",
                  text: { body: m.body },
                  ...m.extra,
                },
              ],
            },
          },
        ],
      },
    ],
  };
}
