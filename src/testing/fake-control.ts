import { FakeCloudApi, type FakeCloudApiOptions } from "./fake-cloud-api.js";
import { type ControlClock, controlClock } from "./fake-control-clock.js";
import { queueFault } from "./fake-control-faults.js";
import { ControlInput, FakeControlError, RECIPIENT } from "./fake-control-input.js";
import { WebhookDeliverer } from "./fake-control-webhooks.js";
import { type FakeInboundContent, fakeIdentity } from "./fake-messaging.js";
import type { FakeTemplateInput } from "./fake-template-store.js";
import type { FakeStatusFlow } from "./fake-webhooks.js";

export interface FakeControlOptions {
  /** Options of every {@link FakeCloudApi} built (at start and on reset); the clock is the control's. */
  api: Omit<FakeCloudApiOptions, "clock">;
  /** Wall-clock time that can be moved forward, or virtual time that stands still. */
  clock: "system" | "virtual";
  /** Start of virtual time (ms since the epoch). @default 2026-01-01T00:00:00Z */
  start?: number;
  /** Where webhooks go. */
  webhookUrl?: string;
  /** The `hub.verify_token` the fake sends in the subscription check. */
  verifyToken?: string;
  /** Deliver webhooks as soon as they are queued. @default false */
  autoDeliver?: boolean;
  /** How long one webhook POST may take. @default 10_000 */
  webhookTimeoutMs?: number;
  /** Where delivery failures of auto-delivered webhooks are reported. */
  log?: (line: string) => void;
}

export interface ControlResponse {
  status: number;
  body: unknown;
}

const TEMPLATE_EVENTS = [
  "APPROVED",
  "REJECTED",
  "PAUSED",
  "DISABLED",
  "REINSTATED",
  "PENDING_DELETION",
] as const;
const TEMPLATE_STATUSES = ["APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED"] as const;
const CATEGORIES = ["MARKETING", "UTILITY", "AUTHENTICATION"] as const;
const STATUS_FLOW = ["sent", "delivered", "read"] as const;
const TEMPLATE_NAME = {
  test: (s: string) => /^[a-z0-9_]{1,512}$/.test(s),
  describe: "lower-case letters, digits and _",
};
const HTTP_URL = {
  test: (s: string) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol),
  describe: "an http:// or https:// URL",
};

/**
 * The fake server's control API (`/_fake/...`): seed Meta-side state, inject faults, move the
 * clock, read what the fake received, deliver its webhooks, reset. Every answer is JSON; a bad
 * request gets 400 with `{ "error": { "message" } }` naming the problem.
 */
export class FakeControl {
  fake: FakeCloudApi;
  clock: ControlClock;
  webhookUrl: string | undefined;
  autoDeliver: boolean;
  readonly #options: FakeControlOptions;
  readonly #deliverer: WebhookDeliverer;
  readonly #routes: Record<string, (input: ControlInput, query: URLSearchParams) => unknown>;

