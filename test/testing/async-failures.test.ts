/**
 * Failures Meta reports later: the send is accepted (200 + a wamid) and a `failed` status webhook
 * follows. What Meta refuses in the response stays a refusal.
 */
import { describe, expect, it } from "vitest";
import { type CampaignResult, type StatusEvent, TransportError } from "../../src/index.js";
import { number } from "../campaigns/world.js";
import { connected, setup, USER } from "../helpers.js";

interface Status {
  id: string;
  status: string;
  recipient_id: string;
  errors?: Array<{
    code: number;
    title: string;
    message: string;
    error_data: { details: string };
    href: string;
  }>;
}

/** Every status the fake has queued, in order. */
function statuses(pending: ReadonlyArray<Record<string, unknown>>): Status[] {
  return pending.flatMap(
    (p) =>
      (p as { entry: Array<{ changes: Array<{ value: { statuses?: Status[] } }> }> }).entry[0]!.changes[0]!
        .value.statuses ?? [],
  );
}

const err = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe("FakeCloudApi: failures Meta reports in a status webhook", () => {
  it("a free-form message outside the window is accepted, then fails with 131047 in Meta's status shape", async () => {
    const { fake, wa } = setup();
    const sent = await wa.messages.sendText({ to: USER, body: "hi" });
    expect(sent.messageId).toMatch(/^wamid\./);
    expect(statuses(fake.webhooks.pending)).toEqual([
      {
        id: sent.messageId,
        status: "failed",
        timestamp: expect.any(String),
        recipient_id: "14165551234",
        biz_opaque_callback_data: sent.correlationId,
        errors: [
          {
            code: 131047,
            title: expect.stringMatching(/Re-engagement/),
            message: expect.stringMatching(/Re-engagement/),
            error_data: { details: expect.stringMatching(/24 hours/) },
            href: "/documentation/business-messaging/whatsapp/support/error-codes",
          },
        ],
      },
    ]);
    expect(fake.messaging.sentTo(USER)[0]).toMatchObject({ id: sent.messageId, failed: { code: 131047 } });
  });

  it("a recipient not on WhatsApp: accepted, then failed with 131026 (no sent or delivered)", async () => {
    const { fake, wa } = setup({ recipients: [USER] });
    fake.templates.add({
      name: "hello",
      language: "en",
      category: "UTILITY",
      components: [{ type: "BODY", text: "Hello" }],
    });
    const ok = await wa.messages.sendTemplate({ to: USER, name: "hello", language: "en" });
    const gone = await wa.messages.sendTemplate({ to: "+16045550100", name: "hello", language: "en" });
    expect(gone.messageStatus).toBe("accepted");
    expect(statuses(fake.webhooks.pending).map((s) => [s.id, s.status, s.errors?.[0]?.code])).toEqual([
      [ok.messageId, "sent", undefined],
      [ok.messageId, "delivered", undefined],
      [gone.messageId, "failed", 131026],
    ]);
  });

  it("a marketing template to a user the per-user marketing limit holds back fails with 131049", async () => {
    const { fake, wa } = setup();
    fake.templates.add({
      name: "promo",
      language: "en",
      category: "MARKETING",
      components: [
        { type: "FOOTER", text: "Reply STOP to opt out" },
        { type: "BODY", text: "Sale" },
      ],
    });
    fake.templates.add({
      name: "notice",
      language: "en",
      category: "UTILITY",
      components: [{ type: "BODY", text: "Shipped" }],
    });
    fake.messaging.marketingCapped.add("14165551234");
    await wa.messages.sendTemplate({ to: USER, name: "promo", language: "en" });
    await wa.messages.sendTemplate({ to: USER, name: "notice", language: "en" });
    expect(statuses(fake.webhooks.pending).map((s) => [s.status, s.errors?.[0]?.code])).toEqual([
      ["failed", 131049],
      ["sent", undefined],
      ["delivered", undefined],
    ]);
  });

  it("what Meta refuses in the response stays synchronous: a blocked user (130403), a paused template (132015)", async () => {
    const { fake, wa } = setup();
    fake.templates.add({
      name: "hello",
      language: "en",
      category: "UTILITY",
      status: "PAUSED",
      components: [{ type: "BODY", text: "Hello" }],
    });
    fake.messaging.blocked.add("14165551234");
    expect(await err(wa.messages.sendTemplate({ to: USER, name: "hello", language: "en" }))).toMatchObject({
      graphCode: 130403,
    });
    fake.messaging.blocked.clear();
    expect(await err(wa.messages.sendTemplate({ to: USER, name: "hello", language: "en" }))).toMatchObject({
      graphCode: 132015,
    });
    expect(fake.webhooks.pending).toEqual([]);
    expect(fake.messaging.sent).toEqual([]);
  });
});

