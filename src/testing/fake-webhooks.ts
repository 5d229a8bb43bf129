import type { Clock } from "../state/clock.js";
import { signWebhookBody } from "../webhooks/verify.js";

/** Where {@link FakeWebhooks.deliver} sends notifications. */
export type FakeWebhookTarget =
  /**
   * A client (or anything with `webhooks.handle`), called in process; a `delivered` promise in
   * the result (the client's) is awaited, so its listeners have run.
   */
  | {
      webhooks: {
        handle(request: FakeWebhookRequest): Promise<{ status: number; delivered?: Promise<unknown> }>;
      };
    }
  /**
   * A fetch-style handler — `wa.webhooks.fetchHandler()`, a Hono app's `app.fetch`, a Workers
   * `fetch(request, env, ctx)` — called with an execution context as its second and third
   * argument (Hono and Workers read the third), and the work handed to its `waitUntil` (the
   * client's listeners) is awaited.
   */
  | ((
      request: Request,
      context: FakeExecutionContext,
      executionContext: FakeExecutionContext,
    ) => Response | Promise<Response>)
  /** A loopback URL, POSTed to over HTTP: only the answer is awaited (listeners may still run). */
  | string;

/** What the fake passes a fetch-style target as its execution context (as Cloudflare Workers do). */
export interface FakeExecutionContext {
  waitUntil(work: Promise<unknown>): void;
  passThroughOnException(): void;
  props: Record<string, unknown>;
}

/** A signed webhook request, as Meta would send it. */
export interface FakeWebhookRequest {
  method: "POST";
  query: string;
  headers: Record<string, string>;
  rawBody: string;
}

export interface FakeDelivery {
  payload: Record<string, unknown>;
  status: number;
}

/** Which statuses the fake reports for an accepted message. @default ["sent", "delivered"] */
export type FakeStatusFlow = Array<"sent" | "delivered" | "read">;

/**
 * Serialise like Meta: `/` as `\/` and every non-ASCII character as a `\uXXXX` escape (lower-case
 * hex, emoji as surrogate pairs). The signature covers exactly these bytes.
 */
export function encodeLikeMeta(payload: unknown): string {
  const json = JSON.stringify(payload);
  let out = "";
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c > 0x7e) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else if (c === 0x2f) out += "\\/";
    else out += json[i];
  }
  return out;
}

/**
 * `statuses[].pricing` under per-message pricing: service messages (only possible in the window)
 * and utility templates inside an open window are free customer service; everything else is
 * charged at the regular rate. (Free entry point windows and groups are not simulated.)
 */
function pricing(category: string, windowOpen: boolean): Record<string, unknown> {
  const free = category === "service" || (category === "utility" && windowOpen);
  return {
    billable: !free,
    pricing_model: "PMP",
    type: free ? "free_customer_service" : "regular",
    category,
  };
}

/**
 * The notifications Meta would send: status updates for the fake's messages, inbound
 * messages, marketing preferences, template and account changes — queued, signed with the app
 * secret, and delivered when the test says so.
 */
export class FakeWebhooks {
  /** Notifications not yet delivered, oldest first. */
  readonly pending: Array<Record<string, unknown>> = [];
  /** Statuses reported for each accepted message. */
  statusFlow: FakeStatusFlow = ["sent", "delivered"];
  /** When false nothing is queued (benchmarks, tests that never deliver). */
  enabled = true;
  /**
   * @internal Whether the user's customer service window is open (set by FakeCloudApi): it
   * decides the pricing type on statuses.
   */
  windowOpen: (waId: string) => boolean = () => false;
  /** @internal How Meta names a user in payloads (wa_id unless withheld, the BSUID when known). */
  identityOf: (id: string) => { waId?: string; userId?: string } = (id) =>
    /^[A-Z]{2}\./.test(id) ? { userId: id } : { waId: id };

  constructor(
    private readonly clock: Clock,
    private readonly ids: { wabaId: string; phoneNumberId: string; displayPhoneNumber: string },
    /** The app secret notifications are signed with. */
    readonly appSecret: string,
  ) {}

  /** A signed request for one payload: what Meta's POST would carry. */
  request(payload: unknown, options: { secret?: string } = {}): FakeWebhookRequest {
    const rawBody = encodeLikeMeta(payload);
    return {
      method: "POST",
      query: "",
      headers: {
        "content-type": "application/json",
        "x-hub-signature-256": signWebhookBody(rawBody, options.secret ?? this.appSecret),
      },
      rawBody,
    };
  }

