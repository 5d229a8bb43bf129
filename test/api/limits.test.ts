import { describe, expect, it } from "vitest";
import { validateMessage } from "../../src/api/messages.js";
import { isValidationError, WhatsAppClient } from "../../src/index.js";
import { FakeCloudApi, fakeTransport } from "../../src/testing/index.js";

const to = "+14165551234";
const long = (n: number) => "bit.ly/x ".repeat(Math.ceil(n / 9)).slice(0, n);
const invalid = (m: unknown) => {
  try {
    validateMessage(m);
    return false;
  } catch (e) {
    return isValidationError(e);
  }
};

/** Each message holds one text field just over its limit; the same message one character shorter is valid. */
const CASES: Array<[field: string, make: (n: number) => unknown, limit: number]> = [
  ["text body", (n) => ({ type: "text", to, body: long(n) }), 4096],
  ["image caption", (n) => ({ type: "image", to, media: { id: "1" }, caption: long(n) }), 1024],
  ["document file name", (n) => ({ type: "document", to, media: { id: "1" }, filename: long(n) }), 240],
  ["location name", (n) => ({ type: "location", to, latitude: 0, longitude: 0, name: long(n) }), 1000],
  ["buttons body", (n) => ({ type: "buttons", to, body: long(n), buttons: [{ id: "a", title: "A" }] }), 1024],
  ["button title", (n) => ({ type: "buttons", to, body: "b", buttons: [{ id: "a", title: long(n) }] }), 20],
  [
    "interactive footer",
    (n) => ({ type: "buttons", to, body: "b", footer: long(n), buttons: [{ id: "a", title: "A" }] }),
    60,
  ],
  [
    "interactive header text",
    (n) => ({ type: "buttons", to, body: "b", header: long(n), buttons: [{ id: "a", title: "A" }] }),
    60,
  ],
  [
    "CTA label",
    (n) => ({ type: "cta_url", to, body: "b", displayText: long(n), url: "https://a.example" }),
    20,
  ],
  [
    "template body parameter",
    (n) => ({ type: "template", to, name: "t", language: "en", body: [long(n)] }),
    1024,
  ],
  [
    "named template parameter",
    (n) => ({ type: "template", to, name: "t", language: "en", body: { first_name: long(n) } }),
    1024,
  ],
  ["template header text", (n) => ({ type: "template", to, name: "t", language: "en", header: long(n) }), 60],
  [
    "template location header name",
    (n) => ({
      type: "template",
      to,
      name: "t",
      language: "en",
      header: { location: { latitude: 0, longitude: 0, name: long(n) } },
    }),
    1000,
  ],
  [
    "template URL button text",
    (n) => ({
      type: "template",
      to,
      name: "t",
      language: "en",
      buttons: [{ type: "url", index: 0, text: long(n) }],
    }),
    2000,
  ],
  [
    "contact first name",
    (n) => ({ type: "contacts", to, contacts: [{ name: { formattedName: "A", firstName: long(n) } }] }),
    1000,
  ],
  [
    "contact URL",
    (n) => ({ type: "contacts", to, contacts: [{ name: { formattedName: "A" }, urls: [{ url: long(n) }] }] }),
    2000,
  ],
  [
    "contact e-mail",
    (n) => ({
      type: "contacts",
      to,
      contacts: [{ name: { formattedName: "A" }, emails: [{ email: long(n) }] }],
    }),
    320,
  ],
  [
    "contact street",
    (n) => ({
      type: "contacts",
      to,
      contacts: [{ name: { formattedName: "A" }, addresses: [{ street: long(n) }] }],
    }),
    1000,
  ],
  [
    "contact phone",
    (n) => ({
      type: "contacts",
      to,
      contacts: [{ name: { formattedName: "A" }, phones: [{ phone: long(n) }] }],
    }),
    64,
  ],
];

describe("every text field is length-checked against Meta's limits", () => {
  it.each(CASES)("%s: at most %#", (field, make, limit) => {
    expect(invalid(make(limit)), `${field} at ${limit}`).toBe(false);
    expect(invalid(make(limit + 1)), `${field} at ${limit + 1}`).toBe(true);
  });

  it("a template holds at most 170 body parameters, positional or named", () => {
    const positional = (n: number) => ({
      type: "template",
      to,
      name: "t",
      language: "en",
      body: Array(n).fill("x"),
    });
    const named = (n: number) => ({
      type: "template",
      to,
      name: "t",
      language: "en",
      body: Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, "x"])),
    });
    expect(invalid(positional(170))).toBe(false);
    expect(invalid(positional(171))).toBe(true);
    expect(invalid(named(170))).toBe(false);
    expect(invalid(named(171))).toBe(true);
  });

  it("a too-long field is a ValidationError, not a content refusal, in send and policy.check", async () => {
    const fake = new FakeCloudApi();
    const wa = new WhatsAppClient({
      accessToken: fake.accessToken,
      phoneNumberId: fake.phoneNumberId,
      transport: fakeTransport(fake),
    });
    const message = { type: "template" as const, to, name: "t", language: "en", body: [long(1025)] };
    const sent = await wa.messages.send(message).catch((e: unknown) => e);
    expect(isValidationError(sent)).toBe(true);
    const checked = await wa.policy.check(message).catch((e: unknown) => e);
    expect(isValidationError(checked)).toBe(true);
    expect(fake.requests.filter((r) => r.path.endsWith("/messages"))).toEqual([]);
  });
});
