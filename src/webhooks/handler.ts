import { timingSafeEqual } from "node:crypto";
import type { EventEmitter } from "eventemitter3";
import type { Account } from "../api/phone-numbers.js";
import { campaignOf } from "../campaigns/run.js";
import type { WhatsAppError } from "../errors/base.js";
import { isWebhookVerificationError, WebhookVerificationError } from "../errors/webhook.js";
import type { ClientEvents } from "../events.js";
import type { Logger } from "../internal/logger.js";
import { describeError } from "../internal/logger.js";
import type { Consent, Sessions } from "../policy/consent.js";
import type { Policy } from "../policy/pipeline.js";
import { parseRecipient } from "../policy/recipient.js";
import type { TemplateUpdate } from "../policy/template-cache.js";
import type { RestrictionScope } from "../state/account-health.js";
import type { Clock } from "../state/clock.js";
import { DEDUP_TTL_MS } from "../state/webhook-dedup.js";
import type {
  AccountUpdateEvent,
  MessageEvent,
  OptInEvent,
  OptOutEvent,
  QualityUpdateEvent,
  StatusEvent,
  TemplateUpdateEvent,
  WebhookEvent,
} from "./events.js";
import { type ParsedEvent, type ParsedItem, parseWebhookPayload, toMs } from "./parse.js";
import { type RawBody, verifyWebhookSignature } from "./verify.js";

export interface WebhookOptions {
  /**
   * How long a processed event is remembered, so Meta's redeliveries (up to 7 days) reach
   * handlers once.
   * @default 604800000 (7 days)
   */
  dedupTtlMs?: number;
  /**
   * Larger bodies are refused with 413 before any work (Meta sends at most 3 MB).
   * @default 4194304 (4 MiB)
   */
  maxBodyBytes?: number;
}

/** Header values as Node (`IncomingHttpHeaders`) or fetch (`Headers`) give them. */
export type WebhookHeaders = Headers | Record<string, string | readonly string[] | undefined>;

/** A webhook HTTP request, framework-neutral. */
export interface WebhookRequest {
  method: string;
  /** The query: a URL, a `?a=b` string, `URLSearchParams`, or a parsed object (Express `req.query`). */
  query?: string | URLSearchParams | Record<string, unknown>;
  headers: WebhookHeaders;
  /** The body exactly as received. A parsed object is refused: the signed bytes are gone. */
  rawBody?: RawBody | Record<string, unknown>;
}

export interface WebhookResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
}

export interface WebhookResult extends WebhookResponse {
  /** The events of this delivery that were new (duplicates removed), in order. */
  events: WebhookEvent[];
  /** How many events of this delivery had been processed before. */
  duplicates: number;
  /** Why the request was refused, when it was. */
  error?: WhatsAppError | Error;
  /** Settles when every handler has run for every new event (never rejects). */
  delivered: Promise<void>;
}

export interface HandleOptions {
  /**
   * Serverless runtimes stop work after the response; pass their `waitUntil` (Vercel, Workers,
   * Netlify) so handlers finish.
   */
  waitUntil?: (work: Promise<unknown>) => void;
}

interface WebhookDeps {
  appSecrets: readonly string[];
  verifyToken: string | undefined;
  clock: Clock;
  emitter: EventEmitter<ClientEvents>;
  logger: Logger;
  pipeline: Policy;
  consent: Consent;
  sessions: Sessions;
  account: Account;
  /** Correlation ids of sends whose outcome is unknown; a status webhook settles them. */
  unknownOutcomes: { settle(correlationId: string, status: string): boolean };
}

const TEXT = { "content-type": "text/plain; charset=utf-8" };
const utf8 = new TextDecoder();
const DONE: Promise<void> = Promise.resolve();

/**
 * `wa.webhooks`: Meta's GET handshake, signature verification over the raw bytes, parsing,
 * de-duplication, and the policy state kept true — before the 200 goes back. Your handlers
 * (`wa.on("message", …)`) run after the acknowledgement.
 */
export class Webhooks {
  readonly #deps: WebhookDeps;
  readonly #ttl: number;
  readonly #maxBody: number;

