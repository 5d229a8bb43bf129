/** Shared world for the attack-derived hostile tests: a fake (Meta), a fake clock, clients counting sends that reach the fake. */
import { type ClientOptions, isGraphApiError, isPolicyViolation, WhatsAppClient } from "../../src/index.js";
import { FakeClock, FakeCloudApi, fakeTransport } from "../../src/testing/index.js";

export const USER = "+14165551234";
export const WA_ID = "14165551234";
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const sec = (ms: number) => Math.floor(ms / 1000);

export function world(options: { clock?: FakeClock } = {}) {
  const clock = options.clock ?? new FakeClock();
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
    components: [{ type: "BODY", text: "Your order shipped" }],
  });
  const sent: Array<{ body: string; at: number }> = [];
  const transport = fakeTransport(fake);
  const client = (opts: ClientOptions = {}) =>
    new WhatsAppClient({
      accessToken: fake.accessToken,
      phoneNumberId: fake.phoneNumberId,
      wabaId: fake.wabaId,
      appSecret: fake.webhooks.appSecret,
      clock,
      maxRetries: 0,
      policy: { frequency: { marketingPerDay: 100, marketingPerWeek: 100, identicalWithinMs: 1 } },
      transport: async (req) => {
        if (
          req.url.endsWith("/messages") &&
          typeof req.body === "string" &&
          !req.body.includes('"status":"read"')
        )
          sent.push({ body: req.body, at: clock.now() });
        return transport(req);
      },
      ...opts,
    });
  const entry = (changes: unknown[], time?: number) => ({
    object: "whatsapp_business_account",
    entry: [{ id: fake.wabaId, ...(time !== undefined && { time: sec(time) }), changes }],
  });
  const text = (id: string, at: number, body: string, from = WA_ID) =>
    entry([
      {
        field: "messages",
        value: {
          messaging_product: "whatsapp",
          metadata: { display_phone_number: "15550000000", phone_number_id: fake.phoneNumberId },
          contacts: [{ wa_id: from, profile: { name: "U" } }],
          messages: [{ from, id, timestamp: String(sec(at)), type: "text", text: { body } }],
        },
      },
    ]);
  const stop = (id: string, at: number) => text(id, at, "STOP");
  const preference = (value: "stop" | "resume", at: number | undefined, user = WA_ID) =>
    entry([
      {
        field: "user_preferences",
        value: {
          messaging_product: "whatsapp",
          metadata: { display_phone_number: "15550000000", phone_number_id: fake.phoneNumberId },
          contacts: [{ wa_id: user, profile: { name: "U" } }],
          user_preferences: [
            {
              wa_id: user,
              detail: "User requested to stop marketing messages",
              category: "marketing_messages",
              value,
              ...(at !== undefined && { timestamp: sec(at) }),
            },
          ],
        },
      },
    ]);
  const account = (value: Record<string, unknown>, at: number | undefined) =>
    entry([{ field: "account_update", value }], at);
  const quality = (event: string, at: number | undefined) =>
    entry(
      [
        {
          field: "phone_number_quality_update",
          value: { display_phone_number: fake.displayPhoneNumber, event, current_limit: "TIER_1K" },
        },
      ],
      at,
    );
  const templateStatus = (event: string, at: number | undefined) =>
    entry(
      [
        {
          field: "message_template_status_update",
          value: {
            event,
            message_template_id: Number(fake.templates.find("promo", "en_US")?.id ?? 1),
            message_template_name: "promo",
            message_template_language: "en_US",
            reason: "NONE",
          },
        },
      ],
      at,
    );
  const promo = (wa: WhatsAppClient, n = 0, to = USER, signal?: AbortSignal) =>
    wa.messages.sendTemplate(
      { to, name: "promo", language: "en_US", body: [`${n}%`] },
      signal ? { signal } : {},
    );
  const notice = (wa: WhatsAppClient, to = USER) =>
    wa.messages.sendTemplate({ to, name: "notice", language: "en_US" });
  const outcome = async (send: Promise<unknown>) => {
    try {
      await send;
      return "sent";
    } catch (error) {
      if (isPolicyViolation(error)) return error.rule;
      if (isGraphApiError(error)) return `meta:${error.graphCode}`;
      return `error:${(error as Error).name}:${(error as Error).message}`;
    }
  };
  return {
    clock,
    fake,
    client,
    entry,
    text,
    stop,
    preference,
    account,
    quality,
    templateStatus,
    promo,
    notice,
    outcome,
    sent,
    reached: () => sent.length,
  };
}

export const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/** Wait (real time) until `cond` holds, up to `ms`. */
export async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not reached");
    await tick(5);
  }
}
