import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isTransportError, SessionWindowClosedError, type WebhookEvent } from "../../src/index.js";
import { connected } from "../helpers.js";

/**
 * Webhook shapes Meta sends in 2026 (fact sheet §11): call statuses under `calls`, the impending
 * form of template_category_update, phone_number_quality_update without `current_limit`, group
 * messages, and pricing types on statuses.
 */

const USER = "+14165551234";
const WA_ID = "14165551234";
const fixture = (name: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, "../fixtures/cloud-api", name), "utf8"));

function setup() {
  const world = connected();
  const { fake, wa } = world;
  const sec = (ms: number) => String(Math.floor(ms / 1000));
  const post = async (payload: unknown) => {
    const result = await wa.webhooks.handle(fake.webhooks.request(payload));
    await result.delivered;
    expect(result.status).toBe(200);
    return result.events;
  };
  const change = (field: string, value: Record<string, unknown>, time?: number) => ({
    object: "whatsapp_business_account",
    entry: [{ id: fake.wabaId, ...(time !== undefined && { time }), changes: [{ field, value }] }],
  });
  /** Deliver what the fake queued, each delivery's listeners finished. */
  const flush = async () => {
    for (const payload of fake.webhooks.pending.splice(0)) await post(payload);
  };
  const metadata = { display_phone_number: fake.displayPhoneNumber, phone_number_id: fake.phoneNumberId };
  return { ...world, sec, post, flush, change, metadata };
}