  /**
   * Send every pending notification to `target`, one POST each, in order; the queue empties.
   * Resolves once each was answered and — for a client or a fetch handler — its listeners have
   * run, so an assertion right after `await deliver(wa)` sees what `wa.on(…)` handlers did.
   */
  async deliver(target: FakeWebhookTarget): Promise<FakeDelivery[]> {
    const batch = this.pending.splice(0);
    const out: FakeDelivery[] = [];
    // One POST after the other, as answered; the listeners of all of them are awaited at the end.
    const listeners: Promise<unknown>[] = [];
    for (const payload of batch) out.push({ payload, status: await this.#post(target, payload, listeners) });
    await Promise.allSettled(listeners);
    return out;
  }

  /**
   * POST one payload to `target` (signed); returns the HTTP status once it was answered and,
   * for a client or a fetch handler, its listeners have run.
   */
  async post(target: FakeWebhookTarget, payload: unknown): Promise<number> {
    const listeners: Promise<unknown>[] = [];
    const status = await this.#post(target, payload, listeners);
    await Promise.allSettled(listeners);
    return status;
  }

  async #post(target: FakeWebhookTarget, payload: unknown, listeners: Promise<unknown>[]): Promise<number> {
    const request = this.request(payload);
    if (typeof target === "string") {
      const res = await fetch(target, { method: "POST", headers: request.headers, body: request.rawBody });
      await res.arrayBuffer();
      return res.status;
    }
    if (typeof target === "function") {
      const context: FakeExecutionContext = {
        waitUntil: (p) => void listeners.push(p),
        passThroughOnException: () => undefined,
        props: {},
      };
      const res = await target(
        new Request("http://127.0.0.1/webhook", {
          method: "POST",
          headers: request.headers,
          body: request.rawBody,
        }),
        context,
        context,
      );
      await res.arrayBuffer();
      return res.status;
    }
    const answer = await target.webhooks.handle(request);
    if (answer.delivered) listeners.push(answer.delivered);
    return answer.status;
  }

  /** Queue a `messages`-field change. */
  queueMessages(value: Record<string, unknown>): Record<string, unknown> {
    return this.#queue("messages", {
      messaging_product: "whatsapp",
      metadata: {
        display_phone_number: this.ids.displayPhoneNumber,
        phone_number_id: this.ids.phoneNumberId,
      },
      ...value,
    });
  }

  /** Queue a change of any field, with `entry.time` (management fields carry it). */
  queueChange(field: string, value: Record<string, unknown>): Record<string, unknown> {
    return this.#queue(field, value, true);
  }

  /** Queue `user_preferences`: the user stopped or resumed marketing messages in WhatsApp. */
  queueUserPreference(waId: string, value: "stop" | "resume"): Record<string, unknown> {
    return this.#queue("user_preferences", {
      messaging_product: "whatsapp",
      metadata: {
        display_phone_number: this.ids.displayPhoneNumber,
        phone_number_id: this.ids.phoneNumberId,
      },
      contacts: [{ wa_id: waId }],
      user_preferences: [
        {
          wa_id: waId,
          detail: `User requested to ${value} marketing messages`,
          category: "marketing_messages",
          value,
          timestamp: this.#seconds(),
        },
      ],
    });
  }

  /** @internal A status for an accepted (or failed) message. */
  queueStatus(
    message: { id: string; waId: string; correlationId?: string; category?: string },
    status: string,
    error?: { code: number; title: string; details: string },
  ): void {
    // 2026: `recipient_user_id` whenever the user has a BSUID; `recipient_id` unless the number
    // is withheld; a `contacts` block beside sent / delivered / read statuses (not failed).
    const who = this.identityOf(message.waId);
    const s: Record<string, unknown> = {
      id: message.id,
      status,
      timestamp: String(this.#seconds()),
      ...(who.waId !== undefined && { recipient_id: who.waId }),
      ...(who.userId !== undefined && { recipient_user_id: who.userId }),
    };
    if (message.correlationId !== undefined) s["biz_opaque_callback_data"] = message.correlationId;
    // Meta prices a message on `sent` and on the first of delivered / read.
    const priced = status === "sent" || status === this.statusFlow.find((f) => f !== "sent");
    if (priced && message.category !== undefined) {
      s["pricing"] = pricing(message.category, this.windowOpen(message.waId));
    }
    if (error) {
      s["errors"] = [
        {
          code: error.code,
          title: error.title,
          message: error.title,
          error_data: { details: error.details },
          href: "/documentation/business-messaging/whatsapp/support/error-codes",
        },
      ];
    }
    const contacts =
      status !== "failed" && who.userId !== undefined
        ? [
            {
              profile: { name: "Test User" },
              ...(who.waId !== undefined && { wa_id: who.waId }),
              user_id: who.userId,
            },
          ]
        : undefined;
    this.queueMessages({ ...(contacts && { contacts }), statuses: [s] });
  }

  #seconds(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  #queue(field: string, value: Record<string, unknown>, withTime = false): Record<string, unknown> {
    const payload = {
      object: "whatsapp_business_account",
      entry: [
        { id: this.ids.wabaId, ...(withTime && { time: this.#seconds() }), changes: [{ value, field }] },
      ],
    };
    if (this.enabled) this.pending.push(payload);
    return payload;
  }
}
