import { isBsuid } from "../internal/recipients.js";
import { checkTemplateParameters } from "../internal/template-params.js";
import type { Clock } from "../state/clock.js";
import type { TransportResponse } from "../transport/types.js";
import { errorResponse, type FakeErrorSpec, jsonResponse } from "./fake-errors.js";
import type { FakeTemplates } from "./fake-template-store.js";
import type { FakeWebhooks } from "./fake-webhooks.js";

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

/** An error Meta reports in a `failed` status webhook. */
export interface FakeDeliveryError {
  code: number;
  title: string;
  details: string;
}

/** A message "sent by a user" to the business through {@link FakeMessaging.receiveMessage}. */
export interface FakeInboundMessage {
  id: string;
  from: string;
  text?: string;
  at: number;
}

/** What the user sends: text, a tap on a template quick-reply button, or an interactive reply. */
export interface FakeInboundContent {
  text?: string;
  /** A template quick-reply tap (`type: "button"`). */
  button?: { payload: string; text: string };
  /** A reply-button or list-row tap (`type: "interactive"`). */
  reply?: { id: string; title: string; list?: boolean };
  /** The profile name Meta reports in `contacts[]`. @default "Test User" */
  profileName?: string;
}

const WINDOW_MS = 24 * 60 * 60 * 1000;
const PAIR_BURST = 45;
const PAIR_REFILL_MS = 6000;
const TYPES = new Set([
  "text",
  "image",
  "audio",
  "video",
  "document",
  "sticker",
  "location",
  "contacts",
  "reaction",
  "interactive",
  "template",
]);

/** Identity of a recipient as the fake keys it: phone digits, or a BSUID as is. */
export function fakeIdentity(recipient: string): string | undefined {
  if (isBsuid(recipient)) return recipient;
  if (!/^\+?[\d\s\-().]+$/.test(recipient)) return undefined;
  const digits = recipient.replace(/\D/g, "");
  return digits.length >= 5 && digits.length <= 15 ? digits : undefined;
}

// Unique per process (the sequence) and across processes (the salt), as fleet tests need.
const salt = Math.random().toString(36).slice(2, 10);
let seq = 0;
function wamid(identity: string): string {
  seq++;
  const raw = `${identity}:${seq}:${salt}`;
  return `wamid.HBgL${btoa(raw).replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_")}`;
}

/** Meta's `failed` status errors for the failures it reports after accepting a send. */
function templateKey(t: unknown): string {
  const template = t as { name?: unknown; language?: { code?: unknown } } | undefined;
  return `${String(template?.name)}\u0000${String(template?.language?.code)}`;
}

const DELIVERY_ERRORS: Record<131026 | 131047 | 131049 | 131050 | 132015, FakeDeliveryError> = {
  132015: {
    code: 132015,
    title: "Template is paused",
    details: "The template was paused after its pacing assessment; messages held for it are dropped.",
  },
  131026: {
    code: 131026,
    title: "Message undeliverable",
    details: "Message undeliverable: the recipient is not on WhatsApp",
  },
  131047: {
    code: 131047,
    title: "Re-engagement message",
    details:
      "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
  },
  131049: {
    code: 131049,
    title: "This message was not delivered to maintain healthy ecosystem engagement.",
    details: "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
  },
  131050: {
    code: 131050,
    title:
      "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.",
    details: "The user has stopped marketing messages from this business.",
  },
};

const MEDIA = new Set(["image", "audio", "video", "document", "sticker"]);

/** Meta's documented limits on message content (checked before rate limits, like a 100 / 131008). */
function checkContent(
  type: string,
  c: Record<string, unknown>,
  b: Record<string, unknown>,
): FakeErrorSpec | undefined {
  const opaque = b["biz_opaque_callback_data"];
  if (opaque !== undefined && (typeof opaque !== "string" || opaque.length > 512)) {
    return { code: 100, details: "biz_opaque_callback_data must be a string of at most 512 characters" };
  }
  if (MEDIA.has(type) && typeof c["id"] !== "string" && typeof c["link"] !== "string") {
    return { code: 131008, details: `${type} needs an id or a link` };
  }
  if (type === "interactive") {
    const body = (c["body"] as { text?: unknown } | undefined)?.text;
    if (c["type"] !== "cta_url" && c["type"] !== "list" && c["type"] !== "button")
      return { code: 131009, details: "Unsupported interactive type" };
    if (typeof body !== "string" || body.length === 0)
      return { code: 131008, details: "interactive.body.text is required" };
    const buttons = (c["action"] as { buttons?: unknown[] } | undefined)?.buttons;
    if (c["type"] === "button" && (!Array.isArray(buttons) || buttons.length === 0 || buttons.length > 3)) {
      return { code: 131009, details: "interactive reply buttons must number between 1 and 3" };
    }
  }
  return undefined;
}

