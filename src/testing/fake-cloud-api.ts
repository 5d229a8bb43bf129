import { MEDIA_HEAD_BYTES, mediaProblem } from "../api/media-limits.js";
import type { Clock } from "../state/clock.js";
import { systemClock } from "../state/clock.js";
import type { TransportRequest, TransportResponse } from "../transport/types.js";
import { FakeBlockList } from "./fake-block-list.js";
import { blockUsersErrorResponse, errorResponse, type FakeErrorSpec, jsonResponse } from "./fake-errors.js";
import {
  type DropMode,
  deliveryError,
  FakeFaults,
  type FakeOperation,
  type FaultOptions,
} from "./fake-faults.js";
import { type FakeEntityHealth, FakeHealth, type FakeHealthEntity } from "./fake-health.js";
import { type FakeDeliveryError, FakeMessaging } from "./fake-messaging.js";
import { type FakeBusinessProfile, handleProfile } from "./fake-profile.js";
import { FakeTemplates } from "./fake-template-store.js";
import { FakeUploads } from "./fake-uploads.js";
import { FakeWebhooks } from "./fake-webhooks.js";

export type { DropMode, FakeOperation, FaultOptions } from "./fake-faults.js";

export interface FakeCloudApiOptions {
  /** The token requests must carry; anything else gets 190. @default "test-token" */
  accessToken?: string;
  /** @default "100000000000001" */
  phoneNumberId?: string;
  /** The business number itself, digits only. @default "15550001111" */
  displayPhoneNumber?: string;
  /** @default "200000000000001" */
  wabaId?: string;
  /** Shared with the client so windows and limits agree. @default systemClock */
  clock?: Clock;
  /** Messages per second per phone number before 130429. 80 by default, 20 for coexistence, up to 1000. */
  throughputPerSecond?: number;
  /**
   * Which recipients are on WhatsApp. `"all"`: any valid number; a list: only those (wa_ids,
   * digits only) — others get 131026. @default "all"
   */
  recipients?: "all" | string[];
  /** Status of templates created through the API. @default "PENDING" */
  createdTemplateStatus?: "PENDING" | "APPROVED";
  /**
   * Templates the WABA may hold, each language counting (then 2388019): 250 for an unverified
   * portfolio, up to 6,000 for a verified one. @default 250
   */
  maxTemplates?: number;
  /** Business phone number state returned by `GET /<PHONE_NUMBER_ID>`. */
  phoneNumber?: Partial<FakePhoneNumberState>;
  /** The Meta app id (`/<APP_ID>/uploads`, the `APP` node of the health status). @default "400000000000001" */
  appId?: string;
  /** The business profile. @default a complete profile of "Fake Business" (about, address, e-mail, website, …) */
  profile?: FakeBusinessProfile;
  /** Webhooks are signed with it; give the client the same `appSecret`. @default "test-app-secret" */
  appSecret?: string;
  /** Queue the webhooks Meta would send. @default true */
  webhooks?: boolean;
}

export interface FakePhoneNumberState {
  verified_name: string;
  quality_rating: "GREEN" | "YELLOW" | "RED" | "UNKNOWN";
  status: string;
  name_status: string;
  code_verification_status: string;
  platform_type: string;
  throughput: { level: string };
  whatsapp_business_manager_messaging_limit: string;
  /** The webhook URL Meta posts to for this number (`application`: the app's). */
  webhook_configuration: { application: string };
}

/**
 * An in-memory simulation of the WhatsApp Cloud API: it keeps state and enforces Meta's rules
 * with Meta's error payloads. Plug it in with `fakeTransport(fake)` or serve it with
 * `startFakeServer(fake)`.
 */
