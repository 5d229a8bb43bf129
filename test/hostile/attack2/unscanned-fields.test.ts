/**
 * Fields a person reads that the content guard never scans (src/policy/content.ts messageTexts):
 * a contact card's phone numbers and the `type` labels of its phones, e-mails and URLs, and a
 * reaction's `emoji` (a free string of up to 16 characters).
 */
import { describe, expect, it } from "vitest";
import { CARD, contentWorld, U } from "./world.js";

describe("unscanned text fields", () => {
  it("a full card number as a contact card's phone number reaches Meta", async () => {
    const { outcome, sent } = await contentWorld();
    const r = await outcome({
      type: "contacts",
      to: U,
      contacts: [{ name: { formattedName: "Billing" }, phones: [{ phone: CARD, type: "CARD" }] }],
    });
    expect({ r, sent: sent() }).toEqual({ r: "refused", sent: 0 });
  });

  it("a shortener and a card number in a contact's phone/e-mail/url `type` labels reach Meta", async () => {
    const { outcome, sent } = await contentWorld();
    const results = [];
    for (const contact of [
      { name: { formattedName: "A" }, phones: [{ phone: "+14165550002", type: "bit.ly/promo" }] },
      { name: { formattedName: "A" }, emails: [{ email: "a@shop.example", type: CARD }] },
      { name: { formattedName: "A" }, urls: [{ url: "https://shop.example", type: "tinyurl.com/x" }] },
    ])
      results.push(await outcome({ type: "contacts", to: U, contacts: [contact] }));
    expect({ results, sent: sent() }).toEqual({ results: ["refused", "refused", "refused"], sent: 0 });
  });

  it("a reaction whose emoji is a 16-digit card number or a shortener link reaches the fake", async () => {
    const { outcome, sent, fake } = await contentWorld();
    const id = fake.messaging.receiveMessage(U);
    const results = [
      await outcome({ type: "reaction", to: U, messageId: String(id), emoji: "4111111111111111" }),
      await outcome({ type: "reaction", to: U, messageId: String(id), emoji: "bit.ly/abcdef" }),
    ];
    // Meta would answer with an error for a non-emoji; the guard should refuse (or validate) first.
    expect(results.every((r) => r === "refused" || r === "invalid")).toBe(true);
    expect(sent()).toBe(0);
  });
});