/** Sends, inbound messages, the 24-hour window, throughput and the pair rate limit. */
export class FakeMessaging {
  /** Every accepted send, in order. */
  readonly sent: FakeSentMessage[] = [];
  /** Every simulated inbound message, in order. */
  readonly inbound: FakeInboundMessage[] = [];
  /** Identities the business has blocked (managed by the block list). */
  readonly blocked = new Set<string>();
  /** Users who stopped marketing messages: marketing templates are accepted, then fail with 131050. */
  readonly marketingStopped = new Set<string>();
  /**
   * Users Meta's per-user marketing limit holds back (digits, or BSUIDs): marketing templates are
   * accepted, then fail with 131049.
   */
  readonly marketingCapped = new Set<string>();
  /** Where status and inbound webhooks are queued (set by FakeCloudApi). */
  webhooks: FakeWebhooks | undefined;
  readonly #lastInbound = new Map<string, number>();
  /** Paced templates (`name\u0000language`) and the messages they hold. */
  readonly #paced = new Map<string, FakeSentMessage[]>();
  readonly #users: Set<string> | undefined;
  readonly #pair = new Map<string, { tokens: number; at: number }>();
  #second = Number.NaN;
  #sentThisSecond = 0;

  constructor(
    private readonly clock: Clock,
    private readonly templates: FakeTemplates,
    private readonly options: {
      throughputPerSecond: number;
      recipients: "all" | string[];
      businessNumber: string;
    },
  ) {
    this.#users =
      options.recipients === "all" ? undefined : new Set(options.recipients.map((r) => fakeIdentity(r) ?? r));
  }

  /**
   * Simulate a user writing to the business: opens (or refreshes) the 24-hour window and queues
   * the `messages` webhook Meta would send.
   */
  receiveMessage(from: string, message: FakeInboundContent = {}): FakeInboundMessage {
    const identity = fakeIdentity(from);
    if (!identity)
      throw new Error(`FakeCloudApi.receiveMessage: ${JSON.stringify(from)} is not a phone number or BSUID`);
    this.#users?.add(identity);
    const inbound: FakeInboundMessage = { id: wamid(identity), from: identity, at: this.clock.now() };
    const text = message.text ?? message.button?.text ?? message.reply?.title;
    if (text !== undefined) inbound.text = text;
    this.inbound.push(inbound);
    this.#lastInbound.set(identity, inbound.at);
    if (this.webhooks?.enabled) {
      // 2026: `from_user_id` whenever the user has a BSUID; `from` and `wa_id` unless withheld.
      const who = this.webhooks.identityOf(identity);
      const m: Record<string, unknown> = {
        ...(who.waId !== undefined && { from: who.waId }),
        ...(who.userId !== undefined && { from_user_id: who.userId }),
        id: inbound.id,
        timestamp: String(Math.floor(inbound.at / 1000)),
      };
      const last = this.sent.findLast((s) => s.waId === identity);
      const context = last && { from: this.options.businessNumber, id: last.id };
      if (message.button)
        Object.assign(m, { type: "button", button: message.button, ...(context && { context }) });
      else if (message.reply) {
        const { list, ...reply } = message.reply;
        Object.assign(m, {
          type: "interactive",
          interactive: list
            ? { type: "list_reply", list_reply: reply }
            : { type: "button_reply", button_reply: reply },
          ...(context && { context }),
        });
      } else Object.assign(m, { type: "text", text: { body: message.text ?? "" } });
      this.webhooks.queueMessages({
        contacts: [
          {
            profile: { name: message.profileName ?? "Test User" },
            ...(who.waId !== undefined && { wa_id: who.waId }),
            ...(who.userId !== undefined && { user_id: who.userId }),
          },
        ],
        messages: [m],
      });
    }
    return inbound;
  }

  /** The user stopped (or resumed) marketing messages in WhatsApp; queues `user_preferences`. */
  setMarketingPreference(user: string, value: "stop" | "resume"): void {
    const identity = fakeIdentity(user);
    if (!identity) throw new Error(`FakeCloudApi: ${JSON.stringify(user)} is not a phone number or BSUID`);
    if (value === "stop") this.marketingStopped.add(identity);
    else this.marketingStopped.delete(identity);
    this.webhooks?.queueUserPreference(identity, value);
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
      this.#queueStatuses(m, this.#category(m, m.payload));
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
    const identity = fakeIdentity(recipient);
    return identity === undefined ? undefined : this.#lastInbound.get(identity);
  }

  /** True while the user's 24-hour customer service window is open. */
  windowOpen(recipient: string): boolean {
    const last = this.lastInboundAt(recipient);
    return last !== undefined && this.clock.now() - last < WINDOW_MS;
  }