describe("the client with its policy on, fed by the fake's failed statuses", () => {
  it("131047: a reply the client thought in-window is accepted; the failed status closes the window and blocks or opts out no one", async () => {
    const { clock, fake, wa } = connected();
    fake.templates.add({
      name: "notice",
      language: "en_US",
      category: "UTILITY",
      components: [{ type: "BODY", text: "Shipped" }],
    });
    await wa.consent.grant(USER, { scope: "utility", source: "form" });
    // The client was told the user wrote (Meta never saw it): the window guard lets a reply through.
    await wa.sessions.recordInbound(USER);
    const reply = await wa.messages.sendText({ to: USER, body: "thanks!" });
    const seen: StatusEvent[] = [];
    wa.on("status", (s) => {
      seen.push(s);
    });
    for (const d of await fake.webhooks.deliver(wa)) expect(d.status).toBe(200);
    expect(seen.map((s) => [s.id, s.status, s.errors.map((e) => e.code)])).toEqual([
      [reply.messageId, "failed", [131047]],
    ]);
    // Meta says the window is closed: the next free-form message is refused locally.
    await expect(wa.messages.sendText({ to: USER, body: "still there?" })).rejects.toMatchObject({
      rule: "session-window",
    });
    // Not a block, not an opt-out: a template still goes to the user.
    await wa.messages.sendTemplate({ to: USER, name: "notice", language: "en_US" });
    expect(fake.messaging.sentTo(USER).map((m) => m.type)).toEqual(["text", "template"]);
    // When the user writes again, the window opens again.
    clock.advance(60_000);
    fake.messaging.receiveMessage(USER, { text: "yes" });
    await fake.webhooks.deliver(wa);
    await wa.messages.sendText({ to: USER, body: "great" });
  });

  it("131026 settles a send whose outcome was unknown as failed", async () => {
    const { fake, wa } = connected({ fake: { recipients: [] } });
    fake.templates.add({
      name: "notice",
      language: "en_US",
      category: "UTILITY",
      components: [{ type: "BODY", text: "Shipped" }],
    });
    await wa.consent.grant(USER, { scope: "utility", source: "form" });
    fake.dropNext(1, "after_request", { match: (r) => r.url.endsWith("/messages") });
    const e = await err(wa.messages.sendTemplate({ to: USER, name: "notice", language: "en_US" }));
    expect(e).toBeInstanceOf(TransportError);
    const correlationId = fake.messaging.sent[0]!.correlationId!;
    expect(wa.messages.outcome(correlationId)?.state).toBe("unknown");
    await fake.webhooks.deliver(wa);
    expect(wa.messages.outcome(correlationId)?.state).toBe("failed");
  });

  it("131050 from the fake opts the user out of marketing: the next promotion is refused locally", async () => {
    const { fake, wa } = connected();
    fake.templates.add({
      name: "promo",
      language: "en_US",
      category: "MARKETING",
      components: [
        { type: "FOOTER", text: "Reply STOP to opt out" },
        { type: "BODY", text: "Sale" },
      ],
    });
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    fake.messaging.marketingStopped.add("14165551234"); // stopped in WhatsApp; the webhook was lost
    await wa.messages.sendTemplate({ to: USER, name: "promo", language: "en_US" });
    await fake.webhooks.deliver(wa);
    expect(await err(wa.messages.sendTemplate({ to: USER, name: "promo", language: "en_US" }))).toMatchObject(
      {
        rule: "consent",
      },
    );
    expect(fake.messaging.sent).toHaveLength(1);
  });

  it("a campaign counts a 131026 recipient as sent; the failed status releases it for the next run", async () => {
    const [ana, ben] = [number(1), number(2)];
    const { fake, wa } = connected({
      fake: { recipients: [ana] },
      client: { policy: { messagingLimit: { tier: "unlimited" }, disable: ["frequency"] } },
    });
    fake.templates.add({
      name: "promo",
      language: "en_US",
      category: "MARKETING",
      components: [
        { type: "FOOTER", text: "Reply STOP to opt out" },
        { type: "BODY", text: "Sale" },
      ],
    });
    for (const to of [ana, ben]) await wa.consent.grant(to, { scope: "marketing", source: "form" });
    const template = { name: "promo", language: "en_US" };
    const first = await wa.campaigns.run({ id: "c1", template, recipients: [ana, ben] }).report();
    expect(first).toMatchObject({ sent: 2, failed: 0 });
    await fake.webhooks.deliver(wa);
    const again: CampaignResult[] = [];
    for await (const r of wa.campaigns.run({ id: "c1", template, recipients: [ana, ben] })) again.push(r);
    expect(again.map((r) => [r.to, r.status])).toEqual([
      [ana, "skipped"],
      [ben, "sent"],
    ]);
  });
});
