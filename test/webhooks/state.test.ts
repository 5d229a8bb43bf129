import { describe, expect, it } from "vitest";
import { AccountRestrictedPolicyError, RecipientBlockedError } from "../../src/index.js";
import { connected } from "../helpers.js";

const USER = "+14165551234";
const WA_ID = "14165551234";

function setup(policy = {}) {
  const { clock, fake, wa } = connected({ client: { policy } });
  fake.templates.add({
    name: "notice",
    language: "en_US",
    category: "UTILITY",
    components: [{ type: "BODY", text: "Hi" }],
  });
  const post = async (field: string, value: Record<string, unknown>) => {
    const payload =
      field === "messages" ? fake.webhooks.queueMessages(value) : fake.webhooks.queueChange(field, value);
    fake.webhooks.pending.splice(0);
    const result = await wa.webhooks.handle(fake.webhooks.request(payload));
    expect(result.status).toBe(200);
    await result.delivered;
    return result;
  };
  const failed = (code: number) =>
    post("messages", {
      statuses: [
        {
          id: `wamid.f${code}`,
          status: "failed",
          timestamp: String(Math.floor(clock.now() / 1000)),
          recipient_id: WA_ID,
          errors: [{ code, title: "failed", error_data: { details: "d" } }],
        },
      ],
    });
  return { clock, fake, wa, post, failed };
}

describe("failed statuses teach the policy", () => {
  it("130403: the user is in the block mirror and the next send is refused locally", async () => {
    const { fake, wa, failed } = setup();
    fake.messaging.receiveMessage(USER, { text: "hi" });
    await fake.webhooks.deliver(wa);
    await failed(130403);
    await expect(wa.messages.sendText({ to: USER, body: "hello" })).rejects.toBeInstanceOf(
      RecipientBlockedError,
    );
  });

  it("131048: business-initiated sends pause", async () => {
    const { wa, failed } = setup();
    await wa.consent.grant(USER, { scope: "utility", source: "signup" });
    await failed(131048);
    await expect(
      wa.messages.sendTemplate({ to: USER, name: "notice", language: "en_US" }),
    ).rejects.toBeInstanceOf(AccountRestrictedPolicyError);
  });

  it("value-level 130429 errors count toward the storm pause", async () => {
    const { wa, post } = setup();
    for (let i = 0; i < 3; i++)
      await post("messages", { errors: [{ code: 130429, title: `Rate limit hit ${i}` }] });
    expect((await wa.account.health()).restrictions.map((r) => r.scope)).toEqual(["throughput"]);
  });
});

describe("template and account changes", () => {
  it("a category change to MARKETING makes the template need marketing consent", async () => {
    const { wa, fake, post } = setup();
    await wa.consent.grant(USER, { scope: "utility", source: "signup" });
    const check = async () =>
      (
        await wa.policy.check({ type: "template", to: USER, name: "notice", language: "en_US" })
      ).violations.map((v) => v.rule);
    expect(await check()).toEqual([]);
    const id = fake.templates.find("notice", "en_US")!.id;
    await post("template_category_update", {
      message_template_id: Number(id),
      message_template_name: "notice",
      message_template_language: "en_US",
      previous_category: "UTILITY",
      new_category: "MARKETING",
    });
    // Now a marketing template: it needs marketing consent, and it offers no way to unsubscribe.
    expect(await check()).toEqual(["template", "consent"]);
  });

  it("a quality update is kept on the cached template", async () => {
    const { wa, post } = setup();
    const cache = wa.policy.pipeline!.templates;
    await cache.refresh();
    await post("message_template_quality_update", {
      previous_quality_score: "GREEN",
      new_quality_score: "RED",
      message_template_name: "notice",
      message_template_language: "en-US",
    });
    expect((await cache.get("notice", "en_US"))?.qualityScore).toEqual({ score: "RED" });
  });

  it("FLAGGED pauses marketing; UNFLAGGED lifts it", async () => {
    const { wa, post } = setup();
    await post("phone_number_quality_update", { display_phone_number: "15550001111", event: "FLAGGED" });
    expect((await wa.account.health()).restrictions.map((r) => r.scope)).toEqual(["marketing"]);
    await post("phone_number_quality_update", { display_phone_number: "15550001111", event: "UNFLAGGED" });
    expect((await wa.account.health()).restrictions).toEqual([]);
  });

  it("a ban stops every send and reinstatement lifts it", async () => {
    const { clock, wa, fake, post } = setup();
    fake.messaging.receiveMessage(USER, { text: "hi" });
    await fake.webhooks.deliver(wa);
    await post("account_update", {
      event: "DISABLED_UPDATE",
      ban_info: { waba_ban_state: "DISABLE", waba_ban_date: "x" },
    });
    await expect(wa.messages.sendText({ to: USER, body: "hello" })).rejects.toBeInstanceOf(
      AccountRestrictedPolicyError,
    );
    clock.advance(1000);
    await post("account_update", {
      event: "DISABLED_UPDATE",
      ban_info: { waba_ban_state: "REINSTATE", waba_ban_date: "y" },
    });
    await expect(wa.messages.sendText({ to: USER, body: "hello" })).resolves.toMatchObject({
      messageId: expect.any(String),
    });
  });

  it("the messaging limit follows business_capability_update, without asking Meta", async () => {
    const { wa, fake, post } = setup({ messagingLimit: { tier: "auto" } });
    expect(fake.phone.whatsapp_business_manager_messaging_limit).toBe("TIER_2K");
    await post("business_capability_update", { max_daily_conversations_per_business: "TIER_250" });
    const users = Array.from({ length: 251 }, (_, i) => `+1416555${String(i).padStart(4, "0")}`);
    const outcomes: string[] = [];
    for (const to of users) {
      await wa.consent.grant(to, { scope: "utility", source: "signup" });
      outcomes.push(
        await wa.messages.sendTemplate({ to, name: "notice", language: "en_US" }).then(
          () => "sent",
          (e: { rule?: string }) => e.rule ?? "error",
        ),
      );
    }
    expect(outcomes.slice(0, 250).every((o) => o === "sent")).toBe(true);
    expect(outcomes[250]).toBe("messaging-limit");
    expect(fake.requests.some((r) => r.method === "GET" && r.path.endsWith(fake.phoneNumberId))).toBe(false);
  });

  it("a batch of 1,000 changes is processed in one delivery", async () => {
    const { clock, wa, fake } = setup();
    const seen: string[] = [];
    wa.on("message", (m) => void seen.push(m.id));
    const t = String(Math.floor(clock.now() / 1000));
    const changes = Array.from({ length: 1000 }, (_, i) => ({
      field: "messages",
      value: {
        messaging_product: "whatsapp",
        messages: [
          {
            from: `1416555${String(i).padStart(4, "0")}`,
            id: `wamid.batch${i}`,
            timestamp: t,
            type: "text",
            text: { body: "hi" },
          },
        ],
      },
    }));
    const result = await wa.webhooks.handle(
      fake.webhooks.request({ object: "whatsapp_business_account", entry: [{ id: fake.wabaId, changes }] }),
    );
    expect(result).toMatchObject({ status: 200, duplicates: 0 });
    await result.delivered;
    expect(seen).toHaveLength(1000);
    expect((await wa.sessions.status("+14165550999")).open).toBe(true);
  });
});