describe("2026 webhook shapes", () => {
  describe("call statuses under `calls`", () => {
    const callStatus = (s: ReturnType<typeof setup>, status: string, extra: Record<string, unknown> = {}) =>
      s.change("calls", {
        messaging_product: "whatsapp",
        metadata: s.metadata,
        statuses: [
          {
            id: "wacid.HBgLMTIxODU1NTI4MjgVAgARGCAyODRQIAFRoA",
            timestamp: s.sec(s.clock.now()),
            type: "call",
            status,
            recipient_id: WA_ID,
            ...extra,
          },
        ],
      });

    it("are call events, not message statuses", async () => {
      const s = setup();
      const events = s.wa.webhooks.parse(callStatus(s, "RINGING", { biz_opaque_callback_data: "wag_x" }));
      expect(events.map((e) => e.kind)).toEqual(["call"]);
      expect(events[0]).toMatchObject({
        kind: "call",
        id: "wacid.HBgLMTIxODU1NTI4MjgVAgARGCAyODRQIAFRoA",
        status: "RINGING",
        recipient: WA_ID,
        field: "calls",
      });
      expect(events[0]).not.toHaveProperty("correlationId");
    });

    it("RINGING, ACCEPTED and REJECTED of one call are three events, not duplicates", async () => {
      const s = setup();
      const calls: string[] = [];
      const statuses: string[] = [];
      s.wa.on("call", (e) => void calls.push(e.status ?? "?"));
      s.wa.on("status", (e) => void statuses.push(e.status));
      for (const status of ["RINGING", "ACCEPTED", "REJECTED"]) await s.post(callStatus(s, status));
      expect(calls).toEqual(["RINGING", "ACCEPTED", "REJECTED"]);
      expect(statuses).toEqual([]);
    });

    it("their biz_opaque_callback_data never settles a message send of unknown outcome", async () => {
      const s = setup();
      s.fake.messaging.receiveMessage(USER, { text: "hi" });
      await s.fake.webhooks.deliver(s.wa);
      s.fake.dropNext(1, "after_request");
      const error = await s.wa.messages.sendText({ to: USER, body: "hello" }).catch((e: unknown) => e);
      expect(isTransportError(error) && error.outcome).toBe("unknown");
      const correlationId = (error as { correlationId: string }).correlationId;
      expect(s.wa.messages.outcome(correlationId)?.state).toBe("unknown");
      await s.post(callStatus(s, "ACCEPTED", { biz_opaque_callback_data: correlationId }));
      expect(s.wa.messages.outcome(correlationId)?.state).toBe("unknown");
    });

    it("a status with a wacid id or type call is a call event under `messages` too", () => {
      const s = setup();
      const events = s.wa.webhooks.parse(
        s.change("messages", {
          messaging_product: "whatsapp",
          statuses: [
            {
              id: "wacid.ABC",
              status: "RINGING",
              type: "call",
              recipient_id: WA_ID,
              timestamp: "1750000000",
            },
            { id: "wamid.DEF", status: "sent", recipient_id: WA_ID, timestamp: "1750000000" },
          ],
        }),
      );
      expect(events.map((e) => e.kind)).toEqual(["call", "status"]);
    });

    it("do not open the customer service window", async () => {
      const s = setup();
      await s.post(callStatus(s, "ACCEPTED"));
      expect((await s.wa.sessions.status(USER)).open).toBe(false);
    });
  });

  describe("template_category_update", () => {
    it("surfaces the impending category and when it takes effect; the current one stays in force", async () => {
      const s = setup();
      s.fake.templates.add({
        id: "278077987878781",
        name: "order_update",
        language: "en_US",
        category: "UTILITY",
        components: [{ type: "BODY", text: "Your order shipped" }],
      });
      const at = Math.floor(s.clock.now() / 1000);
      const events = await s.post(
        s.change(
          "template_category_update",
          {
            message_template_id: 278077987878781,
            message_template_name: "order_update",
            message_template_language: "en_US",
            correct_category: "MARKETING",
            new_category: "UTILITY",
            category_update_timestamp: at + 86_400,
          },
          at,
        ),
      );
      expect(events[0]).toMatchObject({
        kind: "templateUpdate",
        change: "category",
        category: "UTILITY",
        correctCategory: "MARKETING",
        categoryUpdateAt: (at + 86_400) * 1000,
      });
      const template = await s.wa.policy.pipeline!.templates.get("order_update", "en_US");
      expect(template?.category).toBe("UTILITY");
    });

    it("surfaces the previous category of a completed change", () => {
      const s = setup();
      const [event] = s.wa.webhooks.parse(
        s.change(
          "template_category_update",
          {
            message_template_id: 1,
            message_template_name: "order_update",
            message_template_language: "en_US",
            previous_category: "UTILITY",
            new_category: "MARKETING",
          },
          1750000000,
        ),
      );
      expect(event).toMatchObject({
        kind: "templateUpdate",
        category: "MARKETING",
        previousCategory: "UTILITY",
        timestamp: 1750000000000,
      });
      expect(event).not.toHaveProperty("correctCategory");
    });
  });

  describe("phone_number_quality_update", () => {
    it("a throughput upgrade's current_limit (TIER_UNLIMITED) does not lift the messaging limit", async () => {
      const s = setup();
      const pipeline = s.wa.policy.pipeline!;
      expect(await pipeline.messagingLimit()).toBe(2000);
      const events = await s.post(fixture("webhook_phone_number_quality_update_throughput_upgrade.json"));
      expect(events[0]).toMatchObject({ kind: "qualityUpdate", event: "THROUGHPUT_UPGRADE" });
      expect(events[0]).not.toHaveProperty("currentLimit");
      expect(await pipeline.messagingLimit()).toBe(2000);
    });

    it("takes the messaging limit from max_daily_conversations_per_business (tier or number)", async () => {
      const s = setup();
      const pipeline = s.wa.policy.pipeline!;
      const quality = (value: unknown, time: number) =>
        s.change(
          "phone_number_quality_update",
          {
            display_phone_number: s.fake.displayPhoneNumber,
            event: "ONBOARDING",
            max_daily_conversations_per_business: value,
          },
          time,
        );
      const [event] = await s.post(quality("TIER_10K", 1750000000));
      expect(event).toMatchObject({ kind: "qualityUpdate", messagingLimit: "TIER_10K" });
      expect(await pipeline.messagingLimit()).toBe(10_000);
      await s.post(quality(100000, 1750000001));
      expect(await pipeline.messagingLimit()).toBe(100_000);
    });
  });

  describe("group messages", () => {
    const groupText = (s: ReturnType<typeof setup>, id: string) =>
      s.change("messages", {
        messaging_product: "whatsapp",
        metadata: s.metadata,
        contacts: [{ profile: { name: "Sheena" }, wa_id: WA_ID }],
        messages: [
          {
            from: WA_ID,
            group_id: "Y2FwaV9ncm91cDoxNzA1NTU1MDEzOToxMjAzNjM0MDQ2OTQyMzM4MjAZD",
            id,
            timestamp: s.sec(s.clock.now()),
            type: "text",
            text: { body: "Does it come in another color?" },
          },
        ],
      });

    it("carry the group id and do not open a 1:1 window with the sender", async () => {
      const s = setup();
      const [event] = await s.post(groupText(s, "wamid.group1"));
      expect(event).toMatchObject({
        kind: "message",
        from: WA_ID,
        groupId: "Y2FwaV9ncm91cDoxNzA1NTU1MDEzOToxMjAzNjM0MDQ2OTQyMzM4MjAZD",
      });
      expect((await s.wa.sessions.status(USER)).open).toBe(false);
      await expect(s.wa.messages.sendText({ to: USER, body: "hi" })).rejects.toBeInstanceOf(
        SessionWindowClosedError,
      );
    });

    it("a STOP typed in a group still opts the sender out", async () => {
      const s = setup();
      await s.wa.consent.grant(USER, { scope: "marketing", source: "checkout-form" });
      const payload = groupText(s, "wamid.group2");
      (payload.entry[0]!.changes[0]!.value["messages"] as Array<{ text: { body: string } }>)[0]!.text.body =
        "STOP";
      await s.post(payload);
      expect((await s.wa.consent.status(USER, "marketing")).granted).toBe(false);
    });
  });

  describe("pricing on statuses", () => {
    it("is surfaced with Meta's types and categories, billable or not", () => {
      const s = setup();
      const pricing = [
        { billable: true, pricing_model: "PMP", type: "regular", category: "marketing" },
        { billable: false, pricing_model: "PMP", type: "free_customer_service", category: "service" },
        { pricing_model: "PMP", type: "free_entry_point", category: "referral_conversion" },
        { pricing_model: "PMP", type: "free_group_customer_service", category: "group_service" },
      ];
      const events = s.wa.webhooks.parse(
        s.change("messages", {
          messaging_product: "whatsapp",
          statuses: pricing.map((p, i) => ({
            id: `wamid.p${i}`,
            status: "sent",
            timestamp: "1750000000",
            recipient_id: WA_ID,
            pricing: p,
          })),
        }),
      );
      const got = events.map((e) => (e.kind === "status" ? e.pricing : undefined));
      expect(got).toEqual([
        { billable: true, model: "PMP", type: "regular", category: "marketing" },
        { billable: false, model: "PMP", type: "free_customer_service", category: "service" },
        { model: "PMP", type: "free_entry_point", category: "referral_conversion" },
        { model: "PMP", type: "free_group_customer_service", category: "group_service" },
      ]);
      const fixtureStatus = s.wa.webhooks.parse(
        fixture("webhook_messages_status_sent_marketing_with_pricing.json"),
      )[0];
      expect(fixtureStatus).toMatchObject({ pricing: { type: "regular", category: "marketing" } });
      const minimal = s.wa.webhooks.parse(fixture("webhook_messages_status_v24_minimal.json"))[0];
      expect(minimal).not.toHaveProperty("pricing");
    });

    it("the fake prices a reply in the window as free customer service, a marketing template as regular", async () => {
      const s = setup();
      s.fake.templates.add({
        name: "promo",
        language: "en_US",
        category: "MARKETING",
        components: [
          { type: "FOOTER", text: "Reply STOP to opt out" },
          { type: "BODY", text: "Sale" },
        ],
      });
      s.fake.templates.add({
        name: "shipped",
        language: "en_US",
        category: "UTILITY",
        components: [{ type: "BODY", text: "Shipped" }],
      });
      for (const scope of ["marketing", "utility"])
        await s.wa.consent.grant(USER, { scope, source: "checkout-form" });
      const statuses: Array<WebhookEvent & { kind: "status" }> = [];
      s.wa.on("status", (e) => void statuses.push(e));
      s.fake.messaging.receiveMessage(USER, { text: "hi" });
      await s.fake.webhooks.deliver(s.wa);
      await s.wa.messages.sendText({ to: USER, body: "hello" });
      await s.wa.messages.sendTemplate({ to: USER, name: "shipped", language: "en_US" });
      s.clock.advance(10_000);
      await s.wa.messages.sendTemplate({ to: USER, name: "promo", language: "en_US" });
      s.clock.advance(25 * 3_600_000);
      await s.wa.messages.sendTemplate({ to: USER, name: "shipped", language: "en_US" });
      await s.flush();
      const sent = statuses.filter((e) => e.status === "sent").map((e) => e.pricing);
      expect(sent).toEqual([
        { billable: false, model: "PMP", type: "free_customer_service", category: "service" },
        { billable: false, model: "PMP", type: "free_customer_service", category: "utility" },
        { billable: true, model: "PMP", type: "regular", category: "marketing" },
        { billable: true, model: "PMP", type: "regular", category: "utility" },
      ]);
    });
  });
});
