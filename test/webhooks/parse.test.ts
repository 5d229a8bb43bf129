import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type WebhookEvent, WhatsAppClient } from "../../src/index.js";

const dir = join(import.meta.dirname, "../fixtures/cloud-api");
const fixtures = readdirSync(dir).filter((f) => f.startsWith("webhook_") && f.endsWith(".json"));
const load = (name: string) => JSON.parse(readFileSync(join(dir, name), "utf8"));
const wa = new WhatsAppClient({ accessToken: "t", policy: false });

/** The change values and their elements, as they sit in the payload. */
function changes(payload: {
  entry: Array<{ changes: Array<{ field: string; value: Record<string, unknown> }> }>;
}) {
  return payload.entry.flatMap((e) => e.changes);
}

const expectedKind: Record<string, WebhookEvent["kind"][]> = {
  webhook_account_update_account_deleted: ["accountUpdate"],
  webhook_account_update_account_offboarded: ["accountUpdate"],
  webhook_account_update_account_restriction: ["accountUpdate"],
  webhook_account_update_disabled_update_reinstate: ["accountUpdate"],
  webhook_account_update_volume_tier_update: ["accountUpdate"],
  webhook_message_template_status_update_approved: ["templateUpdate"],
  webhook_message_template_status_update_rejected_invalid_format: ["templateUpdate"],
  webhook_messages_inbound_interactive_button_reply: ["message"],
  webhook_messages_inbound_text: ["message"],
  webhook_messages_status_failed_131049: ["status"],
  webhook_messages_status_sent_marketing_with_pricing: ["status"],
  webhook_messages_status_v24_minimal: ["status"],
  webhook_messages_value_errors_130429: ["error"],
  webhook_phone_number_quality_update_throughput_upgrade: ["qualityUpdate"],
  webhook_user_preferences_resume: ["optIn"],
};