export class FakeCloudApi {
  readonly clock: Clock;
  readonly accessToken: string;
  readonly phoneNumberId: string;
  readonly displayPhoneNumber: string;
  readonly wabaId: string;
  readonly phone: FakePhoneNumberState;
  /** Sends, inbound messages, windows, throughput and pair rate. */
  readonly messaging: FakeMessaging;
  /** The business number's block list. */
  readonly blocklist: FakeBlockList;
  /** The WABA's templates. */
  readonly templates: FakeTemplates;
  /** Webhooks Meta would send (statuses, inbound messages, preferences, template and account changes). */
  readonly webhooks: FakeWebhooks;
  /** Meta's messaging health status of the phone number, WABA, business and app. */
  readonly health: FakeHealth;
  /** The business profile users see (`/<PHONE_NUMBER_ID>/whatsapp_business_profile`); edit it freely. */
  readonly profile: FakeBusinessProfile;
  /** The Resumable Upload API of the app (`fake.uploads.appId`): sessions and the files uploaded. */
  readonly uploads: FakeUploads;
  /** Every request handled, in order (method and path only). */
  readonly requests: Array<{ method: string; path: string; at: number }> = [];
  readonly #authorization: string;
  readonly #faults = new FakeFaults();
  readonly #operationOf = (request: TransportRequest, body: unknown) => this.operationOf(request, body);
  #latencyMs = 0;
  readonly #media = new Map<string, { data: Uint8Array; mimeType: string }>();
  #mediaSeq = 0;

  constructor(options: FakeCloudApiOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.accessToken = options.accessToken ?? "test-token";
    this.#authorization = `Bearer ${this.accessToken}`;
    this.phoneNumberId = options.phoneNumberId ?? "100000000000001";
    this.displayPhoneNumber = options.displayPhoneNumber ?? "15550001111";
    this.wabaId = options.wabaId ?? "200000000000001";
    this.phone = {
      verified_name: "Fake Business",
      quality_rating: "GREEN",
      status: "CONNECTED",
      name_status: "APPROVED",
      code_verification_status: "VERIFIED",
      platform_type: "CLOUD_API",
      throughput: { level: "STANDARD" },
      whatsapp_business_manager_messaging_limit: "TIER_2K",
      webhook_configuration: { application: "https://example.com/webhooks" },
      ...options.phoneNumber,
    };
    this.profile = options.profile ?? {
      about: "Fake Business: answers within the hour",
      address: "1 Example Street, Springfield",
      description: "A business that exists only in tests.",
      email: "hello@fake-business.example",
      websites: ["https://fake-business.example/"],
      vertical: "RETAIL",
      profile_picture_url: "https://pps.whatsapp.net/fake/profile.jpg",
    };
    this.uploads = new FakeUploads(options.appId ?? "400000000000001");
    this.health = new FakeHealth({
      PHONE_NUMBER: this.phoneNumberId,
      WABA: this.wabaId,
      BUSINESS: "300000000000001",
      APP: this.uploads.appId,
    });
    this.templates = new FakeTemplates(
      options.createdTemplateStatus ?? "PENDING",
      this.clock,
      options.maxTemplates ?? 250,
    );
    this.messaging = new FakeMessaging(this.clock, this.templates, {
      throughputPerSecond: options.throughputPerSecond ?? 80,
      recipients: options.recipients ?? "all",
      businessNumber: this.displayPhoneNumber,
    });
    this.blocklist = new FakeBlockList(this.messaging, this.displayPhoneNumber);
    this.webhooks = new FakeWebhooks(
      this.clock,
      { wabaId: this.wabaId, phoneNumberId: this.phoneNumberId, displayPhoneNumber: this.displayPhoneNumber },
      options.appSecret ?? "test-app-secret",
    );
    this.webhooks.enabled = options.webhooks ?? true;
    this.webhooks.windowOpen = (waId) => this.messaging.windowOpen(waId);
    this.webhooks.identityOf = (id) => this.blocklist.identityOf(id);
    this.messaging.webhooks = this.webhooks;
  }

  /**
   * A template changes status (Meta reviewed, paused, disabled or reinstated it): the fake
   * applies it and queues `message_template_status_update`.
   */
  setTemplateStatus(
    name: string,
    language: string,
    event: "APPROVED" | "REJECTED" | "PAUSED" | "DISABLED" | "REINSTATED" | "PENDING_DELETION",
    reason = "NONE",
  ): void {
    const template = this.templates.find(name, language);
    if (!template) throw new Error(`FakeCloudApi: no template ${name} (${language})`);
    const status = event === "REINSTATED" ? "APPROVED" : event;
    this.templates.setStatus(name, status as Parameters<FakeTemplates["setStatus"]>[1], language);
    this.webhooks.queueChange("message_template_status_update", {
      event,
      message_template_id: Number(template.id),
      message_template_name: name,
      message_template_language: language,
      reason,
      message_template_category: template.category,
      // Meta explains a rejection (and what to change) beside the reason code.
      ...(event === "REJECTED" && {
        rejection_info: {
          reason: `The template was rejected (${reason}).`,
          recommendation: "Change the template as the reason says and submit it again.",
        },
      }),
    });
  }

