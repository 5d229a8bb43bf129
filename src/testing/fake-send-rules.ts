/**
 * Meta's rules for a send request, as the fake applies them: the identity a recipient resolves
 * to, the errors Meta answers at once (checked in Meta's order: the request's shape, content,
 * throughput, the block list, the pair rate, the template), and the failures it reports in a
 * status webhook after accepting a send. No user is simulated here (see `fake-users.ts`).
 */
import { isBsuid, plainDigits } from "../internal/recipients.js";
import { checkTemplateParameters } from "../internal/template-params.js";
import type { Clock } from "../state/clock.js";
import type { FakeErrorSpec } from "./fake-errors.js";
import type { FakeTemplates } from "./fake-template-store.js";

/** An error Meta reports in a `failed` status webhook. */
export interface FakeDeliveryError {
  code: number;
  title: string;
  details: string;
}

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
  // Digits alone (an identity already, or `+` and digits): the spelling of most sends, told
  // without patterns or a copy. Anything else goes the long way, which decides the same.
  const plain = plainDigits(recipient);
  if (plain !== undefined) return plain;
  if (isBsuid(recipient)) return recipient;
  if (!/^\+?[\d\s\-().]+$/.test(recipient)) return undefined;
  const digits = recipient.replace(/\D/g, "");
  return digits.length >= 5 && digits.length <= 15 ? digits : undefined;
}

// Unique per process (the sequence) and across processes (the salt), as fleet tests need.
const salt = Math.random().toString(36).slice(2, 10);
let seq = 0;
/** A message id in the form Meta gives (`wamid.HBgL…`), unique across processes. */
export function wamid(identity: string): string {
  seq++;
  const raw = `${identity}:${seq}:${salt}`;
  return `wamid.HBgL${btoa(raw).replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_")}`;
}

/** A template's key in the paced set: `name\u0000language`. */
export function templateKey(t: unknown): string {
  const template = t as { name?: unknown; language?: { code?: unknown } } | undefined;
  return `${String(template?.name)}\u0000${String(template?.language?.code)}`;
}

/** Meta's `failed` status errors for the failures it reports after accepting a send. */
export const DELIVERY_ERRORS: Record<131026 | 131047 | 131049 | 131050 | 132015, FakeDeliveryError> = {
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

/** What Meta knows of a user when it decides whether an accepted send reaches them. */
export interface FakeRecipientState {
  isOnWhatsApp(identity: string): boolean;
  /** The 24-hour customer service window is open. */
  windowOpen(identity: string): boolean;
  /** The user stopped marketing messages (131050). */
  readonly marketingStopped: ReadonlySet<string>;
  /** Meta's per-user marketing limit holds the user back (131049). */
  readonly marketingCapped: ReadonlySet<string>;
}

/**
 * Why Meta, having accepted the message, will report it failed — or undefined. Meta answers
 * these in a `failed` status webhook, not in the response (fact sheet §11).
 */
export function deliveryFailure(
  user: FakeRecipientState,
  identity: string,
  type: string,
  category: string | undefined,
): FakeDeliveryError | undefined {
  if (!user.isOnWhatsApp(identity)) return DELIVERY_ERRORS[131026];
  if (type !== "template" && !user.windowOpen(identity)) return DELIVERY_ERRORS[131047];
  if (category === "marketing" && user.marketingStopped.has(identity)) return DELIVERY_ERRORS[131050];
  if (category === "marketing" && user.marketingCapped.has(identity)) return DELIVERY_ERRORS[131049];
  return undefined;
}

/** The errors Meta answers a send request with at once, and the throughput and pair-rate meters they need. */
export class FakeSendRules {
  readonly #clock: Clock;
  readonly #templates: FakeTemplates;
  readonly #options: { throughputPerSecond: number; businessNumber: string };
  /**
   * Pair-rate buckets still refilling. A full bucket is what an absent one is, so those are swept
   * out when the map has doubled since the last sweep: a long campaign leaves only the recipients
   * sent to in the last few minutes, not one bucket each.
   */
  readonly #pair = new Map<string, { tokens: number; at: number }>();
  #sweepAt = 1024;
  #second = Number.NaN;
  #sentThisSecond = 0;

  constructor(
    clock: Clock,
    templates: FakeTemplates,
    options: { throughputPerSecond: number; businessNumber: string },
  ) {
    this.#clock = clock;
    this.#templates = templates;
    this.#options = options;
  }

  /** The pricing category of a send: `service` for free-form, the template's category otherwise. */
  category(type: string, b: Record<string, unknown>): string | undefined {
    if (type !== "template") return "service";
    const t = b["template"] as { name?: string; language?: { code?: string } };
    return this.#templates.find(String(t.name), String(t.language?.code))?.category.toLowerCase();
  }

  /**
   * The error Meta answers the send request `b` with, or undefined when it accepts it. A send
   * that passes the shape and content checks takes a throughput token (and a pair-rate token
   * after the block list), as Meta counts them.
   */
  check(b: Record<string, unknown>, blocked: ReadonlySet<string>): FakeErrorSpec | undefined {
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
    if (identity === this.#options.businessNumber)
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
    if (blocked.has(identity))
      return { code: 130403, details: "The business has blocked this user; unblock them first" };
    const pair = this.#takePair(identity);
    if (pair) return pair;
    if (type === "template") {
      const t = content as { name?: unknown; language?: { code?: unknown } };
      const category = this.#templates.find(String(t.name), String(t.language?.code))?.category;
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
    const template = this.#templates.find(name, language);
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
    const second = Math.floor(this.#clock.now() / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#sentThisSecond = 0;
    }
    if (this.#sentThisSecond >= this.#options.throughputPerSecond) {
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
    const now = this.#clock.now();
    let state = this.#pair.get(identity);
    if (state === undefined) {
      state = { tokens: PAIR_BURST, at: now };
      this.#pair.set(identity, state);
    }
    const tokens = Math.min(PAIR_BURST, state.tokens + (now - state.at) / PAIR_REFILL_MS);
    // Updated in place: one meter per recipient, not a new object per send.
    state.at = now;
    if (tokens < 1) {
      state.tokens = tokens;
      return {
        code: 131056,
        details:
          "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.",
      };
    }
    state.tokens = tokens - 1;
    if (this.#pair.size >= this.#sweepAt) this.#sweep(now);
    return undefined;
  }

  #sweep(now: number): void {
    for (const [identity, state] of this.#pair)
      if (state.tokens + (now - state.at) / PAIR_REFILL_MS >= PAIR_BURST) this.#pair.delete(identity);
    this.#sweepAt = Math.max(1024, 2 * this.#pair.size);
  }
}
