import { type ClientOptions, WhatsAppClient } from "../src/index.js";
import { FakeClock, FakeCloudApi, type FakeCloudApiOptions, fakeTransport } from "../src/testing/index.js";

export const USER = "+16505551234";
export const USER_WA_ID = "16505551234";

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