describe("webhook parsing", () => {
  it("has an expectation for every webhook fixture", () => {
    expect(fixtures.map((f) => f.replace(/\.json$/, "")).sort()).toEqual(Object.keys(expectedKind).sort());
  });

  it.each(fixtures)("%s parses into the right event with nothing lost", (file) => {
    const payload = load(file);
    const events = wa.webhooks.parse(payload);
    expect(events.map((e) => e.kind)).toEqual(expectedKind[file.replace(/\.json$/, "")]);
    const [change] = changes(payload);
    const event = events[0]!;
    // Nothing lost: the event carries the element exactly as Meta sent it.
    if (event.kind === "message") expect(event.message).toEqual((change!.value["messages"] as unknown[])[0]);
    else if (event.kind === "status") expect(event.raw).toEqual((change!.value["statuses"] as unknown[])[0]);
    else if ("value" in event) expect(event.value).toEqual(change!.value);
    if ("field" in event) expect(event.field).toBe(change!.field);
  });

  it("reads the fields handlers need from the fixtures", () => {
    const text = wa.webhooks.parse(load("webhook_messages_inbound_text.json"))[0];
    expect(text).toMatchObject({
      kind: "message",
      from: "16505551234",
      type: "text",
      text: "Does it come in another color?",
      profileName: "Sheena Nelson",
      timestamp: 1749416383000,
      phoneNumberId: "106540352242922",
      wabaId: "102290129340398",
    });
    const button = wa.webhooks.parse(load("webhook_messages_inbound_interactive_button_reply.json"))[0];
    expect(button).toMatchObject({
      kind: "message",
      type: "interactive",
      replyId: "change-button",
      text: "Change",
    });
    const failed = wa.webhooks.parse(load("webhook_messages_status_failed_131049.json"))[0];
    expect(failed).toMatchObject({ kind: "status", status: "failed", recipient: "16505551234" });
    expect(failed?.kind === "status" && failed.errors[0]).toMatchObject({
      code: 131049,
      details: expect.stringContaining("healthy ecosystem"),
    });
    const template = wa.webhooks.parse(
      load("webhook_message_template_status_update_rejected_invalid_format.json"),
    )[0];
    expect(template).toMatchObject({
      kind: "templateUpdate",
      change: "status",
      event: "REJECTED",
      name: "abandoned_cart",
      language: "en",
      templateId: "1689556908129835",
      reason: "INVALID_FORMAT",
      category: "MARKETING",
      timestamp: 1751247548000,
    });
    const quality = wa.webhooks.parse(load("webhook_phone_number_quality_update_throughput_upgrade.json"))[0];
    expect(quality).toMatchObject({
      kind: "qualityUpdate",
      event: "THROUGHPUT_UPGRADE",
    });
    // current_limit was removed in February 2026; on a throughput upgrade it is not a messaging limit.
    expect(quality).not.toHaveProperty("messagingLimit");
    const resume = wa.webhooks.parse(load("webhook_user_preferences_resume.json"))[0];
    expect(resume).toMatchObject({
      kind: "optIn",
      recipient: "16505551234",
      scope: "marketing",
      timestamp: 1731705721000,
    });
  });

  it("parses every inbound message type, keeping unknown fields", () => {
    const m = (type: string, body: Record<string, unknown>) => ({
      from: "16505551234",
      id: `wamid.${type}`,
      timestamp: "1750000000",
      type,
      ...body,
      future_field: { kept: true },
    });
    const messages = [
      m("text", { text: { body: "hi" }, context: { forwarded: true } }),
      m("image", { image: { id: "1", mime_type: "image/jpeg", sha256: "x", caption: "look" } }),
      m("audio", { audio: { id: "2", mime_type: "audio/ogg", voice: true } }),
      m("video", { video: { id: "3", mime_type: "video/mp4" } }),
      m("document", { document: { id: "4", filename: "a.pdf", mime_type: "application/pdf" } }),
      m("sticker", { sticker: { id: "5", animated: false, mime_type: "image/webp" } }),
      m("location", { location: { latitude: 1.5, longitude: 2.5, name: "Shop" } }),
      m("contacts", {
        contacts: [{ name: { formatted_name: "Ann" }, phones: [{ phone: "+1 650 555 0000" }] }],
      }),
      m("interactive", { interactive: { type: "list_reply", list_reply: { id: "row-1", title: "Row" } } }),
      m("button", {
        button: { payload: "UNSUB", text: "Stop promotions" },
        context: { from: "1555", id: "wamid.x" },
      }),
      m("reaction", { reaction: { message_id: "wamid.y", emoji: "👍" } }),
      m("order", { order: { catalog_id: "c", product_items: [{ product_retailer_id: "p", quantity: 1 }] } }),
      m("system", {
        system: { body: "User A changed from 1 to 2", type: "user_changed_number", wa_id: "2" },
      }),
      m("system", {
        system: { body: "User identity changed", type: "customer_identity_changed", identity: "x" },
        identity: { acknowledged: true, created_timestamp: 1750000000, hash: "h" },
      }),
      m("text", {
        text: { body: "from an ad" },
        referral: { source_url: "https://fb.me/x", source_type: "ad", source_id: "1", ctwa_clid: "c" },
      }),
      m("unsupported", {
        errors: [{ code: 131051, title: "Message type unknown", error_data: "not supported" }],
      }),
      m("request_welcome", {}),
    ];
    const events = wa.webhooks.parse({
      object: "whatsapp_business_account",
      entry: [
        { id: "1", changes: [{ field: "messages", value: { messaging_product: "whatsapp", messages } }] },
      ],
    });
    expect(events.map((e) => e.kind)).toEqual(messages.map(() => "message"));
    events.forEach((e, i) => {
      expect(e.kind === "message" && e.message).toEqual(messages[i]);
    });
    const byType = Object.fromEntries(events.map((e) => [e.kind === "message" ? e.message.id : "", e]));
    expect(byType["wamid.button"]).toMatchObject({ replyId: "UNSUB", text: "Stop promotions" });
    expect(byType["wamid.image"]).toMatchObject({ text: "look" });
  });

  it("parses statuses of every kind with pricing, conversation, errors and BSUID fields", () => {
    const statuses = ["sent", "delivered", "read", "played", "failed", "deleted"].map((status, i) => ({
      id: `wamid.s${i}`,
      status,
      timestamp: 1750000000 + i,
      recipient_id: "16505551234",
      recipient_user_id: "US.13491208655302741918",
      biz_opaque_callback_data: "wag_1",
      conversation: { id: "c", expiration_timestamp: "1750086400", origin: { type: "utility" } },
      pricing: { billable: false, pricing_model: "PMP", type: "free_customer_service", category: "service" },
      ...(status === "failed" && {
        errors: [{ code: 131050, title: "stopped", error_data: { details: "d" } }],
      }),
    }));
    const events = wa.webhooks.parse({
      object: "whatsapp_business_account",
      entry: [{ id: "1", changes: [{ field: "messages", value: { statuses } }] }],
    });
    expect(events.map((e) => (e.kind === "status" ? e.status : e.kind))).toEqual(
      statuses.map((s) => s.status),
    );
    expect(events[4]).toMatchObject({ correlationId: "wag_1", errors: [{ code: 131050, details: "d" }] });
  });

  it("turns management fields into events", () => {
    const entry = (field: string, value: unknown) => ({
      id: "1",
      time: 1750000000,
      changes: [{ field, value }],
    });
    const events = wa.webhooks.parse({
      object: "whatsapp_business_account",
      entry: [
        entry("message_template_quality_update", {
          previous_quality_score: "GREEN",
          new_quality_score: "RED",
          message_template_id: 1,
          message_template_name: "promo",
          message_template_language: "en_US",
        }),
        entry("template_category_update", {
          message_template_id: 1,
          message_template_name: "promo",
          message_template_language: "en_US",
          new_category: "MARKETING",
        }),
        entry("account_update", {
          event: "ACCOUNT_VIOLATION",
          violation_info: { violation_type: "SCAM" },
        }),
        entry("account_update", { event: "DISABLED_UPDATE", ban_info: { waba_ban_state: "DISABLE" } }),
        entry("business_capability_update", {
          max_daily_conversation_per_phone: 1000,
          max_phone_numbers_per_business: 2,
        }),
        entry("phone_number_name_update", { decision: "APPROVED" }),
      ],
    });
    expect(events.map((e) => e.kind)).toEqual([
      "templateUpdate",
      "templateUpdate",
      "accountUpdate",
      "accountUpdate",
      "accountUpdate",
      "unknown",
    ]);
    expect(events[0]).toMatchObject({ change: "quality", quality: "RED" });
    expect(events[1]).toMatchObject({ change: "category", category: "MARKETING" });
    expect(events[4]).toMatchObject({ event: "CAPABILITY_UPDATE" });
    expect(events[5]).toMatchObject({
      kind: "unknown",
      field: "phone_number_name_update",
      value: { decision: "APPROVED" },
    });
  });

  it("reads a field named like an object's own property as an unmodelled field", () => {
    // The fields are looked up in a table: a name such as "constructor" must not find anything.
    const events = wa.webhooks.parse({
      object: "whatsapp_business_account",
      entry: ["constructor", "__proto__", "toString", "hasOwnProperty"].map((field) => ({
        id: "1",
        changes: [{ field, value: { messages: [] } }],
      })),
    });
    expect(events.map((e) => [e.kind, e.kind === "unknown" && e.field])).toEqual([
      ["unknown", "constructor"],
      ["unknown", "__proto__"],
      ["unknown", "toString"],
      ["unknown", "hasOwnProperty"],
    ]);
  });

  it("turns malformed elements into unknown events and keeps the rest", () => {
    const events = wa.webhooks.parse({
      object: "whatsapp_business_account",
      entry: [
        {
          id: "1",
          changes: [
            {
              field: "messages",
              value: {
                messages: [
                  { type: "text" },
                  { id: "wamid.ok", from: "16505551234", type: "text", text: { body: "x" } },
                ],
                statuses: [{ status: "sent" }],
              },
            },
            { field: "messages" },
          ],
        },
        "garbage",
      ],
    });
    expect(events.map((e) => e.kind)).toEqual(["unknown", "message", "unknown", "unknown", "unknown"]);
    expect(events[0]).toMatchObject({ kind: "unknown", value: { type: "text" } });
  });

  it("never throws, whatever the payload", () => {
    const value = fc.dictionary(
      fc.constantFrom(
        "messages",
        "statuses",
        "errors",
        "contacts",
        "user_preferences",
        "calls",
        "metadata",
        "event",
      ),
      fc.anything(),
    );
    const payload = fc.record({
      object: fc.oneof(fc.constant("whatsapp_business_account"), fc.anything()),
      entry: fc.array(
        fc.record({
          id: fc.anything(),
          time: fc.anything(),
          changes: fc.array(
            fc.record({
              field: fc.oneof(
                fc.constantFrom(
                  "messages",
                  "account_update",
                  "user_preferences",
                  "message_template_status_update",
                  "phone_number_quality_update",
                  "calls",
                ),
                fc.string(),
              ),
              value,
            }),
          ),
        }),
      ),
    });
    fc.assert(
      fc.property(fc.oneof(payload, fc.anything()), (p) => {
        const events = wa.webhooks.parse(p);
        expect(Array.isArray(events)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
