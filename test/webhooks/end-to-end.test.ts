import { describe, expect, it } from "vitest";
import {
  AccountRestrictedPolicyError,
  ConsentRequiredError,
  isTransportError,
  type OptInEvent,
  type OptOutEvent,
  SessionWindowClosedError,
  type StatusEvent,
  TemplateNotSendableError,
} from "../../src/index.js";
import { connected } from "../helpers.js";

const USER = "+14165551234";
const DAY = 24 * 60 * 60 * 1000;

/** A client with the default policy, wired to the fake through its webhooks as well as its API. */
function world() {
  const { clock, fake, wa } = connected({
    client: { policy: { consent: { unsubscribePayloads: ["STOP_PROMOS"] } } },
  });
  fake.templates.add({
    name: "promo",
    language: "en_US",
    category: "MARKETING",
    components: [
      { type: "FOOTER", text: "Reply STOP to opt out" },
      { type: "BODY", text: "Sale!" },
    ],
  });
  const optOuts: OptOutEvent[] = [];
  const optIns: OptInEvent[] = [];
  const statuses: StatusEvent[] = [];
  wa.on("optOut", (e) => void optOuts.push(e))
    .on("optIn", (e) => void optIns.push(e))
    .on("status", (e) => void statuses.push(e));
  /** Deliver every queued webhook and wait for the handlers. */
  const sync = async () => {
    for (const payload of fake.webhooks.pending.splice(0)) {
      const result = await wa.webhooks.handle(fake.webhooks.request(payload));
      expect(result.status).toBe(200);
      await result.delivered;
    }
  };
  const promo = () => wa.messages.sendTemplate({ to: USER, name: "promo", language: "en_US" });
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => "sent",
      (e: Error) => e.constructor.name,
    );
  return { clock, fake, wa, sync, promo, refusal, optOuts, optIns, statuses };
}

