/**
 * Framework adapters: a fetch-style handler (Next.js, Hono, Workers, Bun, Deno) and a Node
 * handler (node:http, Express, Fastify). They only turn a framework's request into a
 * {@link WebhookRequest} and the {@link WebhookResponse} back; every decision is the handler's.
 */
import type { RawBody } from "./verify.js";

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

export interface HandleOptions {
  /**
   * Serverless runtimes stop work after the response; pass their `waitUntil` (Vercel, Workers,
   * Netlify) so handlers finish.
   */
  waitUntil?: (work: Promise<unknown>) => void;
}

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

/**
 * The second argument of a fetch handler: Workers' `ctx` or Hono's `c.executionCtx` (its
 * `waitUntil` is used), or whatever else the framework passes (a Next.js route handler's
 * `{ params }`), which is ignored.
 */
export type FetchHandlerContext = { waitUntil?: (work: Promise<unknown>) => void } | object;

/** A fetch-style webhook handler: `(request, context?) => Promise<Response>`. */
export type WebhookFetchHandler = (request: Request, context?: FetchHandlerContext) => Promise<Response>;

type Handle = (request: WebhookRequest, options?: HandleOptions) => Promise<WebhookResponse>;

const TEXT = { "content-type": "text/plain; charset=utf-8" };

/** `(request: Request, context?) => Promise<Response>` around `handle`. */
export function fetchAdapter(
  handle: Handle,
  maxBody: number,
  options: HandleOptions = {},
): WebhookFetchHandler {
  return async (request, context) => {
    let rawBody: Uint8Array | undefined;
    if (request.method === "POST") {
      const read = await readLimited(request, maxBody);
      if (read === "too_large") return new Response("Payload Too Large", { status: 413, headers: TEXT });
      rawBody = read;
    }
    const given = (context as { waitUntil?: unknown } | undefined)?.waitUntil;
    const own =
      typeof given === "function" ? (work: Promise<unknown>) => void given.call(context, work) : undefined;
    const waitUntil = options.waitUntil ?? own;
    const result = await handle(
      { method: request.method, query: request.url, headers: request.headers, ...(rawBody && { rawBody }) },
      waitUntil ? { waitUntil } : {},
    );
    return new Response(result.body, { status: result.status, headers: result.headers });
  };
}

/**
 * `(req, res, next?)` around `handle`. It uses a raw body already read (`express.raw()`,
 * `req.rawBody`) or reads the stream itself; a body parsed into an object is passed on, and
 * refused by the handler, because the bytes Meta signed are gone.
 */
export function nodeAdapter(
  handle: Handle,
  maxBody: number,
): (req: NodeRequest, res: NodeResponse, next?: (error?: unknown) => void) => void {
  const run = async (req: NodeRequest, res: NodeResponse): Promise<void> => {
    const method = req.method ?? "GET";
    let rawBody: RawBody | Record<string, unknown> | undefined;
    if (method.toUpperCase() === "POST") {
      const given = req.rawBody ?? req.body;
      if (given !== undefined && !(typeof given === "object" && given !== null && isEmptyObject(given))) {
        rawBody = given as RawBody | Record<string, unknown>;
      } else if (!req.readableEnded) {
        const read = await readBody(req, maxBody);
        if (read === "too_large") {
          res.writeHead(413, TEXT).end("Payload Too Large");
          return;
        }
        rawBody = read;
      }
    }
    const result = await handle({
      method,
      query: req.url ?? "",
      headers: req.headers,
      ...(rawBody !== undefined && { rawBody }),
    });
    res.writeHead(result.status, result.headers).end(result.body);
  };
  return (req, res, next) => {
    run(req, res).catch((error: unknown) => {
      if (next) next(error);
      else if (!res.headersSent) {
        res.statusCode = 500;
        res.end("Internal Server Error");
      }
    });
  };
}

/** One header, whatever the container and the case of its name; repeated headers as an array. */
export function header(headers: WebhookHeaders, name: string): string | readonly string[] | undefined {
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

/** A reader of one query parameter, whatever form the query came in. */
export function query(input: WebhookRequest["query"]): (name: string) => string | undefined {
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

const isEmptyObject = (v: object) =>
  !(v instanceof Uint8Array) && !(v instanceof ArrayBuffer) && Object.keys(v).length === 0;

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
