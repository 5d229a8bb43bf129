import type * as z from "zod/mini";
import { isWhatsAppError, type WhatsAppError } from "../errors/base.js";
import {
  createGraphApiError,
  type GraphApiError,
  type GraphErrorBody,
  isGraphApiError,
} from "../errors/graph.js";
import { isTransportError, TransportError } from "../errors/transport.js";
import type { Logger } from "../internal/logger.js";
import { describeError, silentLogger } from "../internal/logger.js";
import { redactor } from "../internal/redact.js";
import type { TypedEmitter } from "../internal/typed-emitter.js";
import { check, formatIssues } from "../internal/validate.js";
import type { Clock } from "../state/clock.js";
import { systemClock } from "../state/clock.js";
import { parseRetryAfter, RetryBudget, type RetryPolicy, retryDelayMs } from "../transport/retry.js";
import type { Transport, TransportRequest, TransportResponse } from "../transport/types.js";
import { undiciTransport } from "../transport/undici.js";
import type { ApiEvents } from "./events.js";
import type { ResolvedConnection } from "./options.js";
import { graphErrorEnvelope } from "./schemas/responses.js";

/**
 * A response schema as the request loop sees it: any Standard Schema (zod's schemas are), so the
 * declarations of this internal class name no zod type.
 */
interface ResponseSchema<T> {
  readonly "~standard": { readonly types?: { readonly output: T } | undefined };
}

export interface RequestOptions<T> {
  method: TransportRequest["method"];
  /** Path under the versioned base URL (`/123/messages`), or an absolute URL. */
  path: string;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  form?: FormData;
  /** Raw bytes as the body (`application/octet-stream`): a Resumable Upload's file. */
  bytes?: Uint8Array;
  /** More request headers (the Resumable Upload's `file_offset`). */
  headers?: Record<string, string>;
  /** `OAuth`: the token in Meta's `Authorization: OAuth <token>` form (Resumable Upload). */
  authScheme?: "OAuth";
  /** Response schema (a zod schema); omit to get raw bytes. */
  schema?: ResponseSchema<T>;
  /**
   * Repeating the request cannot cause a duplicate (GET, block, unblock, deletes): transport
   * failures with an unknown outcome may then be retried too.
   */
  idempotent?: boolean;
  /** A body that carries both a result and a top-level `error` is a result (139100 partial failures). */
  partialResultKey?: string;
  signal?: AbortSignal;
  /** Attached to errors thrown for this request. */
  correlationId?: string;
  /**
   * Runs after the back-off and before each retry; what it throws is thrown instead of retrying
   * (a send re-checks the policy: a STOP may have arrived while it waited).
   */
  beforeRetry?: () => Promise<void>;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * The request loop shared by every resource: builds URLs and headers, calls the transport,
 * maps errors from the code table, retries what provably was not accepted.
 * @internal
 */
export class GraphHttp {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly transport: Transport;
  readonly emitter: TypedEmitter<ApiEvents>;
  readonly budget: RetryBudget;
  readonly redact: (text: string) => string;
  private readonly policy: RetryPolicy;
  private readonly versionedBase: string;
  // Secrets live in #private fields: no inspection, serialisation or spread can reach them.
  readonly #options: ResolvedConnection;
  readonly #authHeader: string;

  constructor(
    options: ResolvedConnection,
    /** The client's emitter; the transport and retry budget of the client this one was made from. */
    links: { emitter: TypedEmitter<ApiEvents>; transport?: Transport; budget?: RetryBudget },
  ) {
    this.#options = options;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.transport = options.transport ?? links.transport ?? undiciTransport();
    this.emitter = links.emitter;
    this.budget = links.budget ?? new RetryBudget();
    this.redact = redactor([options.accessToken, ...options.appSecrets, options.verifyToken]);
    this.policy = {
      maxRetries: options.maxRetries,
      maxRetryAfterMs: options.maxRetryAfterMs,
      maxBackoffMs: 8_000,
    };
    this.versionedBase = `${options.baseUrl}/${options.apiVersion}`;
    this.#authHeader = `Bearer ${options.accessToken}`;
  }

  /** The resolved client options, secrets included: for the SDK's own use, never printed. */
  get options(): ResolvedConnection {
    return this.#options;
  }