  constructor(deps: WebhookDeps, options: WebhookOptions = {}) {
    this.#deps = deps;
    this.#ttl = options.dedupTtlMs ?? DEDUP_TTL_MS;
    this.#maxBody = options.maxBodyBytes ?? 4 * 1024 * 1024;
  }

  /**
   * Check the signature of a raw body; returns the bytes, or throws
   * {@link WebhookVerificationError} saying what is wrong.
   */
  verify(rawBody: RawBody, signature: string | readonly string[] | null | undefined): Uint8Array {
    return verifyWebhookSignature(rawBody, signature, this.#deps.appSecrets);
  }

  /** Parse a verified payload into events, without de-duplication or state changes. */
  parse(payload: unknown): WebhookEvent[] {
    return parseWebhookPayload(payload, this.#deps.clock.now()).map(({ event }) =>
      event.kind === "preference" ? preferenceEvent(event, event.value === "stop", false) : event,
    );
  }

  /**
   * Handle one webhook request: the GET handshake or a POST notification. Resolves once the
   * policy state has taken the delivery in; handlers run afterwards (see `delivered`). A store
   * failure answers 500 so Meta delivers again; nothing is half-recorded as done.
   */
  async handle(request: WebhookRequest, options: HandleOptions = {}): Promise<WebhookResult> {
    const method = String(request.method ?? "").toUpperCase();
    if (method === "GET") return this.#handshake(request);
    if (method !== "POST") return reply(405, "Method Not Allowed", { allow: "GET, POST" });
    const raw = request.rawBody;
    const size =
      typeof raw === "string"
        ? Buffer.byteLength(raw)
        : raw instanceof Uint8Array || raw instanceof ArrayBuffer
          ? raw.byteLength
          : 0;
    if (size > this.#maxBody) return reply(413, "Payload Too Large");
    let bytes: Uint8Array;
    try {
      bytes = this.verify(raw as RawBody, header(request.headers, "x-hub-signature-256"));
    } catch (error) {
      if (!isWebhookVerificationError(error)) throw error;
      this.#deps.logger.warn(`wa-guard: refused a webhook: ${error.message}`, { reason: error.reason });
      this.#emit("webhook.rejected", { error });
      return reply(error.status, error.status === 401 ? "Unauthorized" : "Forbidden", {}, error);
    }
    let payload: unknown;
    try {
      payload = JSON.parse(typeof raw === "string" ? raw : utf8.decode(bytes));
    } catch (error) {
      return reply(400, "Bad Request: the body is not JSON", {}, error as Error);
    }
    const now = this.#deps.clock.now();
    let items: ParsedItem[];
    try {
      items = parseWebhookPayload(payload, now);
    } catch (error) {
      // The parser never throws for content it was written for; anything else is kept, not lost.
      items = [
        {
          key: `u:${now}:${Math.random()}`,
          event: { kind: "unknown", reason: `unparseable payload: ${describeError(error)}`, value: payload },
        },
      ];
    }
    const events: WebhookEvent[] = [];
    const claimed: string[] = [];
    let duplicates = 0;
    try {
      for (const item of items) {
        // Counted as claimed before the answer: a claim that timed out may still land later.
        claimed.push(item.key);
        if (!(await this.#deps.pipeline.stores.webhookDedup.claim(item.key, this.#ttl, now))) {
          claimed.pop();
          duplicates++;
          continue;
        }
        await this.#apply(item, events);
      }
    } catch (error) {
      // Give the claims back so Meta's redelivery is processed in full.
      await Promise.allSettled(claimed.map((k) => this.#deps.pipeline.stores.webhookDedup.release(k)));
      this.#deps.logger.error(
        "wa-guard: could not record a webhook delivery; answering 500 so Meta retries",
        {
          error: describeError(error),
        },
      );
      return reply(500, "Internal Server Error", {}, error as Error);
    }
    const delivered = events.length === 0 ? DONE : this.#deliver(events);
    if (events.length > 0) options.waitUntil?.(delivered);
    return { ...reply(200, "OK"), events, duplicates, delivered };
  }

  /**
   * A fetch-style handler: `(request: Request) => Promise<Response>`, for Next.js route
   * handlers, Hono, Cloudflare Workers, Bun and Deno. A second argument with `waitUntil`
   * (Workers' `ctx`) is used when present.
   */
  fetchHandler(
    options: HandleOptions = {},
  ): (request: Request, context?: { waitUntil?: (work: Promise<unknown>) => void }) => Promise<Response> {
    return async (request, context) => {
      let rawBody: Uint8Array | undefined;
      if (request.method === "POST") {
        const read = await readLimited(request, this.#maxBody);
        if (read === "too_large") return new Response("Payload Too Large", { status: 413, headers: TEXT });
        rawBody = read;
      }
      const waitUntil = options.waitUntil ?? context?.waitUntil?.bind(context);
      const result = await this.handle(
        { method: request.method, query: request.url, headers: request.headers, ...(rawBody && { rawBody }) },
        waitUntil ? { waitUntil } : {},
      );
      return new Response(result.body, { status: result.status, headers: result.headers });
    };
  }

  /**
   * A Node handler `(req, res)` for node:http, Express and Fastify (`reply.raw`). It uses a raw
   * body already read (`express.raw()`, `req.rawBody`) or reads the stream itself; a body parsed
   * into an object is refused, because the bytes Meta signed are gone.
   */
  nodeHandler(): (req: NodeRequest, res: NodeResponse, next?: (error?: unknown) => void) => void {
    return (req, res, next) => {
      this.#node(req, res).catch((error: unknown) => {
        if (next) next(error);
        else if (!res.headersSent) {
          res.statusCode = 500;
          res.end("Internal Server Error");
        }
      });
    };
  }

  async #node(req: NodeRequest, res: NodeResponse): Promise<void> {
    const method = req.method ?? "GET";
    let rawBody: RawBody | Record<string, unknown> | undefined;
    if (method.toUpperCase() === "POST") {
      const given = req.rawBody ?? req.body;
      if (given !== undefined && !(typeof given === "object" && given !== null && isEmptyObject(given))) {
        rawBody = given as RawBody | Record<string, unknown>;
      } else if (!req.readableEnded) {
        const read = await readBody(req, this.#maxBody);
        if (read === "too_large") {
          res.writeHead(413, TEXT).end("Payload Too Large");
          return;
        }
        rawBody = read;
      }
    }
    const result = await this.handle({
      method,
      query: req.url ?? "",
      headers: req.headers,
      ...(rawBody !== undefined && { rawBody }),
    });
    res.writeHead(result.status, result.headers).end(result.body);
  }

  #handshake(request: WebhookRequest): WebhookResult {
    const q = query(request.query);
    const token = this.#deps.verifyToken;
    const given = q("hub.verify_token");
    const challenge = q("hub.challenge");
    if (q("hub.mode") !== "subscribe" || challenge === undefined) {
      return reply(400, "Bad Request: expected hub.mode=subscribe and hub.challenge");
    }
    if (token === undefined || given === undefined || !sameText(given, token)) {
      const error = new WebhookVerificationError(
        "verify_token_mismatch",
        token === undefined
          ? "Cannot answer Meta's verification request: set verifyToken (or WHATSAPP_VERIFY_TOKEN) on the client"
          : "hub.verify_token does not match the configured verifyToken",
      );
      this.#emit("webhook.rejected", { error });
      return reply(403, "Forbidden", {}, error);
    }
    return reply(200, challenge);
  }

  /** Record what the event changes in the policy state; push the events to deliver. */
  async #apply(item: ParsedItem, out: WebhookEvent[]): Promise<void> {
    const event = item.event;
    switch (event.kind) {
      case "message":
        out.push(event);
        await this.#message(event, out);
        return;
      case "status":
        out.push(event);
        await this.#status(event, out);
        return;
      case "preference":
        await this.#preference(event, out);
        return;
      case "error":
        out.push(event);
        for (const e of event.errors) await this.#deps.pipeline.learnFromCode(e.code);
        return;
      case "templateUpdate":
        out.push(event);
        await this.#template(event);
        return;
      case "accountUpdate":
        out.push(event);
        await this.#accountUpdate(event);
        return;
      case "qualityUpdate":
        out.push(event);
        await this.#quality(event);
        return;
      case "call":
        out.push(event);
        if (
          event.from !== undefined &&
          event.direction !== "BUSINESS_INITIATED" &&
          parseRecipient(event.from)
        )
          await this.#deps.sessions.recordInbound(
            event.from,
            Math.min(event.timestamp, this.#deps.clock.now()),
          );
        return;
      default:
        out.push(event);
    }
  }

  async #message(event: MessageEvent, out: WebhookEvent[]): Promise<void> {
    // System notices (number or identity changed) are not the user writing.
    if (event.type === "system" || !parseRecipient(event.from)) return;
    const text = event.type === "text" || event.type === "button" ? event.text : undefined;
    // A timestamp ahead of our clock (skew) must not stretch the window past 24 hours from now.
    const at = Math.min(event.timestamp, this.#deps.clock.now());
    const recorded = await this.#deps.consent.recordInbound({
      from: event.from,
      at,
      ...(text !== undefined && { text }),
      ...(event.replyId !== undefined && { buttonPayload: event.replyId }),
    });
    if (recorded === undefined) return;
    const { signal } = recorded;
    event.consent = signal === "opt-out" ? "optOut" : "optIn";
    const base = {
      recipient: event.from,
      scope: recorded.event.scope,
      source: recorded.event.source,
      timestamp: event.timestamp,
    };
    out.push(signal === "opt-out" ? { kind: "optOut", ...base } : { kind: "optIn", ...base, granted: true });
  }

  /**
   * The status of a campaign send settles its checkpoint entry: a claim still pending (the
   * outcome was unknown) becomes `sent` on sent/delivered/read; a message that failed — pending,
   * or recorded as sent and then undeliverable — is released, so a later run of the campaign
   * tries again (and its guards refuse it if Meta's answer made the person ineligible).
   */
  async #settleCampaignSend(c: { campaign: string; key: string }, event: StatusEvent): Promise<void> {
    const store = this.#deps.pipeline.stores.campaigns;
    const entry = await store.get(c.campaign, c.key);
    const pending = entry?.state === "pending" && entry.correlationId === event.correlationId;
    const sent = entry?.state === "sent" && entry.messageId === event.id;
    if (!entry || !(pending || sent)) return;
    const at = this.#deps.clock.now();
    if (event.status === "failed")
      await store.release(c.campaign, c.key, { state: "released", run: entry.run, at });
    else if (pending)
      await store.settle(c.campaign, c.key, { state: "sent", messageId: event.id, run: entry.run, at });
  }

  async #status(event: StatusEvent, out: WebhookEvent[]): Promise<void> {
    if (
      event.correlationId !== undefined &&
      this.#deps.unknownOutcomes.settle(event.correlationId, event.status)
    ) {
      event.reconciled = true;
    }
    const campaign = event.correlationId === undefined ? undefined : campaignOf(event.correlationId);
    if (campaign) await this.#settleCampaignSend(campaign, event);
    if (event.status !== "failed") return;
    const key = event.recipient === undefined ? undefined : parseRecipient(event.recipient)?.key;
    for (const e of event.errors) {
      const learnt = await this.#deps.pipeline.learnFromCode(e.code, key, event.timestamp);
      if (learnt === "opted-out" && event.recipient !== undefined) {
        out.push({
          kind: "optOut",
          recipient: event.recipient,
          scope: "marketing",
          source: `meta:${e.code}`,
          timestamp: event.timestamp,
        });
      }
    }
  }

  async #preference(event: Extract<ParsedEvent, { kind: "preference" }>, out: WebhookEvent[]): Promise<void> {
    if (!parseRecipient(event.user)) {
      out.push({
        kind: "unknown",
        field: event.field,
        reason: "user preference for an unreadable user",
        value: event,
      });
      return;
    }
    if (event.value === "stop") {
      await this.#deps.consent.revoke(event.user, {
        scope: "marketing",
        source: "meta:user_preferences",
        at: event.timestamp,
      });
      out.push(preferenceEvent(event, true, false));
    } else if (event.value === "resume") {
      const { granted } = await this.#deps.consent.resume(event.user, {
        scope: "marketing",
        source: "meta:user_preferences",
        at: event.timestamp,
      });
      out.push(preferenceEvent(event, false, granted));
    } else {
      out.push({
        kind: "unknown",
        field: event.field,
        reason: `user preference "${event.value}"`,
        value: event,
      });
    }
  }

  async #template(event: TemplateUpdateEvent): Promise<void> {
    const update: TemplateUpdate = {};
    if (event.templateId !== undefined) update.id = event.templateId;
    if (event.name !== undefined) update.name = event.name;
    if (event.language !== undefined) update.language = event.language;
    if (event.change === "status" && event.event !== undefined) {
      const status = TEMPLATE_STATUS[event.event];
      if (status === undefined) {
        // An event we do not map: forget the cached list rather than guess.
        await this.#deps.pipeline.templates.invalidate();
        return;
      }
      if (status !== null) update.status = status;
    }
    if (event.category !== undefined) update.category = event.category;
    if (event.quality !== undefined) update.quality = event.quality;
    await this.#deps.pipeline.templates.applyUpdate(update);
  }

  async #accountUpdate(event: AccountUpdateEvent): Promise<void> {
    const { account, pipeline } = this.#deps;
    const since = event.timestamp ?? this.#deps.clock.now();
    const v = event.value as {
      restriction_info?: Array<{ restriction_type: string; expiration?: string | number }>;
      ban_info?: { waba_ban_state?: string };
      max_daily_conversations_per_business?: unknown;
      max_daily_conversation_per_phone?: unknown;
    };
    switch (event.event) {
      case "ACCOUNT_RESTRICTION":
        for (const r of v.restriction_info ?? []) {
          const scope = RESTRICTION_SCOPE[r.restriction_type];
          if (!scope) continue;
          await account.restrict({
            scope,
            source: `account_update:${r.restriction_type}`,
            since,
            ...(r.expiration !== undefined && { until: toMs(r.expiration, since) }),
          });
        }
        return;
      case "DISABLED_UPDATE":
        if (v.ban_info?.waba_ban_state === "DISABLE")
          await account.restrict({ scope: "all", source: "account_update:DISABLED_UPDATE", since });
        else if (v.ban_info?.waba_ban_state === "REINSTATE") await account.clearRestriction("all");
        return;
      case "ACCOUNT_DELETED":
      case "ACCOUNT_OFFBOARDED":
        await account.restrict({ scope: "all", source: `account_update:${event.event}`, since });
        return;
      case "ACCOUNT_RECONNECTED":
        await account.clearRestriction("all");
        return;
      case "CAPABILITY_UPDATE": {
        const limit = v.max_daily_conversations_per_business ?? v.max_daily_conversation_per_phone;
        if (typeof limit === "string") pipeline.setMessagingLimit(limit);
        else if (typeof limit === "number") pipeline.setMessagingLimit(`TIER_${limit}`);
        return;
      }
    }
  }

  async #quality(event: QualityUpdateEvent): Promise<void> {
    if (event.currentLimit !== undefined) this.#deps.pipeline.setMessagingLimit(event.currentLimit);
    if (event.event === "FLAGGED") {
      await this.#deps.account.restrict({
        scope: "marketing",
        source: "phone_number_quality_update:FLAGGED",
        since: event.timestamp ?? this.#deps.clock.now(),
      });
    } else if (event.event === "UNFLAGGED") await this.#deps.account.clearRestriction("marketing");
  }

  /** After the acknowledgement: every handler of every event, each isolated from the others. */
  #deliver(events: WebhookEvent[]): Promise<void> {
    return new Promise<void>((resolve) => {
      setTimeout(() => {
        const pending: Promise<unknown>[] = [];
        for (const event of events) {
          for (const listener of this.#deps.emitter.listeners(event.kind)) {
            // A listener added with once() is removed before it runs, as emit() would.
            this.#deps.emitter.removeListener(event.kind, listener as never, undefined, true);
            try {
              const result = (listener as (e: WebhookEvent) => unknown)(event);
              if (result && typeof (result as Promise<unknown>).then === "function")
                pending.push(result as Promise<unknown>);
            } catch (error) {
              this.#deps.logger.error(`wa-guard: a "${event.kind}" handler threw`, {
                error: describeError(error),
              });
            }
          }
        }
        Promise.allSettled(pending).then(() => resolve());
      }, 0);
    });
  }

  #emit(name: "webhook.rejected", payload: { error: WebhookVerificationError }): void {
    if (this.#deps.emitter.listenerCount(name) > 0) this.#deps.emitter.emit(name, payload);
  }
}

