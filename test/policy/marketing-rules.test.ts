import { describe, expect, it } from "vitest";
import { type ClientOptions, TemplateNotSendableError, WhatsAppClient } from "../../src/index.js";
import { FakeClock, FakeCloudApi, fakeTransport } from "../../src/testing/index.js";

// Marketing templates must offer a way out that the webhook listener understands, and are not
// sent to US numbers (Meta does not deliver them).
const CA = "+1 416 555 0101"; // Toronto
const US = "+1 650 555 0101"; // California
const UK = "+44 7700 900101";

type Components = Array<{ type: string; [key: string]: unknown }>;

function world(components: Components, policy: NonNullable<ClientOptions["policy"]> & object = {}) {
  const clock = new FakeClock();
  const fake = new FakeCloudApi({ clock });
  const warnings: string[] = [];
  const wa = new WhatsAppClient({
    accessToken: fake.accessToken,
    phoneNumberId: fake.phoneNumberId,
    wabaId: fake.wabaId,
    appSecret: fake.webhooks.appSecret,
    transport: fakeTransport(fake),
    clock,
    logger: { debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} },
    policy: { ...policy, consent: { unsubscribePayloads: ["UNSUB_PROMOS"], ...policy.consent } },
  });
  fake.templates.add({ name: "promo", language: "en_US", category: "MARKETING", components });
  fake.templates.add({
    name: "notice",
    language: "en_US",
    category: "UTILITY",
    components: [{ type: "BODY", text: "Your order shipped" }],
  });
  return { clock, fake, wa, warnings };
}

const BODY = { type: "BODY", text: "20% off today" };
const quickReplies = (...texts: string[]) => ({
  type: "BUTTONS",
  buttons: texts.map((text) => ({ type: "QUICK_REPLY", text })),
});

const promo = (to: string, extra: object = {}) => ({ to, name: "promo", language: "en_US", ...extra });

async function outcome(wa: WhatsAppClient, to: string, extra: object = {}) {
  await wa.consent.grant(to, { scope: "marketing", source: "form" });
  try {
    await wa.messages.sendTemplate(promo(to, extra));
    return "sent";
  } catch (error) {
    return error instanceof TemplateNotSendableError ? `refused: ${error.reason}` : String(error);
  }
}