  /** What printing or serialising shows: where requests go, never a secret. */
  toJSON(): Record<string, unknown> {
    const o = this.#options;
    return { baseUrl: o.baseUrl, apiVersion: o.apiVersion, phoneNumberId: o.phoneNumberId, wabaId: o.wabaId };
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `GraphHttp ${JSON.stringify(this.toJSON())}`;
  }

  async request<T>(opts: RequestOptions<T> & { schema: ResponseSchema<T> }): Promise<T>;
  async request(opts: RequestOptions<never>): Promise<RawResponse>;
  async request<T>(opts: RequestOptions<T>): Promise<T | RawResponse> {
    const url = this.url(opts.path, opts.query);
    const headers: Record<string, string> = {
      ...opts.headers,
      authorization: opts.authScheme === "OAuth" ? `OAuth ${this.options.accessToken}` : this.#authHeader,
    };
    let body: TransportRequest["body"];
    if (opts.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(opts.json);
    } else if (opts.form !== undefined) {
      body = opts.form;
    } else if (opts.bytes !== undefined) {
      headers["content-type"] = "application/octet-stream";
      body = opts.bytes;
    }
    const req: TransportRequest = { method: opts.method, url, headers, timeouts: this.options.timeouts };
    if (body !== undefined) req.body = body;
    if (opts.signal) req.signal = opts.signal;
    const logPath = opts.path.startsWith("http") ? new URL(opts.path).pathname : opts.path;

    for (let attempt = 0; ; attempt++) {
      let error: WhatsAppError;
      try {
        // The attempt in this loop, not in an async method of its own: one promise less a request.
        const started = this.announce(req, opts.method, logPath, attempt);
        let res: TransportResponse;
        try {
          res = await this.transport(req);
        } catch (error) {
          throw this.transportFailure(error, opts.method, logPath);
        }
        if (started !== undefined) this.emitResponse(res, opts.method, logPath, attempt, started);
        return this.handle(res, opts, logPath);
      } catch (caught) {
        if (!isWhatsAppError(caught)) throw caught;
        error = caught;
      }
      const delay = this.retryDelay(error, attempt, opts);
      if (delay === undefined || opts.signal?.aborted || !this.budget.tryAcquire()) {
        if (opts.correlationId !== undefined && (isGraphApiError(error) || isTransportError(error))) {
          error.correlationId = opts.correlationId;
        }
        throw error;
      }
      this.logger.warn("wa-guard: retrying request", {
        method: opts.method,
        path: logPath,
        attempt,
        delayMs: delay,
        code: error.code,
      });
      this.emitter.emit("retry", { method: opts.method, path: logPath, attempt, delayMs: delay, error });
      try {
        await this.clock.sleep(delay, opts.signal);
      } catch (abort) {
        // Aborted while waiting: the last attempt was not accepted, and no new one was made.
        const stopped = new TransportError(`${opts.method} ${logPath} aborted while waiting to retry`, {
          outcome: isTransportError(error) ? error.outcome : "not_sent",
          reason: "aborted",
          cause: abort,
          method: opts.method,
          path: logPath,
        });
        if (opts.correlationId !== undefined) stopped.correlationId = opts.correlationId;
        throw stopped;
      }
      await opts.beforeRetry?.();
    }
  }

  private retryDelay(
    error: WhatsAppError,
    attempt: number,
    opts: RequestOptions<unknown>,
  ): number | undefined {
    if (
      opts.idempotent &&
      isTransportError(error) &&
      error.outcome === "unknown" &&
      error.reason !== "aborted" &&
      error.reason !== "invalid_response"
    ) {
      // Safe to repeat: treat like a request that was not sent.
      return retryDelayMs(
        new TransportError(error.message, { outcome: "not_sent", reason: error.reason }),
        attempt,
        this.policy,
      );
    }
    return retryDelayMs(error, attempt, this.policy);
  }

  /**
   * Before an attempt: the `request` event, and a signal aborted already stops it (nothing sent).
   * Returns when the attempt started if a `response` listener wants its duration.
   */
  private announce(req: TransportRequest, method: string, path: string, attempt: number): number | undefined {
    if (this.emitter.listenerCount("request") > 0) this.emitter.emit("request", { method, path, attempt });
    const started = this.emitter.listenerCount("response") > 0 ? this.clock.now() : undefined;
    if (req.signal?.aborted) {
      throw new TransportError(`${method} ${path} aborted before it was sent`, {
        outcome: "not_sent",
        reason: "aborted",
        cause: req.signal.reason,
        method,
        path,
      });
    }
    return started;
  }

