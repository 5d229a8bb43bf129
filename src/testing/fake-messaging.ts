/**
 * The fake's messages endpoint: it answers a send by Meta's rules (`fake-send-rules.ts`), records
 * what it accepted, holds the sends of paced templates, and queues their status webhooks; the
 * users it sends to and hears from are simulated in `fake-users.ts`.
 */
import { isBsuid } from "../internal/recipients.js";
import type { Clock } from "../state/clock.js";
import type { TransportResponse } from "../transport/types.js";
import { errorResponse, jsonResponse } from "./fake-errors.js";
import {
  DELIVERY_ERRORS,
  deliveryFailure,
  type FakeDeliveryError,
  FakeSendRules,
  fakeIdentity,
  templateKey,
  wamid,
} from "./fake-send-rules.js";
import type { FakeTemplates } from "./fake-template-store.js";
import { type FakeInboundContent, type FakeInboundMessage, FakeUsers } from "./fake-users.js";
import type { FakeWebhooks } from "./fake-webhooks.js";

export { type FakeDeliveryError, fakeIdentity } from "./fake-send-rules.js";
export type { FakeInboundContent, FakeInboundMessage } from "./fake-users.js";

/** A message the fake accepted. */
export interface FakeSentMessage {
  id: string;
  /** Recipient as sent (`to` or `recipient`). */
  input: string;
  /** The identity Meta resolved: digits of the phone number, or the BSUID. */
  waId: string;
  type: string;
  /** The request body as received. */
  payload: Record<string, unknown>;
  correlationId?: string;
  at: number;
  /**
   * Meta accepted the message, then reported it `failed` in a status webhook with this error
   * (131026 not on WhatsApp, 131047 outside the window, 131049, 131050, or an injected code).
   */
  failed?: FakeDeliveryError;
  /** Held for quality assessment (template pacing): no status yet, until released or failed. */
  held?: boolean;
}

/** Sends, inbound messages, the 24-hour window, throughput and the pair rate limit. */
export class FakeMessaging {
  /** Every accepted send, in order. */
  readonly sent: FakeSentMessage[] = [];
  /** Every simulated inbound message, in order. */
  readonly inbound: FakeInboundMessage[];
  /** Identities the business has blocked (managed by the block list). */
  readonly blocked = new Set<string>();
  /** Users who stopped marketing messages: marketing templates are accepted, then fail with 131050. */
  readonly marketingStopped: Set<string>;
  /**
   * Users Meta's per-user marketing limit holds back (digits, or BSUIDs): marketing templates are
   * accepted, then fail with 131049.
   */
  readonly marketingCapped: Set<string>;
  /** Where status and inbound webhooks are queued (set by FakeCloudApi). */
  webhooks: FakeWebhooks | undefined;
  /** Paced templates (`name\u0000language`) and the messages they hold. */
  readonly #paced = new Map<string, FakeSentMessage[]>();
  readonly #users: FakeUsers;
  readonly #rules: FakeSendRules;

