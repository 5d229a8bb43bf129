import { type ClientOptions, WhatsAppClient } from "../../src/index.js";
import { FakeClock, FakeCloudApi, fakeTransport } from "../../src/testing/index.js";

/** The n-th test number: +1 416 5xx xxxx (Toronto: Meta delivers no marketing to US numbers). */
export const number = (n: number) => `+1416${String(5_000_000 + n).padStart(7, "0")}`;

/**
 * A fake with an approved marketing template `spring_sale` ("Hi {{1}}, 20% off") and a client
 * with the policy on, counting what reaches the transport and every error answer of the fake.
 */
export function campaignWorld(client: ClientOptions = {}, clock = new FakeClock(), webhooks = false) {
  const fake = new FakeCloudApi({ clock, webhooks });
  fake.templates.add({
    name: "spring_sale",
    language: "en_US",
    category: "MARKETING",
    components: [
      { type: "FOOTER", text: "Reply STOP to opt out" },
      { type: "BODY", text: "Hi {{1}}, 20% off" },
    ],
  });
  const seen = { sends: 0, errors: [] as number[] };
  const transport = fakeTransport(fake);
  const wa = new WhatsAppClient({
    accessToken: fake.accessToken,
    phoneNumberId: fake.phoneNumberId,
    wabaId: fake.wabaId,
    clock,
    maxRetries: 0,
    appSecret: fake.webhooks.appSecret,
    policy: { messagingLimit: { tier: "unlimited" } },
    transport: async (req) => {
      const sending = req.url.endsWith("/messages");
      if (sending) seen.sends++;
      const res = await transport(req);
      if (sending && res.status >= 400) {
        const body = JSON.parse(String(res.body)) as { error: { code: number } };
        seen.errors.push(body.error.code);
      }
      return res;
    },
    ...client,
  });
  const template = { name: "spring_sale", language: "en_US", body: ["friend"] };
  /** Opt `to` in to marketing (as a checkout form would). */
  const optIn = (to: string) => wa.consent.grant(to, { scope: "marketing", source: "checkout-form" });
  /** Messages the fake accepted, per recipient digits. */
  const sentPerUser = () => {
    const per = new Map<string, number>();
    for (const m of fake.messaging.sent) per.set(m.waId, (per.get(m.waId) ?? 0) + 1);
    return per;
  };
  return { clock, fake, wa, seen, template, optIn, sentPerUser };
}