  /** What the transport threw, as the `TransportError` the caller sees (secrets scrubbed). */
  private transportFailure(error: unknown, method: string, path: string): TransportError {
    if (isTransportError(error)) {
      // Low-level messages (and their causes) can quote headers, and so the token: scrub both.
      return new TransportError(this.redact(error.message), {
        outcome: error.outcome,
        reason: error.reason,
        method,
        path,
        ...(error.cause !== undefined && { cause: redactedCause(error.cause, this.redact) }),
      });
    }
    // A custom transport threw something else: we cannot know whether the request left.
    return new TransportError(
      `${method} ${path} failed in the transport: ${this.redact(describeError(error))}`,
      {
        outcome: "unknown",
        reason: "other",
        cause: redactedCause(error, this.redact),
        method,
        path,
      },
    );
  }

  private emitResponse(
    res: TransportResponse,
    method: string,
    path: string,
    attempt: number,
    started: number,
  ): void {
    this.emitter.emit("response", {
      method,
      path,
      attempt,
      status: res.status,
      durationMs: this.clock.now() - started,
    });
  }

  private handle<T>(res: TransportResponse, opts: RequestOptions<T>, path: string): T | RawResponse {
    const ok = res.status >= 200 && res.status < 300;
    if (ok && !opts.schema) {
      return {
        status: res.status,
        headers: res.headers,
        body: typeof res.body === "string" ? encoder.encode(res.body) : res.body,
      };
    }
    const text = typeof res.body === "string" ? res.body : decoder.decode(res.body);
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    const hasError = typeof json === "object" && json !== null && "error" in json;
    const envelope = hasError ? check(graphErrorEnvelope, json) : undefined;
    if (envelope?.ok) {
      const isPartial =
        opts.partialResultKey !== undefined &&
        typeof json === "object" &&
        json !== null &&
        opts.partialResultKey in json;
      if (!isPartial) throw this.graphError(envelope.value.error as GraphErrorBody, res, opts.method, path);
    } else if (!ok) {
      throw new TransportError(
        `${opts.method} ${path} answered HTTP ${res.status} without a Graph error body; the request may have reached Meta (outcome unknown)`,
        { outcome: "unknown", reason: "invalid_response", method: opts.method, path, status: res.status },
      );
    }
    const parsed = check(opts.schema as unknown as z.ZodMiniType<T>, json);
    if (!parsed.ok) {
      throw new TransportError(
        `${opts.method} ${path} returned an unexpected response body (${formatIssues(parsed.issues)}); the request may have been processed`,
        { outcome: "unknown", reason: "invalid_response", method: opts.method, path, status: res.status },
      );
    }
    this.budget.refund();
    return parsed.value;
  }

  graphError(
    body: GraphErrorBody,
    res: TransportResponse | undefined,
    method: string,
    path: string,
  ): GraphApiError {
    const init: Parameters<typeof createGraphApiError>[0] = { body, method, path };
    if (res) {
      init.status = res.status;
      const retryAfter = parseRetryAfter(res.headers["retry-after"], this.clock.now());
      if (retryAfter !== undefined) init.retryAfterMs = retryAfter;
    }
    return createGraphApiError(init, this.redact);
  }

  url(path: string, query?: Record<string, string | number | undefined>): string {
    let url = path.startsWith("http://") || path.startsWith("https://") ? path : this.versionedBase + path;
    if (query) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
      const qs = params.toString();
      if (qs) url += (url.includes("?") ? "&" : "?") + qs;
    }
    return url;
  }
}

/**
 * A copy of an error (and its causes, three deep) with every secret removed from its message and
 * stack, keeping its name and `code`: a cause handed to the caller never carries the token.
 */
export function redactedCause(error: unknown, redact: (text: string) => string, depth = 3): unknown {
  if (typeof error === "string") return redact(error);
  if (!(error instanceof Error)) return error === null || typeof error !== "object" ? error : undefined;
  const copy = new Error(redact(error.message));
  copy.name = error.name;
  if (error.stack !== undefined) copy.stack = redact(error.stack);
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" || typeof code === "number") (copy as { code?: unknown }).code = code;
  if (error.cause !== undefined && depth > 1) copy.cause = redactedCause(error.cause, redact, depth - 1);
  return copy;
}
