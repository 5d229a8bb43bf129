import { describe, expect, it } from "vitest";
import { WhatsAppClient } from "../../src/index.js";
import { FakeClock, FakeCloudApi, fakeTransport } from "../../src/testing/index.js";

const PHONE = "+14165551234";
const BSUID = "US.13491208655302741918";

function setup() {
  const clock = new FakeClock();
  const fake = new FakeCloudApi({ clock });
  fake.templates.add({
    name: "promo",
    language: "en_US",
    category: "MARKETING",
    components: [
      { type: "FOOTER", text: "Reply STOP to opt out" },
      { type: "BODY", text: "Sale" },
    ],
  });
  const wa = new WhatsAppClient({
    accessToken: fake.accessToken,
    phoneNumberId: fake.phoneNumberId,
    wabaId: fake.wabaId,
    appSecret: fake.webhooks.appSecret,
    clock,
    transport: fakeTransport(fake),
    maxRetries: 0,
  });
  return { clock, fake, wa };
}

const values = (fake: FakeCloudApi) =>
  fake.webhooks.pending.flatMap((p) =>
    (p["entry"] as Array<{ changes: Array<{ value: Record<string, unknown> }> }>).flatMap((e) =>
      e.changes.map((c) => c.value),
    ),
  );

describe("the fake speaks 2026: BSUIDs and withheld numbers", () => {
  it("a linked user's messages carry from_user_id and contacts user_id; a withheld number is left out", () => {
    const { fake } = setup();
    fake.blocklist.linkUser(PHONE, BSUID);
    fake.messaging.receiveMessage(PHONE, { text: "hi" });
    fake.blocklist.linkUser(PHONE, BSUID, { numberWithheld: true });
    fake.messaging.receiveMessage(BSUID, { text: "again" });
    const [first, second] = values(fake);
    expect(first).toMatchObject({
      contacts: [{ wa_id: "14165551234", user_id: BSUID }],
      messages: [{ from: "14165551234", from_user_id: BSUID }],
    });
    expect(second).toMatchObject({ contacts: [{ user_id: BSUID }], messages: [{ from_user_id: BSUID }] });
    expect(
      ((second as Record<string, unknown>)["messages"] as Array<Record<string, unknown>>)[0],
    ).not.toHaveProperty("from");
    expect(
      ((second as Record<string, unknown>)["contacts"] as Array<Record<string, unknown>>)[0],
    ).not.toHaveProperty("wa_id");
  });

  it("statuses of a send to a BSUID carry recipient_user_id (not recipient_id) and contacts", async () => {
    const { fake, wa } = setup();
    fake.blocklist.linkUser(PHONE, BSUID, { numberWithheld: true });
    fake.messaging.receiveMessage(BSUID, { text: "hi" });
    await fake.webhooks.deliver(wa);
    expect(fake.webhooks.pending).toHaveLength(0);
    await wa.messages.sendText({ to: BSUID, body: "hello" });
    const statuses = values(fake).filter((v) => v["statuses"]);
    expect(statuses.length).toBeGreaterThan(0);
    for (const v of statuses) {
      const s = (v["statuses"] as Array<Record<string, unknown>>)[0];
      expect(s).toMatchObject({ recipient_user_id: BSUID });
      expect(s).not.toHaveProperty("recipient_id");
      expect(v["contacts"]).toEqual([{ profile: { name: "Test User" }, user_id: BSUID }]);
    }
  });

  it("end to end: a STOP from the username stops the template to the number Meta showed earlier", async () => {
    const { fake, wa } = setup();
    await wa.consent.grant(PHONE, { scope: "marketing", source: "checkout" });
    fake.blocklist.linkUser(PHONE, BSUID);
    fake.messaging.receiveMessage(PHONE, { text: "hi" });
    await fake.webhooks.deliver(wa);
    fake.blocklist.linkUser(PHONE, BSUID, { numberWithheld: true });
    fake.messaging.receiveMessage(BSUID, { text: "STOP" });
    await fake.webhooks.deliver(wa);
    const before = fake.messaging.sent.length;
    await expect(
      wa.messages.sendTemplate({ to: PHONE, name: "promo", language: "en_US" }),
    ).rejects.toMatchObject({
      rule: "consent",
    });
    expect(fake.messaging.sent.length).toBe(before);
  });
});