  /** Whether the recipient is on WhatsApp. */
  isOnWhatsApp(recipient: string): boolean {
    const identity = fakeIdentity(recipient);
    return identity !== undefined && (this.#users === undefined || this.#users.has(identity));
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
    const error = this.#checkSend(b);
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
    const category = this.#category(message, b);
    const failed = failWith ?? this.#deliveryFailure(identity, message.type, category);
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

  /** The pricing category of a send: `service` for free-form, the template's category otherwise. */
  #category(message: FakeSentMessage, b: Record<string, unknown>): string | undefined {
    if (message.type !== "template") return "service";
    const t = b["template"] as { name?: string; language?: { code?: string } };
    return this.templates.find(String(t.name), String(t.language?.code))?.category.toLowerCase();
  }

  /**
   * Why Meta, having accepted the message, will report it failed — or undefined. Meta answers
   * these in a `failed` status webhook, not in the response (fact sheet §11).
   */
  #deliveryFailure(
    identity: string,
    type: string,
    category: string | undefined,
  ): FakeDeliveryError | undefined {
    if (!this.isOnWhatsApp(identity)) return DELIVERY_ERRORS[131026];
    if (type !== "template" && !this.windowOpen(identity)) return DELIVERY_ERRORS[131047];
    if (category === "marketing" && this.marketingStopped.has(identity)) return DELIVERY_ERRORS[131050];
    if (category === "marketing" && this.marketingCapped.has(identity)) return DELIVERY_ERRORS[131049];
    return undefined;
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

  #checkSend(b: Record<string, unknown>): FakeErrorSpec | undefined {
    const recipient = b["to"] ?? b["recipient"];
    if (typeof recipient !== "string") return { code: 131008, details: "Required parameter 'to' is missing" };
    const type = b["type"] ?? "text";
    if (typeof type !== "string" || !TYPES.has(type))
      return { code: 131009, details: `Unsupported message type: ${String(type)}` };
    const content = b[type];
    if (typeof content !== "object" || content === null)
      return { code: 131008, details: `Required parameter '${type}' is missing` };
    const identity = fakeIdentity(recipient);
    if (!identity) return { code: 131009, details: "Parameter 'to' is not a valid phone number" };
    if (identity === this.options.businessNumber)
      return { code: 131021, details: "Sender and recipient phone number are the same" };
    if (type === "text") {
      const text = (content as { body?: unknown }).body;
      if (typeof text !== "string" || text.length === 0)
        return { code: 131008, details: "text.body is required" };
      if (text.length > 4096) return { code: 100, details: "text.body is longer than 4096 characters" };
    }
    const contentError = checkContent(type, content as Record<string, unknown>, b);
    if (contentError) return contentError;
    const throughput = this.#takeThroughput();
    if (throughput) return throughput;
    if (this.blocked.has(identity))
      return { code: 130403, details: "The business has blocked this user; unblock them first" };
    const pair = this.#takePair(identity);
    if (pair) return pair;
    if (type === "template") {
      const t = content as { name?: unknown; language?: { code?: unknown } };
      const category = this.templates.find(String(t.name), String(t.language?.code))?.category;
      if (isBsuid(identity) && category?.toUpperCase() === "AUTHENTICATION")
        return {
          code: 131062,
          details: "Authentication templates require a phone number recipient, not a business-scoped user id",
        };
      return this.#checkTemplate(content as Record<string, unknown>);
    }
    return undefined;
  }

  #checkTemplate(t: Record<string, unknown>): FakeErrorSpec | undefined {
    const name = t["name"];
    const language = (t["language"] as { code?: unknown } | undefined)?.code;
    if (typeof name !== "string" || typeof language !== "string") {
      return { code: 131008, details: "template.name and template.language.code are required" };
    }
    const template = this.templates.find(name, language);
    if (!template) return { code: 132001, details: `template name (${name}) does not exist in ${language}` };
    if (template.status === "PAUSED")
      return { code: 132015, details: `Template ${name} is paused because of low quality` };
    if (template.status === "DISABLED")
      return { code: 132016, details: `Template ${name} was paused too many times and is disabled` };
    if (template.status !== "APPROVED")
      return { code: 132001, details: `template name (${name}) is not approved in ${language}` };
    const components = Array.isArray(t["components"]) ? t["components"] : [];
    return checkTemplateParameters(template, components);
  }

  #takeThroughput(): FakeErrorSpec | undefined {
    const second = Math.floor(this.clock.now() / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#sentThisSecond = 0;
    }
    if (this.#sentThisSecond >= this.options.throughputPerSecond) {
      return {
        code: 130429,
        message: "Rate limit hit",
        details: "Cloud API message throughput has been reached.",
      };
    }
    this.#sentThisSecond++;
    return undefined;
  }

  #takePair(identity: string): FakeErrorSpec | undefined {
    const now = this.clock.now();
    const state = this.#pair.get(identity) ?? { tokens: PAIR_BURST, at: now };
    const tokens = Math.min(PAIR_BURST, state.tokens + (now - state.at) / PAIR_REFILL_MS);
    if (tokens < 1) {
      this.#pair.set(identity, { tokens, at: now });
      return {
        code: 131056,
        details:
          "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.",
      };
    }
    this.#pair.set(identity, { tokens: tokens - 1, at: now });
    return undefined;
  }
}