  constructor(
    private readonly clock: Clock,
    templates: FakeTemplates,
    options: {
      throughputPerSecond: number;
      recipients: "all" | string[];
      businessNumber: string;
    },
  ) {
    this.#rules = new FakeSendRules(clock, templates, options);
    this.#users = new FakeUsers(clock, options.recipients, {
      businessNumber: options.businessNumber,
      webhooks: () => this.webhooks,
      lastSentTo: (identity) => this.sent.findLast((s) => s.waId === identity),
    });
    this.inbound = this.#users.inbound;
    this.marketingStopped = this.#users.marketingStopped;
    this.marketingCapped = this.#users.marketingCapped;
  }

  /**
   * Simulate a user writing to the business: opens (or refreshes) the 24-hour window and queues
   * the `messages` webhook Meta would send.
   */
  receiveMessage(from: string, message: FakeInboundContent = {}): FakeInboundMessage {
    return this.#users.receiveMessage(from, message);
  }

  /** The user stopped (or resumed) marketing messages in WhatsApp; queues `user_preferences`. */
  setMarketingPreference(user: string, value: "stop" | "resume"): void {
    this.#users.setMarketingPreference(user, value);
  }

  /**
   * Meta paces a template: its sends are answered `message_status: "held_for_quality_assessment"`
   * and get no status until {@link releaseHeld} or {@link failHeld}.
   */
  pace(name: string, language: string): void {
    const key = `${name}\u0000${language}`;
    if (!this.#paced.has(key)) this.#paced.set(key, []);
  }

  /** Meta's assessment was good: pacing ends and the held messages go out (their statuses follow). */
  releaseHeld(name: string, language: string): FakeSentMessage[] {
    const held = this.#paced.get(`${name}\u0000${language}`) ?? [];
    this.#paced.delete(`${name}\u0000${language}`);
    for (const m of held) {
      m.held = false;
      this.#queueStatuses(m, this.#rules.category(m.type, m.payload));
    }
    return held;
  }

  /** Meta paused the template: pacing ends and every held message fails with 132015. */
  failHeld(name: string, language: string): FakeSentMessage[] {
    const held = this.#paced.get(`${name}\u0000${language}`) ?? [];
    this.#paced.delete(`${name}\u0000${language}`);
    for (const m of held) {
      m.held = false;
      m.failed = DELIVERY_ERRORS[132015];
      this.#queueStatuses(m, undefined);
    }
    return held;
  }

  /** When the user last wrote, or undefined. */
  lastInboundAt(recipient: string): number | undefined {
    return this.#users.lastInboundAt(recipient);
  }

  /** True while the user's 24-hour customer service window is open. */
  windowOpen(recipient: string): boolean {
    return this.#users.windowOpen(recipient);
  }

  /** Whether the recipient is on WhatsApp. */
  isOnWhatsApp(recipient: string): boolean {
    return this.#users.isOnWhatsApp(recipient);
  }

  /** Messages accepted for one recipient. */
  sentTo(recipient: string): FakeSentMessage[] {
    const identity = fakeIdentity(recipient);
    return this.sent.filter((m) => m.waId === identity);
  }

  /**
   * `POST /<PHONE_NUMBER_ID>/messages`: sends, mark-as-read and typing indicators. A send Meta
   * accepts but cannot deliver is answered 200 and reported `failed` in a status webhook;
   * `failWith` makes an accepted send fail that way with an injected error.
   */
  handlePost(body: unknown, failWith?: FakeDeliveryError): TransportResponse {
    if (typeof body !== "object" || body === null)
      return errorResponse({ code: 100, details: "Request body must be a JSON object" });
    const b = body as Record<string, unknown>;
    if (b["messaging_product"] !== "whatsapp")
      return errorResponse({ code: 100, details: "messaging_product must be whatsapp" });
    if (b["status"] === "read") {
      if (!this.inbound.some((m) => m.id === b["message_id"])) {
        return errorResponse({ code: 100, details: "Invalid message_id: no inbound message with this id" });
      }
      return jsonResponse({ success: true });
    }
    const error = this.#rules.check(b, this.blocked);
    if (error) return errorResponse(error);
    const input = String(b["to"] ?? b["recipient"]);
    const identity = fakeIdentity(input)!;
    const message: FakeSentMessage = {
      id: wamid(identity),
      input,
      waId: identity,
      type: String(b["type"]),
      payload: b,
      at: this.clock.now(),
    };
    if (typeof b["biz_opaque_callback_data"] === "string")
      message.correlationId = b["biz_opaque_callback_data"];
    const category = this.#rules.category(message.type, b);
    const failed = failWith ?? deliveryFailure(this.#users, identity, message.type, category);
    if (failed) message.failed = failed;
    const held =
      message.type === "template" && !failed ? this.#paced.get(templateKey(b["template"])) : undefined;
    this.sent.push(message);
    if (held) {
      message.held = true;
      held.push(message);
    } else this.#queueStatuses(message, category);
    const contact = isBsuid(identity) ? { input, user_id: identity } : { input, wa_id: identity };
    const result: Record<string, unknown> = { id: message.id };
    if (message.type === "template")
      result["message_status"] = held ? "held_for_quality_assessment" : "accepted";
    return jsonResponse({ messaging_product: "whatsapp", contacts: [contact], messages: [result] });
  }

  #queueStatuses(message: FakeSentMessage, category: string | undefined): void {
    const hooks = this.webhooks;
    if (!hooks?.enabled) return;
    if (message.failed) {
      hooks.queueStatus(message, "failed", message.failed);
      return;
    }
    for (const status of hooks.statusFlow)
      hooks.queueStatus({ ...message, ...(category !== undefined && { category }) }, status);
  }
}
