import { describe, expect, it } from "vitest";
import {
  ConsentRequiredError,
  ContentPolicyError,
  InvalidRecipientError,
  isPolicyViolation,
  parseRecipient,
  RecipientBlockedError,
  TemplateNotSendableError,
  WhatsAppClient,
} from "../../src/index.js";
import { FakeClock, FakeCloudApi, fakeTransport } from "../../src/testing/index.js";

const TO = "+14165550001";

function world() {
  const clock = new FakeClock();
  const fake = new FakeCloudApi({ clock });
  fake.templates.add({
    name: "order_update",
    language: "en_US",
    category: "UTILITY",
    components: [{ type: "BODY", text: "Your order {{1}} shipped" }],
  });
  const wa = new WhatsAppClient({
    accessToken: fake.accessToken,
    phoneNumberId: fake.phoneNumberId,
    wabaId: fake.wabaId,
    transport: fakeTransport(fake),
    clock,
  });
  const sends = () => fake.requests.filter((r) => r.path.endsWith("/messages")).length;
  return { fake, wa, sends };
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a refusal");
    },
    (e: unknown) => {
      if (!isPolicyViolation(e)) throw e;
      return e;
    },
  );

describe("when several guards refuse, the most specific cause is thrown", () => {
  it("a misspelt template name with only utility consent names the template, not marketing consent", async () => {
    const { wa, sends } = world();
    await wa.consent.grant(TO, { scope: "utility", source: "checkout" });
    const error = await refusal(
      wa.messages.sendTemplate({ to: TO, name: "order_updte", language: "en_US", body: ["42"] }),
    );
    expect(error).toBeInstanceOf(TemplateNotSendableError);
    expect(error.message).toMatch(/order_updte/);
    expect(error.message).not.toMatch(/^Refused by the consent/);
    // The other refusal stays available, after the main one.
    expect(error.violations.map((v) => v.rule)).toEqual(["template", "consent"]);
    expect(error.violations[0]).toBe(error);
    expect(error.violations[1]).toBeInstanceOf(ConsentRequiredError);
    expect(sends()).toBe(0);
  });

  it("a wrong language names the template and the languages it exists in", async () => {
    const { wa } = world();
    await wa.consent.grant(TO, { scope: "utility", source: "checkout" });
    const error = await refusal(
      wa.messages.sendTemplate({ to: TO, name: "order_update", language: "de", body: ["42"] }),
    );
    expect(error).toBeInstanceOf(TemplateNotSendableError);
    expect(error.reason).toMatch(/en_US/);
  });

  it("a misspelt name is offered the closest approved name", async () => {
    const { wa } = world();
    await wa.consent.grant(TO, { scope: "utility", source: "checkout" });
    const error = await refusal(
      wa.messages.sendTemplate({ to: TO, name: "order_updte", language: "en_US", body: ["42"] }),
    );
    expect(error.reason).toMatch(/did you mean "order_update"/);
  });

  it("content is reported before a closed window, and the recipient before everything", async () => {
    const { wa } = world();
    const content = await refusal(wa.messages.sendText({ to: TO, body: "pay here https://bit.ly/x" }));
    expect(content).toBeInstanceOf(ContentPolicyError);
    expect(content.violations.map((v) => v.rule)).toEqual(["content", "session-window"]);
    expect(content.message).toMatch(/also refused by: session-window/);

    const bad = await refusal(wa.messages.sendText({ to: "+1 416 555 123", body: "https://bit.ly/x" }));
    expect(bad).toBeInstanceOf(InvalidRecipientError);
    expect(bad.violations[0]).toBe(bad);
    expect(bad.violations.length).toBeGreaterThan(1);
  });

  it("a blocked user is reported before missing consent", async () => {
    const { wa } = world();
    // As a sync of Meta's block list would record it.
    await wa.policy.pipeline?.stores.blockMirror.add([parseRecipient(TO)?.key ?? TO]);
    const error = await refusal(
      wa.messages.sendTemplate({ to: TO, name: "order_update", language: "en_US", body: ["42"] }),
    );
    expect(error).toBeInstanceOf(RecipientBlockedError);
    expect(error.violations.map((v) => v.rule)).toEqual(["blocklist", "consent"]);
  });

  it("policy.check lists the violations in the same order, the thrown one first", async () => {
    const { wa } = world();
    await wa.consent.grant(TO, { scope: "utility", source: "checkout" });
    const verdict = await wa.policy.check({
      type: "template",
      to: TO,
      name: "order_updte",
      language: "en_US",
      body: ["42"],
    });
    expect(verdict.violations.map((v) => v.rule)).toEqual(["template", "consent"]);
  });

  it("the first line of the stack is the name and the whole message, the other refusals included", async () => {
    const { wa } = world();
    const error = await refusal(wa.messages.sendText({ to: TO, body: "pay now at https://bit.ly/x" }));
    expect(error.stack?.split("\n")[0]).toBe(`${error.name}: ${error.message}`);
    expect(error.message).toMatch(/also refused by: session-window/);
  });

  it("a single refusal lists only itself and keeps its message", async () => {
    const { wa } = world();
    const error = await refusal(
      wa.messages.sendTemplate({ to: TO, name: "order_update", language: "en_US", body: ["42"] }),
    );
    expect(error).toBeInstanceOf(ConsentRequiredError);
    expect(error.violations).toEqual([error]);
    expect(error.message).not.toMatch(/also refused/);
    expect(JSON.stringify(error)).not.toMatch(/violations/);
  });
});