  /**
   * Template pacing: Meta holds this template's sends for quality assessment
   * (`message_status: "held_for_quality_assessment"`, no status webhook yet). End it with
   * {@link releasePacedTemplate} or {@link pausePacedTemplate}.
   */
  paceTemplate(name: string, language: string): void {
    if (!this.templates.find(name, language))
      throw new Error(`FakeCloudApi: no template ${name} (${language})`);
    this.messaging.pace(name, language);
  }

  /** The assessment was good: the held messages go out (`sent`, `delivered` follow); pacing ends. */
  releasePacedTemplate(name: string, language: string): void {
    this.messaging.releaseHeld(name, language);
  }

  /**
   * The assessment was bad: the template is PAUSED (`message_template_status_update` queued) and
   * every held message fails with 132015 in a status webhook.
   */
  pausePacedTemplate(name: string, language: string): void {
    this.setTemplateStatus(name, language, "PAUSED");
    this.messaging.failHeld(name, language);
  }

  /**
   * Set a node's messaging health status as `GET /<PHONE_NUMBER_ID>?fields=health_status` reports
   * it: the overall status is BLOCKED if any node is, else LIMITED if any is. Every node is
   * AVAILABLE until set. (The fake's sends are not refused by it: wa-guard refuses locally once it
   * has read the status.)
   * @example fake.setHealth("WABA", { canSendMessage: "BLOCKED", errors: [{ code: 141006, description: "Payment method issue" }] })
   */
  setHealth(entity: FakeHealthEntity, health: FakeEntityHealth): this {
    this.health.set(entity, health);
    return this;
  }

  /**
   * Meta restricts the account (`account_update` ACCOUNT_RESTRICTION) until `untilMs`:
   * `RESTRICTED_BIZ_INITIATED_MESSAGING`, `RESTRICTED_CUSTOMER_INITIATED_MESSAGING`, ….
   * `expiration` is written as Unix seconds (the form in Meta's reference), or with
   * `{ expirationFormat: "date-time" }` as `"2026-04-19T13:59:20+0000"` (the form integrators
   * report receiving): test your handling of both.
   */
  restrictAccount(
    restrictionTypes: string[],
    untilMs: number,
    options: { expirationFormat?: "unix-seconds" | "date-time" } = {},
  ): void {
    const expiration =
      options.expirationFormat === "date-time"
        ? new Date(untilMs).toISOString().replace(/\.\d{3}Z$/, "+0000")
        : Math.floor(untilMs / 1000);
    this.webhooks.queueChange("account_update", {
      event: "ACCOUNT_RESTRICTION",
      restriction_info: restrictionTypes.map((restriction_type) => ({ restriction_type, expiration })),
    });
  }

  /**
   * The next `count` matching requests — sends, unless `options` say otherwise — fail with this
   * Graph error and change nothing; with `{ async: true }` the sends are accepted and fail later
   * in a status webhook.
   */
  failNext(count: number, error: number | FakeErrorSpec, options: FaultOptions = {}): this {
    this.#faults.failNext(count, error, options);
    return this;
  }

  /**
   * The next `count` matching requests lose their connection: `before_write` — nothing reaches
   * the fake (outcome not_sent in-process); `after_request` — the fake processes the request, then
   * the connection drops before the response (outcome unknown).
   */
  dropNext(count: number, mode: DropMode, options: Omit<FaultOptions, "async"> = {}): this {
    this.#faults.dropNext(count, mode, options);
    return this;
  }

  /** Forget every fault queued by `failNext` and `dropNext` that has not fired yet. */
  clearFaults(): this {
    this.#faults.clear();
    return this;
  }

  /** Every request takes this long (on the fake's clock). */
  setLatency(ms: number): this {
    this.#latencyMs = ms;
    return this;
  }

