import { describe, expect, it } from "vitest";
import { GraphApiError, ValidationError, WhatsAppClient } from "../../src/index.js";
import { FakeClock, FakeCloudApi, fakeTransport } from "../../src/testing/index.js";

function world() {
  const clock = new FakeClock();
  const fake = new FakeCloudApi({ clock });
  const wa = new WhatsAppClient({
    accessToken: fake.accessToken,
    phoneNumberId: fake.phoneNumberId,
    wabaId: fake.wabaId,
    appSecret: fake.webhooks.appSecret,
    transport: fakeTransport(fake),
    clock,
    policy: { disable: ["consent"] },
  });
  const promo = fake.templates.add({
    name: "promo",
    language: "en_US",
    category: "MARKETING",
    components: [
      { type: "FOOTER", text: "Reply STOP to opt out" },
      { type: "BODY", text: "Hi" },
    ],
  });
  return { clock, fake, wa, promo };
}

const TO = "+14165550001";
let n = 0;
/** Each send to another user: the frequency guard would refuse the same template to one user twice. */
const send = (wa: WhatsAppClient) =>
  wa.messages.sendTemplate({
    to: `${TO.slice(0, -4)}${String(++n).padStart(4, "0")}`,
    name: "promo",
    language: "en_US",
  });

describe("wa.templates.edit", () => {
  it("sends the edit, and the next send is refused locally: the edited template is back in review", async () => {
    const { fake, wa, promo } = world();
    await send(wa); // the policy has cached the template as APPROVED
    const sent = fake.messaging.sent.length;
    await wa.templates.edit(promo.id, { components: [{ type: "BODY", text: "Hello again" }] });
    expect(fake.templates.byId(promo.id)).toMatchObject({
      status: "PENDING",
      components: [{ type: "BODY", text: "Hello again" }],
    });
    await expect(send(wa)).rejects.toMatchObject({ code: "policy_template" });
    expect(fake.messaging.sent.length).toBe(sent);
  });

  it("Meta's edit rules hold in the fake: one edit of an approved template a day, never its category", async () => {
    const { clock, fake, wa, promo } = world();
    await expect(wa.templates.edit(promo.id, { category: "UTILITY" })).rejects.toBeInstanceOf(GraphApiError);
    await wa.templates.edit(promo.id, { components: [{ type: "BODY", text: "v2" }] });
    fake.setTemplateStatus("promo", "en_US", "APPROVED");
    await expect(wa.templates.edit(promo.id, { components: [{ type: "BODY", text: "v3" }] })).rejects.toThrow(
      /once in 24 hours/,
    );
    clock.advance(24 * 3600_000 + 1);
    await wa.templates.edit(promo.id, { components: [{ type: "BODY", text: "v3" }] });
    // A PENDING template cannot be edited.
    await expect(wa.templates.edit(promo.id, { components: [{ type: "BODY", text: "v4" }] })).rejects.toThrow(
      /PENDING template cannot be edited/,
    );
  });

  it("refuses bad input with a ValidationError before any request", async () => {
    const { fake, wa, promo } = world();
    const before = fake.requests.length;
    await expect(wa.templates.edit(promo.id, {})).rejects.toBeInstanceOf(ValidationError);
    await expect(wa.templates.edit("promo", { category: "UTILITY" })).rejects.toBeInstanceOf(ValidationError);
    await expect(wa.templates.edit(promo.id, { components: [] })).rejects.toBeInstanceOf(ValidationError);
    await expect(
      wa.templates.edit(promo.id, { categroy: "UTILITY" } as unknown as { category: "UTILITY" }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(wa.templates.unpause(undefined as unknown as string)).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(fake.requests.length).toBe(before);
  });
});

describe("wa.templates.unpause", () => {
  it("a paused template is refused locally; after unpause it can be sent again", async () => {
    const { fake, wa, promo } = world();
    fake.setTemplateStatus("promo", "en_US", "PAUSED");
    await fake.webhooks.deliver(wa);
    await expect(send(wa)).rejects.toMatchObject({ code: "policy_template" });
    expect(await wa.templates.unpause(promo.id)).toEqual({ success: true });
    expect(fake.templates.byId(promo.id)?.status).toBe("APPROVED");
    await send(wa);
    // Meta's APPROVED status update for the unpause is understood too.
    await fake.webhooks.deliver(wa);
    await send(wa);
  });

  it("unpausing a template that is not paused answers success: false with Meta's reason", async () => {
    const { wa, promo } = world();
    expect(await wa.templates.unpause(promo.id)).toEqual({
      success: false,
      reason: "Template is APPROVED, not PAUSED",
    });
  });
});

describe("wa.templates.delete", () => {
  it("empties the policy's template cache: a send of the deleted template is refused locally", async () => {
    const { fake, wa, promo } = world();
    await send(wa);
    const sent = fake.messaging.sent.length;
    await wa.templates.delete({ name: "promo", id: promo.id });
    await expect(send(wa)).rejects.toMatchObject({ code: "policy_template" });
    expect(fake.messaging.sent.length).toBe(sent);
  });
});