/** Template status events → the status the template guard sees; null: no status change. */
const TEMPLATE_STATUS: Record<string, string | null> = {
  APPROVED: "APPROVED",
  REJECTED: "REJECTED",
  PENDING: "PENDING",
  PAUSED: "PAUSED",
  DISABLED: "DISABLED",
  PENDING_DELETION: "PENDING_DELETION",
  DELETED: "DELETED",
  ARCHIVED: "ARCHIVED",
  IN_APPEAL: "IN_APPEAL",
  LIMIT_EXCEEDED: "LIMIT_EXCEEDED",
  REINSTATED: "APPROVED",
  UNPAUSED: "APPROVED",
  FLAGGED: null,
};

const RESTRICTION_SCOPE: Record<string, RestrictionScope> = {
  RESTRICTED_BIZ_INITIATED_MESSAGING: "business_initiated",
  RESTRICTED_CUSTOMER_INITIATED_MESSAGING: "customer_initiated",
};

function preferenceEvent(
  event: Extract<ParsedEvent, { kind: "preference" }>,
  stop: boolean,
  granted: boolean,
): OptOutEvent | OptInEvent {
  const base = {
    recipient: event.user,
    scope: "marketing",
    source: "meta:user_preferences",
    timestamp: event.timestamp,
  };
  return stop ? { kind: "optOut", ...base } : { kind: "optIn", ...base, granted };
}