  /** @internal Used by transports: consumes a drop fault for this request, if one applies. */
  takeDrop(request: TransportRequest): DropMode | undefined {
    if (!this.#faults.hasDrops) return undefined;
    return this.#faults.take(request, "drop", parseBodyOnce(request), this.#operationOf)?.drop;
  }

  /** Which kind of request this is (see {@link FakeOperation}). */
  operationOf(request: TransportRequest, body?: unknown): Exclude<FakeOperation, "any"> | undefined {
    const segments = parseUrl(request.url).segments;
    if (segments[0] === "fake-media") return "media";
    const [, id, edge] = segments;
    if (id === this.phoneNumberId) {
      if (edge === "messages") {
        const b = body as { status?: unknown } | undefined;
        return b?.status === "read" ? "read" : "send";
      }
      if (edge === "block_users") return "block_users";
      if (edge === "media") return "media";
      if (edge === undefined || edge === "whatsapp_business_profile") return "phone_number";
      return undefined;
    }
    if (id === this.wabaId && edge === "message_templates") return "templates";
    if (id !== undefined && (edge === undefined || edge === "unpause") && this.templates.byId(id))
      return "templates";
    if (id !== undefined && this.#media.has(id)) return "media";
    return undefined;
  }

  /** Handle one request as Meta would. */
  async handle(request: TransportRequest): Promise<TransportResponse> {
    if (this.#latencyMs > 0) await this.clock.sleep(this.#latencyMs);
    const url = parseUrl(request.url);
    const segments = url.segments;
    this.requests.push({ method: request.method, path: url.pathname, at: this.clock.now() });
    // Upload sessions take Meta's `Authorization: OAuth <token>`; every other call a bearer token.
    const expected = segments[1]?.startsWith("upload:") ? `OAuth ${this.accessToken}` : this.#authorization;
    if (request.headers["authorization"] !== expected) {
      return errorResponse({
        code: 190,
        message: "Error validating access token",
        details: "The access token is invalid or expired",
      });
    }
    const body = readJson(request);
    const fault = this.#faults.take(request, "error", body, this.#operationOf);
    let failWith: FakeDeliveryError | undefined;
    if (fault?.spec && fault.async) failWith = deliveryError(fault.spec);
    else if (fault?.spec)
      return this.operationOf(request, body) === "block_users"
        ? blockUsersErrorResponse(fault.spec)
        : errorResponse(fault.spec);
    if (segments[0] === "fake-media" && segments[1]) return this.#download(segments[1]);
    const [version, id, edge, ...rest] = segments;
    if (!version || !/^v\d+\.\d$/.test(version) || !id || rest.length > 0) return unknownPath(url.pathname);
    if (id === this.phoneNumberId && edge === "messages" && request.method === "POST")
      return this.messaging.handlePost(body, failWith); // a send: no query to read
    const query = new URLSearchParams(url.search);
    if (id === this.phoneNumberId) {
      if (edge === "block_users") return this.blocklist.handle(request.method, body, query);
      if (edge === "media" && request.method === "POST") return this.#upload(request);
      if (edge === undefined && request.method === "GET") return this.#phoneNumber(query.get("fields"));
      if (edge === "whatsapp_business_profile")
        return handleProfile(this.profile, request.method, body, (h) => this.uploads.file(h));
      return unknownPath(url.pathname);
    }
    if (id === this.uploads.appId && edge === "uploads" && request.method === "POST")
      return this.uploads.open(query);
    if (id.startsWith("upload:") && edge === undefined)
      return this.uploads.handle(request.method, id, query, request.headers, request.body);
    if (id === this.wabaId && edge === "message_templates")
      return this.templates.handle(request.method, body, query);
    if (edge === undefined && this.templates.byId(id))
      return this.templates.handleOne(request.method, id, query, body);
    if (edge === "unpause" && request.method === "POST" && this.templates.byId(id)) {
      const { response, unpaused } = this.templates.unpause(id);
      const t = this.templates.byId(id)!;
      if (unpaused)
        this.webhooks.queueChange("message_template_status_update", {
          event: "APPROVED",
          message_template_id: Number(t.id),
          message_template_name: t.name,
          message_template_language: t.language,
          reason: "NONE",
          message_template_category: t.category,
          other_info: { title: "UNPAUSE", description: "Your WhatsApp message template has been unpaused." },
        });
      return response;
    }
    if (edge === undefined && this.#media.has(id)) return this.#mediaInfo(request.method, id, url.origin);
    return errorResponse({
      code: 100,
      message: "Invalid parameter",
      details: `Object with ID '${id}' does not exist`,
    });
  }

  #phoneNumber(fields: string | null): TransportResponse {
    const all: Record<string, unknown> = {
      ...this.phone,
      display_phone_number: this.displayPhoneNumber,
      id: this.phoneNumberId,
      health_status: this.health.payload(),
    };
    const wanted = fields
      ? fields
          .split(",")
          .map((f) => f.trim())
          .filter(Boolean)
      : ["verified_name", "display_phone_number", "quality_rating", "id"];
    const out: Record<string, unknown> = {};
    for (const field of wanted) {
      const name = field.replace(/\{.*\}$/, "");
      if (!(name in all)) {
        return errorResponse({
          code: 100,
          message: "Tried accessing nonexisting field",
          details: `Tried accessing nonexisting field (${name})`,
        });
      }
      out[name] = all[name];
    }
    out["id"] = this.phoneNumberId;
    return jsonResponse(out);
  }

  async #upload(request: TransportRequest): Promise<TransportResponse> {
    if (!(request.body instanceof FormData)) {
      return errorResponse({ code: 100, details: "Upload must be multipart/form-data" });
    }
    const form = request.body;
    const file = form.get("file");
    if (form.get("messaging_product") !== "whatsapp")
      return errorResponse({ code: 100, details: "messaging_product is required" });
    if (!(file instanceof Blob)) return errorResponse({ code: 131008, details: "file is required" });
    const mimeType = String(form.get("type") ?? file.type ?? "application/octet-stream");
    // Meta's limits per type; Meta answers an unsupported or oversized file with 131053.
    const head = new Uint8Array(await file.slice(0, MEDIA_HEAD_BYTES).arrayBuffer());
    const problem = mediaProblem(mimeType, file.size, head);
    if (problem)
      return errorResponse({ code: 131053, message: "Media upload error", details: problem.message });
    const id = String(9_000_000_000_000 + ++this.#mediaSeq);
    this.#media.set(id, { data: new Uint8Array(await file.arrayBuffer()), mimeType });
    return jsonResponse({ id });
  }

  #mediaInfo(method: string, id: string, origin: string): TransportResponse {
    const media = this.#media.get(id)!;
    if (method === "DELETE") {
      this.#media.delete(id);
      return jsonResponse({ success: true });
    }
    if (method !== "GET") return unknownPath(`/${id}`);
    return jsonResponse({
      messaging_product: "whatsapp",
      url: `${origin}/fake-media/${id}`,
      mime_type: media.mimeType,
      sha256: "",
      // A string, as Meta's media reference shows it.
      file_size: String(media.data.byteLength),
      id,
    });
  }

  #download(id: string): TransportResponse {
    const media = this.#media.get(id);
    if (!media) return { status: 404, headers: { "content-type": "text/plain" }, body: "Not found" };
    return { status: 200, headers: { "content-type": media.mimeType }, body: media.data };
  }
}

/** The JSON body of a request, for telling a send from a read receipt before the fake handles it. */
function parseBodyOnce(request: TransportRequest): unknown {
  if (typeof request.body !== "string" || !request.body.includes('"status"')) return undefined;
  try {
    return JSON.parse(request.body);
  } catch {
    return undefined;
  }
}

interface ParsedUrl {
  readonly origin: string;
  readonly pathname: string;
  readonly search: string;
  readonly segments: readonly string[];
}

// A client sends to a handful of URLs over and over; parsing each once keeps the fake cheap.
const parsedUrls = new Map<string, ParsedUrl>();

function parseUrl(raw: string): ParsedUrl {
  let parsed = parsedUrls.get(raw);
  if (parsed) return parsed;
  const url = new URL(raw);
  parsed = {
    origin: url.origin,
    pathname: url.pathname,
    search: url.search,
    segments: url.pathname.split("/").filter(Boolean).map(decodeURIComponent),
  };
  if (parsedUrls.size >= 1024) parsedUrls.clear();
  parsedUrls.set(raw, parsed);
  return parsed;
}

function unknownPath(pathname: string): TransportResponse {
  return errorResponse({
    code: 100,
    message: "Unsupported request",
    details: `Unsupported request: ${pathname}`,
  });
}

function readJson(request: TransportRequest): unknown {
  // Strings and bytes first: reading the global FormData loads the platform's fetch (~15 ms of a
  // cold start) in a process that never uses it.
  const body = request.body;
  if (body === undefined || (typeof body !== "string" && !(body instanceof Uint8Array))) return undefined;
  const text = typeof body === "string" ? body : new TextDecoder().decode(body);
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return Symbol.for("invalid-json");
  }
}