describe("a marketing template must offer a way to unsubscribe", () => {
  it("refuses one that offers none, saying how to fix it, and nothing reaches Meta", async () => {
    const { fake, wa } = world([BODY, quickReplies("Shop now")]);
    expect(await outcome(wa, CA)).toMatch(
      /refused: marketing template "promo" offers no way to unsubscribe .*"Stop promotions".*"Reply STOP to opt out"/,
    );
    expect(fake.messaging.sent).toHaveLength(0);
  });

  it.each<[string, Components, object]>([
    ["Meta's opt-out quick reply", [BODY, quickReplies("Shop now", "Stop promotions")], {}],
    ["a quick reply whose text is an opt-out keyword", [BODY, quickReplies("STOP")], {}],
    ["a quick reply in another language's keyword", [BODY, quickReplies("Parar")], {}],
    [
      "a quick reply given a configured unsubscribe payload",
      [BODY, quickReplies("Shop now", "No more offers")],
      { buttons: [{ type: "quick_reply", index: 1, payload: "UNSUB_PROMOS" }] },
    ],
    ["a footer naming STOP", [BODY, { type: "FOOTER", text: "Reply STOP to opt out" }], {}],
    ["a footer in another language", [BODY, { type: "FOOTER", text: "Responda PARAR para sair" }], {}],
    ["a footer leading with the keyword", [BODY, { type: "FOOTER", text: "STOP to unsubscribe" }], {}],
    ["a lower-case instruction", [BODY, { type: "FOOTER", text: "reply stop to opt out" }], {}],
  ])("accepts %s", async (_name, components, extra) => {
    const { wa } = world(components);
    expect(await outcome(wa, CA, extra)).toBe("sent");
  });

  it.each<[string, Components, object]>([
    ["a lower-case stop in a sentence", [BODY, { type: "FOOTER", text: "Don't stop shopping!" }], {}],
    [
      "a footer saying unsubscribe without a keyword to send",
      [BODY, { type: "FOOTER", text: "Tap here to unsubscribe" }],
      {},
    ],
    [
      "a footer saying opt out without a keyword to send",
      [BODY, { type: "FOOTER", text: "Reply to opt out of offers" }],
      {},
    ],
    ["a quick reply without an unsubscribe text or payload", [BODY, quickReplies("Not interested")], {}],
    [
      "a payload that is not configured",
      [BODY, quickReplies("No more offers")],
      { buttons: [{ type: "quick_reply", index: 0, payload: "SOMETHING_ELSE" }] },
    ],
    [
      "a URL button saying stop",
      [BODY, { type: "BUTTONS", buttons: [{ type: "URL", text: "STOP", url: "https://x.example" }] }],
      {},
    ],
  ])("does not count %s", async (_name, components, extra) => {
    const { wa } = world(components);
    expect(await outcome(wa, CA, extra)).toMatch(/^refused: .*offers no way to unsubscribe/);
  });

  it("utility templates are not asked for one", async () => {
    const { wa } = world([BODY]);
    await wa.consent.grant(CA, { scope: "utility", source: "order" });
    await wa.messages.sendTemplate({ to: CA, name: "notice", language: "en_US" });
  });

  it('"warn" sends and warns once per template; "off" neither refuses nor warns', async () => {
    const warn = world([BODY], { template: { optOut: "warn" } });
    expect(await outcome(warn.wa, CA)).toBe("sent");
    expect(await outcome(warn.wa, UK)).toBe("sent");
    expect(warn.warnings).toEqual([expect.stringMatching(/promo.*offers no way to unsubscribe.*"warn"/)]);
    const off = world([BODY], { template: { optOut: "off" } });
    expect(await outcome(off.wa, CA)).toBe("sent");
    expect(off.warnings).toEqual([]);
  });

  // The guard and the listener agree: every button the guard counts as a way out is an opt-out
  // when tapped.
  it.each<[string, Components, object, { payload: string; text: string }]>([
    [
      "Stop promotions",
      [BODY, quickReplies("Stop promotions")],
      {},
      { payload: "Stop promotions", text: "Stop promotions" },
    ],
    [
      "Stop promotions with the business's own payload",
      [BODY, quickReplies("Stop promotions")],
      { buttons: [{ type: "quick_reply", index: 0, payload: "campaign-42" }] },
      { payload: "campaign-42", text: "Stop promotions" },
    ],
    ["STOP", [BODY, quickReplies("STOP")], {}, { payload: "STOP", text: "STOP" }],
    [
      "a configured payload",
      [BODY, quickReplies("No more offers")],
      { buttons: [{ type: "quick_reply", index: 0, payload: "UNSUB_PROMOS" }] },
      { payload: "UNSUB_PROMOS", text: "No more offers" },
    ],
  ])("a tap on the %s button the guard accepted is an opt-out", async (_name, components, extra, tap) => {
    const { fake, wa } = world(components);
    const other = "+44 7700 900102";
    expect(await outcome(wa, UK, extra)).toBe("sent");
    fake.messaging.receiveMessage(UK, { button: tap });
    await fake.webhooks.deliver(wa);
    await expect(wa.messages.sendTemplate(promo(UK, { ...extra, body: undefined }))).rejects.toMatchObject({
      rule: "consent",
    });
    expect(await outcome(wa, other, extra)).toBe("sent");
  });
});

describe("marketing templates to US numbers", () => {
  const OPT_OUT: Components = [BODY, { type: "FOOTER", text: "Reply STOP to opt out" }];

  it("are refused locally (Meta answers 131049); Canada, the UK and utility templates are not", async () => {
    const { fake, wa } = world(OPT_OUT);
    expect(await outcome(wa, US)).toMatch(/refused: marketing templates to US numbers .*131049.*usMarketing/);
    expect(await outcome(wa, "16505550102")).toMatch(/US numbers/);
    expect(fake.messaging.sent).toHaveLength(0);
    expect(await outcome(wa, CA)).toBe("sent");
    expect(await outcome(wa, UK)).toBe("sent");
    await wa.consent.grant(US, { scope: "utility", source: "order" });
    await wa.messages.sendTemplate({ to: US, name: "notice", language: "en_US" });
  });

  it('usMarketing: "allow" sends them, for when Meta changes its rule', async () => {
    const { wa } = world(OPT_OUT, { template: { usMarketing: "allow" } });
    expect(await outcome(wa, US)).toBe("sent");
  });

  it("a campaign plan counts them as refused by the template rule", async () => {
    const { wa } = world(OPT_OUT);
    for (const to of [US, CA]) await wa.consent.grant(to, { scope: "marketing", source: "form" });
    const plan = await wa.campaigns.plan({
      template: { name: "promo", language: "en_US" },
      recipients: [US, CA],
    });
    expect(plan).toMatchObject({ send: 1, refused: 1 });
  });
});