describe("webhooks keep the policy true, end to end through the fake", () => {
  it("the user writes → a free-form reply is allowed; 24 h later it is refused before Meta", async () => {
    const { clock, fake, wa, sync, refusal } = world();
    fake.messaging.receiveMessage(USER, { text: "Is my order on its way?" });
    await sync();
    expect(await refusal(wa.messages.sendText({ to: USER, body: "Yes, tomorrow." }))).toBe("sent");
    clock.advance(DAY);
    const before = fake.requests.length;
    await expect(wa.messages.sendText({ to: USER, body: "Anything else?" })).rejects.toBeInstanceOf(
      SessionWindowClosedError,
    );
    expect(fake.requests.length).toBe(before);
  });

  it.each([
    ["STOP", { text: "STOP" }],
    ["parar", { text: "parar" }],
    ["the configured unsubscribe button", { button: { payload: "STOP_PROMOS", text: "Stop promotions" } }],
  ])("%s → the next marketing template is refused", async (_name, content) => {
    const { fake, wa, sync, promo, refusal, optOuts } = world();
    await wa.consent.grant(USER, { scope: "marketing", source: "checkout-form" });
    expect(await refusal(promo())).toBe("sent");
    fake.messaging.receiveMessage(USER, content);
    await sync();
    expect(optOuts).toHaveLength(1);
    expect(await refusal(promo())).toBe(ConsentRequiredError.name);
  });

  it("Meta's marketing stop (user_preferences) refuses marketing; resume restores consent given before", async () => {
    const { fake, wa, sync, promo, refusal, optOuts, optIns } = world();
    await wa.consent.grant(USER, { scope: "marketing", source: "checkout-form" });
    fake.messaging.setMarketingPreference(USER, "stop");
    await sync();
    expect(optOuts[0]).toMatchObject({ scope: "marketing", source: "meta:user_preferences" });
    expect(await refusal(promo())).toBe(ConsentRequiredError.name);
    fake.messaging.setMarketingPreference(USER, "resume");
    await sync();
    expect(optIns[0]).toMatchObject({ granted: true });
    expect(await refusal(promo())).toBe("sent");
  });

  it("a resume never creates consent that was not given", async () => {
    const { fake, sync, promo, refusal, optIns } = world();
    fake.messaging.setMarketingPreference(USER, "stop");
    fake.messaging.setMarketingPreference(USER, "resume");
    await sync();
    expect(optIns[0]).toMatchObject({ granted: false });
    expect(await refusal(promo())).toBe(ConsentRequiredError.name);
  });

  it("a 131050 failure in a status webhook records the opt-out", async () => {
    const { fake, wa, sync, promo, refusal, optOuts, statuses } = world();
    await wa.consent.grant(USER, { scope: "marketing", source: "checkout-form" });
    fake.messaging.marketingStopped.add("14165551234"); // stopped without a user_preferences webhook
    expect(await refusal(promo())).toBe("sent"); // Meta accepts, then fails it
    await sync();
    expect(statuses.map((s) => s.status)).toEqual(["failed"]);
    expect(optOuts[0]).toMatchObject({ scope: "marketing", source: "meta:131050" });
    expect(await refusal(promo())).toBe(ConsentRequiredError.name);
  });

  it("a template paused by webhook is refused at once; reinstated, it is sent again once Meta's list confirms it", async () => {
    const { fake, wa, sync, promo, refusal } = world();
    await wa.consent.grant(USER, { scope: "marketing", source: "checkout-form" });
    expect(await refusal(promo())).toBe("sent"); // loads the template cache
    fake.setTemplateStatus("promo", "en_US", "PAUSED");
    await sync();
    const before = fake.requests.length;
    expect(await refusal(promo())).toBe(TemplateNotSendableError.name);
    expect(fake.requests.length).toBe(before); // refused from the cache the webhook updated
    fake.setTemplateStatus("promo", "en_US", "REINSTATED");
    await sync();
    const rules = async () =>
      (
        await wa.policy.check({ type: "template", to: USER, name: "promo", language: "en_US" })
      ).violations.map((v) => v.rule);
    expect(await rules()).not.toContain("template");
    // A lift is never taken from the webhook alone: Meta's list is read once to confirm it.
    expect(fake.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([
      expect.stringMatching(new RegExp(`^GET .*/${fake.wabaId}/message_templates`)),
    ]);
    fake.setTemplateStatus("promo", "en_US", "DISABLED");
    await sync();
    expect(await rules()).toContain("template");
  });

  it("an account restricted by webhook refuses business-initiated sends; replies still go", async () => {
    const { clock, fake, wa, sync, promo, refusal } = world();
    await wa.consent.grant(USER, { scope: "marketing", source: "checkout-form" });
    fake.messaging.receiveMessage(USER, { text: "hi" });
    fake.restrictAccount(["RESTRICTED_BIZ_INITIATED_MESSAGING"], clock.now() + DAY);
    await sync();
    expect(await refusal(promo())).toBe(AccountRestrictedPolicyError.name);
    expect(await refusal(wa.messages.sendText({ to: USER, body: "Happy to help" }))).toBe("sent");
    expect((await wa.account.health()).restrictions).toEqual([
      expect.objectContaining({
        scope: "business_initiated",
        source: "account_update:RESTRICTED_BIZ_INITIATED_MESSAGING",
      }),
    ]);
    clock.advance(DAY);
    expect(await refusal(promo())).toBe("sent");
  });

  it("an unknown send outcome is reconciled by the status webhook carrying its correlation id", async () => {
    const { fake, wa, sync, statuses } = world();
    fake.messaging.receiveMessage(USER, { text: "hi" });
    await sync();
    fake.dropNext(1, "after_request");
    const error = await wa.messages.sendText({ to: USER, body: "Your code is on its way" }).catch((e) => e);
    expect(isTransportError(error) && error.outcome).toBe("unknown");
    const correlationId = error.correlationId as string;
    expect(wa.messages.outcome(correlationId)).toMatchObject({ state: "unknown", to: USER });
    expect(fake.messaging.sent).toHaveLength(1); // Meta did take it
    await sync();
    expect(statuses.map((s) => [s.status, s.correlationId, s.reconciled])).toEqual([
      ["sent", correlationId, true],
      ["delivered", correlationId, true],
    ]);
    expect(wa.messages.outcome(correlationId)?.state).toBe("delivered");
  });
});