function reply(
  status: number,
  body: string,
  headers: Record<string, string> = {},
  error?: WhatsAppError | Error,
): WebhookResult {
  return {
    status,
    body,
    headers: { ...TEXT, ...headers },
    events: [],
    duplicates: 0,
    delivered: DONE,
    ...(error !== undefined && { error }),
  };
}

function header(headers: WebhookHeaders, name: string): string | readonly string[] | undefined {
  if (typeof (headers as Headers).get === "function" && typeof (headers as Headers).has === "function") {
    return (headers as Headers).get(name) ?? undefined;
  }
  const record = headers as Record<string, string | readonly string[] | undefined>;
  const direct = record[name];
  if (direct !== undefined) return direct;
  const found: string[] = [];
  for (const [k, v] of Object.entries(record)) {
    if (k.toLowerCase() !== name || v === undefined) continue;
    if (typeof v === "string") found.push(v);
    else found.push(...v);
  }
  return found.length === 0 ? undefined : found.length === 1 ? found[0] : found;
}

function query(input: WebhookRequest["query"]): (name: string) => string | undefined {
  if (input === undefined) return () => undefined;
  if (typeof input === "string") {
    const at = input.indexOf("?");
    const params = new URLSearchParams(at >= 0 ? input.slice(at + 1) : input.includes("=") ? input : "");
    return (name) => params.get(name) ?? undefined;
  }
  if (input instanceof URLSearchParams) return (name) => input.get(name) ?? undefined;
  return (name) => {
    const v = input[name];
    return typeof v === "string" ? v : Array.isArray(v) && typeof v[0] === "string" ? v[0] : undefined;
  };
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const isEmptyObject = (v: object) =>
  !(v instanceof Uint8Array) && !(v instanceof ArrayBuffer) && Object.keys(v).length === 0;

/** The parts of Node's `IncomingMessage` the handler uses (plus the raw body frameworks attach). */
export interface NodeRequest extends AsyncIterable<unknown> {
  method?: string | undefined;
  url?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  readableEnded?: boolean | undefined;
  body?: unknown;
  rawBody?: unknown;
}

/** The parts of Node's `ServerResponse` the handler uses. */
export interface NodeResponse {
  statusCode: number;
  headersSent: boolean;
  writeHead(status: number, headers?: Record<string, string>): NodeResponse;
  end(body?: string): unknown;
}

/** A fetch Request's body, refused (without reading it all) when it is larger than `max`. */
async function readLimited(request: Request, max: number): Promise<Uint8Array | "too_large"> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > max) return "too_large";
  if (!request.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      return "too_large";
    }
    chunks.push(value);
  }
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks);
}

async function readBody(req: NodeRequest, max: number): Promise<Uint8Array | "too_large"> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Uint8Array);
    size += bytes.length;
    if (size > max) return "too_large";
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}
