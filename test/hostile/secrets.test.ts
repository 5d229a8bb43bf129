/**
 * Nothing printable holds a secret: every object the SDK hands out and every error it throws,
 * inspected or serialised, shows neither the access token, the app secret nor the verify token,
 * and phone numbers only masked.
 */
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { WhatsAppClient } from "../../src/index.js";
import { FakeCloudApi, fakeTransport } from "../../src/testing/index.js";

const TOKEN = "EAAG-secret-access-token-1234567890";
const APP_SECRET = "app-secret-0987654321";
const VERIFY = "verify-token-5555";
const SECRETS = [TOKEN, APP_SECRET, VERIFY];
const PHONE = "14165551234";

function printed(value: unknown): string {
  let json = "";
  try {
    json = JSON.stringify(value) ?? "";
  } catch (error) {
    json = String(error);
  }
  let text = "";
  try {
    text = String(value);
  } catch {
    // an object without a prototype has no string form
  }
  return `${inspect(value, { depth: Number.POSITIVE_INFINITY })}\n${json}\n${text}`;
}

/** Every object reachable from `root` through own properties (cycles and functions skipped). */
function walk(root: unknown, max = 5_000): unknown[] {
  const seen = new Set<unknown>();
  const out: unknown[] = [];
  const queue: unknown[] = [root];
  while (queue.length > 0 && out.length < max) {
    const v = queue.shift();
    if (v === null || typeof v !== "object" || seen.has(v)) continue;
    seen.add(v);
    out.push(v);
    for (const key of Reflect.ownKeys(v)) {
      const d = Object.getOwnPropertyDescriptor(v, key);
      if (d && "value" in d) queue.push(d.value);
    }
  }
  return out;
}

describe("hostile printing: no secret and no full phone number in anything the SDK hands out", () => {
  const fake = new FakeCloudApi({ accessToken: TOKEN, appSecret: APP_SECRET });
  const client = (transport = fakeTransport(fake)) =>
    new WhatsAppClient({
      accessToken: TOKEN,
      appSecret: APP_SECRET,
      verifyToken: VERIFY,
      phoneNumberId: fake.phoneNumberId,
      wabaId: fake.wabaId,
      maxRetries: 0,
      transport,
    });

  it("every object reachable from a client, and its copies", () => {
    const wa = client();
    const roots = [wa, wa.withOptions({ maxRetries: 1 }), wa.messages, wa.templates, wa.media, wa.account];
    for (const root of [
      ...roots,
      wa.blocklist,
      wa.webhooks,
      wa.consent,
      wa.policy,
      wa.campaigns,
      wa.sessions,
    ]) {
      for (const object of walk(root)) {
        const text = printed(object);
        for (const secret of SECRETS) expect(text).not.toContain(secret);
      }
    }
  });

  it("every kind of error, with its causes", async () => {
    const wa = client();
    const leaky = client(async () => {
      const cause = new Error(`socket closed; authorization: Bearer ${TOKEN}`);
      throw new Error(`request failed with Bearer ${TOKEN}`, { cause });
    });
    const errors: unknown[] = [];
    const collect = (p: Promise<unknown>) =>
      p.then(
        () => expect.fail("expected a failure"),
        (e: unknown) => errors.push(e),
      );
    await collect(wa.messages.sendText({ to: "+1416555123", body: "hi" })); // recipient guard
    await collect(wa.messages.sendTemplate({ to: `+${PHONE}`, name: "x", language: "en_US" })); // template / consent
    await collect(wa.messages.sendText({ to: `+${PHONE}`, body: "hi" })); // window
    await collect(wa.consent.grant(`00${PHONE}`, { scope: "marketing", source: "form" })); // validation
    await collect(leaky.templates.list().next()); // transport failure quoting the token
    await collect(
      client(fakeTransport(new FakeCloudApi({ accessToken: "other" })))
        .templates.list()
        .next(),
    ); // 190
    const rejected = await wa.webhooks.handle({ method: "POST", headers: {}, rawBody: "{}" });
    errors.push(rejected.error);
    expect(errors).toHaveLength(7);
    for (const error of errors) {
      for (const object of walk(error)) {
        const text = printed(object);
        for (const secret of SECRETS) expect(text).not.toContain(secret);
        expect(text).not.toMatch(/6505551234|650555123\b|4155550160/);
      }
    }
  });
});