  constructor(options: FakeControlOptions) {
    this.#options = options;
    this.webhookUrl = options.webhookUrl;
    this.#deliverer = new WebhookDeliverer(options.webhookTimeoutMs ?? 10_000);
    this.autoDeliver = options.autoDeliver ?? false;
    this.clock = controlClock(options.clock, options.start);
    this.fake = new FakeCloudApi({ ...options.api, clock: this.clock });
    this.#routes = {
      "GET /_fake": () => this.#summary(),
      "POST /_fake/reset": (b) => this.#reset(b),
      "GET /_fake/clock": () => this.#clockState(),
      "POST /_fake/clock": (b) => this.#moveClock(b),
      "GET /_fake/templates": () => ({ templates: this.fake.templates.all() }),
      "POST /_fake/templates": (b) => this.#addTemplate(b),
      "POST /_fake/templates/status": (b) => this.#templateStatus(b),
      "GET /_fake/inbound": () => ({ inbound: this.fake.messaging.inbound }),
      "POST /_fake/inbound": (b) => this.#inbound(b),
      "POST /_fake/users/marketing": (b) => this.#marketing(b),
      "POST /_fake/users/link": (b) => this.#link(b),
      "GET /_fake/blocklist": () => ({ users: this.fake.blocklist.list() }),
      "POST /_fake/account/restrict": (b) => this.#restrict(b),
      "POST /_fake/phone-number": (b) => this.#phoneNumber(b),
      "POST /_fake/faults": (b) => queueFault(this.fake, b),
      "DELETE /_fake/faults": () => {
        this.fake.clearFaults();
        return { cleared: true };
      },
      "POST /_fake/latency": (b) => this.#latency(b),
      "GET /_fake/messages": (_, q) => this.#sent(q),
      "GET /_fake/requests": () => ({ requests: this.fake.requests }),
      "GET /_fake/webhooks": () => this.#webhooks(),
      "POST /_fake/webhooks/config": (b) => this.#configureWebhooks(b),
      "POST /_fake/webhooks/deliver": (b) => this.#deliverRequest(b),
      "POST /_fake/webhooks/verify": (b) => this.#verify(b),
    };
  }

  /** Answer one control request. `rawBody` is the request body as received. */
  async handle(method: string, pathname: string, search: string, rawBody: string): Promise<ControlResponse> {
    const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
    const route = this.#routes[`${method} ${path}`];
    try {
      if (!route) {
        const allowed = Object.keys(this.#routes)
          .filter((r) => r.endsWith(` ${path}`))
          .map((r) => r.split(" ")[0]);
        if (allowed.length > 0)
          throw new FakeControlError(
            `${method} ${path}: method not allowed (use ${allowed.join(" or ")})`,
            405,
          );
        throw new FakeControlError(`${method} ${path}: no such control endpoint`, 404, {
          endpoints: Object.keys(this.#routes),
        });
      }
      let body: unknown;
      if (rawBody.trim() !== "") {
        try {
          body = JSON.parse(rawBody);
        } catch (error) {
          throw new FakeControlError(
            `${method} ${path}: the body is not valid JSON (${(error as Error).message})`,
          );
        }
      }
      const input = new ControlInput(body, `${method} ${path}`);
      const result = await route(input, new URLSearchParams(search));
      if (this.autoDeliver && path !== "/_fake/webhooks/deliver") await this.#autoDeliver();
      return { status: 200, body: result };
    } catch (error) {
      if (error instanceof FakeControlError)
        return {
          status: error.status,
          body: { error: { type: "FakeControlError", message: error.message }, ...error.extra },
        };
      return { status: 500, body: { error: { type: "InternalError", message: String(error) } } };
    }
  }

  /** After a Graph request: deliver what it queued, when delivering automatically. */
  afterGraphRequest(): void {
    if (this.autoDeliver) void this.#autoDeliver();
  }

  /** Resolves once no delivery is running (for shutdown). */
  async idle(): Promise<void> {
    await this.#deliverer.idle();
  }

  async #autoDeliver(): Promise<void> {
    const url = this.webhookUrl;
    if (!url || this.fake.webhooks.pending.length === 0) return;
    const records = await this.#deliverer.deliver(this.fake, url);
    for (const r of records.filter((r) => r.status !== 200))
      this.#options.log?.(
        `webhook ${r.field} to ${url}: ${r.error ?? `answered ${r.status}`}; kept for redelivery`,
      );
  }

  #summary(): unknown {
    const f = this.fake;
    return {
      phoneNumberId: f.phoneNumberId,
      wabaId: f.wabaId,
      displayPhoneNumber: f.displayPhoneNumber,
      clock: this.#clockState(),
      webhooks: {
        url: this.webhookUrl ?? null,
        autoDeliver: this.autoDeliver,
        pending: f.webhooks.pending.length,
      },
      counts: {
        sent: f.messaging.sent.length,
        inbound: f.messaging.inbound.length,
        templates: f.templates.all().length,
        blocked: f.blocklist.list().length,
        requests: f.requests.length,
      },
      endpoints: Object.keys(this.#routes),
    };
  }

  #reset(b: ControlInput): unknown {
    const recipients = b.array("recipients", "phone numbers");
    const throughputPerSecond = b.optionalInteger("throughputPerSecond", 1, 1000);
    const createdTemplateStatus = b.optionalOneOf("createdTemplateStatus", ["PENDING", "APPROVED"]);
    b.done();
    const api: FakeCloudApiOptions = { ...this.#options.api };
    if (recipients) {
      const bad = recipients.find((r) => typeof r !== "string" || !RECIPIENT.test(r));
      if (bad !== undefined)
        throw new FakeControlError(
          `POST /_fake/reset: "recipients" holds ${JSON.stringify(bad)}, not a phone number`,
        );
      api.recipients = recipients as string[];
    }
    if (throughputPerSecond !== undefined) api.throughputPerSecond = throughputPerSecond;
    if (createdTemplateStatus !== undefined) api.createdTemplateStatus = createdTemplateStatus;
    this.clock = controlClock(this.#options.clock, this.#options.start);
    this.fake = new FakeCloudApi({ ...api, clock: this.clock });
    this.#deliverer.deliveries.length = 0;
    return { reset: true, clock: this.#clockState() };
  }

  #clockState() {
    const now = this.clock.now();
    return { mode: this.clock.mode, now, iso: new Date(now).toISOString() };
  }

  #moveClock(b: ControlInput): unknown {
    const advanceMs = b.optionalInteger("advanceMs", 0);
    const set = b.has("set") ? b.time("set") : (b.optionalString("set") as undefined);
    b.done();
    if ((advanceMs === undefined) === (set === undefined))
      throw new FakeControlError(`POST /_fake/clock: give one of "advanceMs" (ms) or "set" (a time)`);
    if (advanceMs !== undefined) this.clock.advance(advanceMs);
    if (set !== undefined) this.clock.set(set);
    return this.#clockState();
  }

  #addTemplate(b: ControlInput): unknown {
    const input: FakeTemplateInput = {
      name: b.string("name", TEMPLATE_NAME),
      language: b.string("language"),
      category: b.oneOf("category", CATEGORIES),
      components: [{ type: "BODY", text: "Hello" }],
    };
    const components = b.array("components", "objects with a string type");
    const status = b.optionalOneOf("status", TEMPLATE_STATUSES);
    const format = b.optionalOneOf("parameterFormat", ["POSITIONAL", "NAMED"]);
    const quality = b.optionalOneOf("qualityScore", ["GREEN", "YELLOW", "RED", "UNKNOWN"]);
    b.done();
    if (components) {
      const i = components.findIndex((c) => typeof (c as { type?: unknown } | null)?.type !== "string");
      if (i >= 0 || components.length === 0)
        throw new FakeControlError(
          `POST /_fake/templates: "components" must be a non-empty array of objects with a string "type"${i >= 0 ? ` (item ${i} is not)` : ""}`,
        );
      input.components = components as FakeTemplateInput["components"];
    }
    if (status) input.status = status;
    if (format) input.parameterFormat = format;
    if (quality) input.qualityScore = quality;
    if (this.fake.templates.find(input.name, input.language))
      throw new FakeControlError(
        `POST /_fake/templates: template ${input.name} (${input.language}) already exists`,
      );
    return { template: this.fake.templates.add(input) };
  }

  #templateStatus(b: ControlInput): unknown {
    const name = b.string("name", TEMPLATE_NAME);
    const language = b.string("language");
    const status = b.oneOf("status", TEMPLATE_EVENTS);
    const reason = b.optionalString("reason");
    b.done();
    if (!this.fake.templates.find(name, language))
      throw new FakeControlError(`POST /_fake/templates/status: no template ${name} (${language})`);
    this.fake.setTemplateStatus(name, language, status, reason);
    return {
      template: this.fake.templates.find(name, language),
      webhooksPending: this.fake.webhooks.pending.length,
    };
  }

  #inbound(b: ControlInput): unknown {
    const from = b.string("from", RECIPIENT);
    const content: FakeInboundContent = {};
    const text = b.optionalString("text");
    const button = b.object("button");
    const reply = b.object("reply");
    const profileName = b.optionalString("profileName");
    b.done();
    if ([text, button, reply].filter((x) => x !== undefined).length !== 1)
      throw new FakeControlError(`POST /_fake/inbound: give exactly one of "text", "button" or "reply"`);
    if (text !== undefined) content.text = text;
    if (button) {
      content.button = { payload: button.string("payload"), text: button.string("text") };
      button.done();
    }
    if (reply) {
      content.reply = { id: reply.string("id"), title: reply.string("title") };
      if (reply.boolean("list")) content.reply.list = true;
      reply.done();
    }
    if (profileName !== undefined) content.profileName = profileName;
    return { message: this.fake.messaging.receiveMessage(from, content) };
  }

  #marketing(b: ControlInput): unknown {
    const user = b.string("user", RECIPIENT);
    const value = b.oneOf("value", ["stop", "resume"]);
    b.done();
    this.fake.messaging.setMarketingPreference(user, value);
    return { user: fakeIdentity(user), value };
  }

  #link(b: ControlInput): unknown {
    const phoneNumber = b.string("phoneNumber");
    const userId = b.string("userId");
    const numberWithheld = b.boolean("numberWithheld") ?? false;
    b.done();
    try {
      this.fake.blocklist.linkUser(phoneNumber, userId, { numberWithheld });
    } catch (error) {
      throw new FakeControlError(`POST /_fake/users/link: ${(error as Error).message}`);
    }
    return { linked: { phoneNumber: fakeIdentity(phoneNumber), userId, numberWithheld } };
  }

  #restrict(b: ControlInput): unknown {
    const types = b.array("restrictionTypes", "restriction types such as RESTRICTED_BIZ_INITIATED_MESSAGING");
    const until = b.time("until");
    b.done();
    if (!types || types.length === 0 || types.some((t) => typeof t !== "string" || !/^[A-Z_]+$/.test(t)))
      throw new FakeControlError(
        `POST /_fake/account/restrict: "restrictionTypes" must be a non-empty array of names such as "RESTRICTED_BIZ_INITIATED_MESSAGING"`,
      );
    this.fake.restrictAccount(types as string[], until);
    return { webhooksPending: this.fake.webhooks.pending.length };
  }

  #phoneNumber(b: ControlInput): unknown {
    const phone = this.fake.phone;
    const quality = b.optionalOneOf("quality_rating", ["GREEN", "YELLOW", "RED", "UNKNOWN"]);
    const strings = [
      "verified_name",
      "status",
      "name_status",
      "code_verification_status",
      "platform_type",
      "whatsapp_business_manager_messaging_limit",
    ] as const;
    const values = strings.map((k) => [k, b.optionalString(k)] as const);
    const throughput = b.optionalString("throughput_level");
    b.done();
    if (quality) phone.quality_rating = quality;
    for (const [k, v] of values) if (v !== undefined) phone[k] = v;
    if (throughput !== undefined) phone.throughput = { level: throughput };
    return { phoneNumber: phone };
  }

  #latency(b: ControlInput): unknown {
    const ms = b.integer("ms", 0, 60_000);
    b.done();
    this.fake.setLatency(ms);
    return { latencyMs: ms };
  }

  #sent(query: URLSearchParams): unknown {
    const to = query.get("to");
    if (to !== null && !RECIPIENT.test(to))
      throw new FakeControlError(
        `GET /_fake/messages: "to" must be a phone number or a BSUID, got ${JSON.stringify(to)}`,
      );
    return { messages: to === null ? this.fake.messaging.sent : this.fake.messaging.sentTo(to) };
  }

  #webhooks(): unknown {
    return {
      url: this.webhookUrl ?? null,
      autoDeliver: this.autoDeliver,
      statusFlow: this.fake.webhooks.statusFlow,
      pending: this.fake.webhooks.pending,
      delivered: this.#deliverer.deliveries,
    };
  }

  #configureWebhooks(b: ControlInput): unknown {
    const url = b.nullableString("url");
    const autoDeliver = b.boolean("autoDeliver");
    const flow = b.array("statusFlow", `"sent", "delivered" or "read"`);
    b.done();
    if (typeof url === "string" && !HTTP_URL.test(url))
      throw new FakeControlError(
        `POST /_fake/webhooks/config: "url" must be ${HTTP_URL.describe}, got ${JSON.stringify(url)}`,
      );
    if (flow?.some((s) => !STATUS_FLOW.includes(s as (typeof STATUS_FLOW)[number])))
      throw new FakeControlError(
        `POST /_fake/webhooks/config: "statusFlow" must list only "sent", "delivered" and "read", got ${JSON.stringify(flow)}`,
      );
    if (url !== undefined) this.webhookUrl = url ?? undefined;
    if (autoDeliver !== undefined) this.autoDeliver = autoDeliver;
    if (flow) this.fake.webhooks.statusFlow = flow as FakeStatusFlow;
    const { pending: _, delivered: __, ...config } = this.#webhooks() as Record<string, unknown>;
    return config;
  }

  #target(b: ControlInput, where: string): string {
    const url = b.optionalString("url", HTTP_URL) ?? this.webhookUrl;
    if (!url)
      throw new FakeControlError(
        `${where}: no webhook URL: start the server with --webhook-url, set it with POST /_fake/webhooks/config, or give "url"`,
      );
    return url;
  }

  async #deliverRequest(b: ControlInput): Promise<unknown> {
    const url = this.#target(b, "POST /_fake/webhooks/deliver");
    b.done();
    const records = await this.#deliverer.deliver(this.fake, url);
    const result = {
      delivered: records.map(({ field, status, error }) => ({
        field,
        ...(status !== undefined && { status }),
        ...(error && { error }),
      })),
      pending: this.fake.webhooks.pending.length,
    };
    const failed = records.find((r) => r.error !== undefined);
    if (failed)
      throw new FakeControlError(`could not deliver webhooks to ${url}: ${failed.error}`, 502, result);
    return result;
  }

  async #verify(b: ControlInput): Promise<unknown> {
    const url = this.#target(b, "POST /_fake/webhooks/verify");
    const token = b.optionalString("verifyToken") ?? this.#options.verifyToken;
    b.done();
    if (token === undefined)
      throw new FakeControlError(
        `POST /_fake/webhooks/verify: no verify token: start with --verify-token or give "verifyToken"`,
      );
    return this.#deliverer.verify(url, token);
  }
}
