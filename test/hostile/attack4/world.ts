/** A world for the attack4 and attack5 tests: a fake (Meta), a fake clock, a client whose sends reaching the fake are counted. */
import {
  type ClientOptions,
  isGraphApiError,
  isPolicyViolation,
  WhatsAppClient,
} from "../../../src/index.js";
import { FakeClock, FakeCloudApi, fakeTransport } from "../../../src/testing/index.js";

export type Components = Array<{ type: string; [key: string]: unknown }>;
export const BODY = { type: "BODY", text: "20% off today" };
export const CA = "+1 416 555 0101"; // Toronto
export const US = "+1 650 555 0101"; // California
export const UK = "+44 7700 900101";
export const sec = (ms: number) => Math.floor(ms / 1000);

export function world(
  components: Components,
  policy: NonNullable<ClientOptions["policy"]> & object = {},
  options: { clock?: FakeClock; fake?: FakeCloudApi } = {},
) {
  const clock = options.clock ?? new FakeClock();
  const fake = options.fake ?? new FakeCloudApi({ clock });
  const inner = fakeTransport(fake);
  /** Every request that reached the fake: method and url (and body for sends). */
  const requests: Array<{ method: string; url: string; body?: string }> = [];
  /** When set, the next request matching it is applied by the fake, then its answer is lost. */
  let loseAnswer: ((r: { method: string; url: string }) => boolean) | undefined;
  const transport: ClientOptions["transport"] = async (req) => {
    requests.push({
      method: req.method,
      url: req.url,
      ...(typeof req.body === "string" && { body: req.body }),
    });
    const res = await inner(req);
    if (loseAnswer?.(req)) {
      loseAnswer = undefined;
      throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    }
    return res;
  };
  const client = (opts: ClientOptions = {}) =>
    new WhatsAppClient({
      accessToken: fake.accessToken,
      phoneNumberId: fake.phoneNumberId,
      wabaId: fake.wabaId,
      appSecret: fake.webhooks.appSecret,
      transport,
      clock,
      maxRetries: 0,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      ...opts,
      policy: {
        frequency: { marketingPerDay: 100, marketingPerWeek: 100, identicalWithinMs: 1 },
        ...policy,
        ...opts.policy,
      },
    });
  if (!options.fake) {
    fake.templates.add({ name: "promo", language: "en_US", category: "MARKETING", components });
    fake.templates.add({
      name: "notice",
      language: "en_US",
      category: "UTILITY",
      components: [{ type: "BODY", text: "Your order shipped" }],
    });
  }
  /** Template or message sends that reached the fake. */
  const sends = () =>
    requests.filter(
      (r) =>
        r.method === "POST" && r.url.endsWith("/messages") && !(r.body ?? "").includes('"status":"read"'),
    );
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
  const entry = (changes: unknown[]) => ({
    object: "whatsapp_business_account",
    entry: [{ id: fake.wabaId, changes }],
  });
  const meta = { display_phone_number: "15550000000", phone_number_id: fake.phoneNumberId };
  /** An inbound text from `who` (a wa_id and/or a BSUID). */
  const inbound = (id: string, body: string, who: { waId?: string; userId?: string }, at = clock.now()) =>
    entry([
      {
        field: "messages",
        value: {
          messaging_product: "whatsapp",
          metadata: meta,
          contacts: [
            {
              profile: { name: "U" },
              ...(who.waId && { wa_id: who.waId }),
              ...(who.userId && { user_id: who.userId }),
            },
          ],
          messages: [
            {
              ...(who.waId && { from: who.waId }),
              ...(who.userId && { from_user_id: who.userId }),
              id,
              timestamp: String(sec(at)),
              type: "text",
              text: { body },
            },
          ],
        },
      },
    ]);
  const deliver = (wa: WhatsAppClient, body: unknown) =>
    wa.webhooks.handle(fake.webhooks.request(body) as never);
  return {
    clock,
    fake,
    client,
    requests,
    sends,
    outcome,
    inbound,
    deliver,
    loseNextAnswer: (match: (r: { method: string; url: string }) => boolean) => {
      loseAnswer = match;
    },
  };
}
