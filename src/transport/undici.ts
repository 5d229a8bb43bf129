import type { Dispatcher } from "undici";
import { lazyImport } from "../internal/lazy-import.js";
import { toTransportError } from "./errors.js";
import type { Transport, TransportRequest, TransportResponse } from "./types.js";

export interface UndiciTransportOptions {
  /**
   * Use this dispatcher (an undici `Agent`, `Pool`, `MockAgent`, …) instead of the built-in Agent.
   * @default a keep-alive Agent created on the first request
   */
  dispatcher?: Dispatcher;
  /**
   * Sockets per origin.
   * @default 64
   */
  connections?: number;
  /**
   * How long an idle keep-alive socket is kept. Keep it below your platform's idle freeze
   * (serverless) so a thawed instance does not write to a dead socket.
   * @default 4000
   */
  keepAliveTimeoutMs?: number;
}

type UndiciModule = typeof import("undici");
const loadUndici = lazyImport<UndiciModule>(() => import("undici"));

/** Only JSON is decoded as text; everything else (media) stays bytes, exactly as received. */
const JSON_TYPE = /^application\/([\w.-]+\+)?json/i;

/**
 * The default transport: undici's `request` over a keep-alive Agent with explicit connect,
 * headers and body timeouts. undici is loaded on the first request, so `import "wa-guard"`
 * stays cheap.
 */
export function undiciTransport(options: UndiciTransportOptions = {}): Transport {
  let dispatcher: Dispatcher | undefined = options.dispatcher;
  // Timeouts the Agent was built with; a request only overrides them when they differ.
  let agentTimeouts: TransportRequest["timeouts"] | undefined;
  return async function undiciSend(req: TransportRequest): Promise<TransportResponse> {
    const abortedBeforeDispatch = req.signal?.aborted === true;
    let dispatched = false;
    try {
      const undici = loadUndici.loaded ?? (await loadUndici());
      if (dispatcher === undefined) {
        agentTimeouts = req.timeouts;
        dispatcher = new undici.Agent({
          connections: options.connections ?? 64,
          keepAliveTimeout: options.keepAliveTimeoutMs ?? 4000,
          connect: { timeout: req.timeouts.connectMs },
          headersTimeout: req.timeouts.headersMs,
          bodyTimeout: req.timeouts.bodyMs,
        });
      }
      let headers = req.headers;
      let payload = req.body;
      // Strings and bytes are tested first: reading the global FormData loads the platform's
      // fetch, which a process sending JSON through undici never needs.
      if (payload !== undefined && typeof payload !== "string" && !(payload instanceof Uint8Array)) {
        // The platform's FormData and undici's own differ; encode it once with the platform.
        const encoded = new Response(payload);
        headers = {
          ...headers,
          "content-type": encoded.headers.get("content-type") ?? "multipart/form-data",
        };
        payload = new Uint8Array(await encoded.arrayBuffer());
      }
      const sameTimeouts =
        agentTimeouts !== undefined &&
        agentTimeouts.headersMs === req.timeouts.headersMs &&
        agentTimeouts.bodyMs === req.timeouts.bodyMs;
      dispatched = true;
      const requestOptions: Parameters<UndiciModule["request"]>[1] & object = {
        method: req.method,
        headers,
        body: (payload ?? null) as NonNullable<Dispatcher.RequestOptions["body"]> | null,
        dispatcher,
      };
      if (!sameTimeouts) {
        requestOptions.headersTimeout = req.timeouts.headersMs;
        requestOptions.bodyTimeout = req.timeouts.bodyMs;
      }
      if (req.signal) requestOptions.signal = req.signal;
      const res = await undici.request(req.url, requestOptions);
      const out = flattenHeaders(res.headers);
      const type = out["content-type"];
      const body =
        type !== undefined && JSON_TYPE.test(type)
          ? await res.body.text()
          : new Uint8Array(await res.body.arrayBuffer());
      return { status: res.statusCode, headers: out, body };
    } catch (error) {
      throw toTransportError(error, {
        method: req.method,
        path: pathOf(req.url),
        abortedBeforeDispatch,
        dispatched,
      });
    }
  };
}

/** undici lower-cases names; only repeated headers (arrays) need joining. */
function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  for (const key in headers) {
    if (typeof headers[key] !== "string") {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(headers))
        if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
      return out;
    }
  }
  return headers as Record<string, string>;
}

/** @internal */
export function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return "/";
  const q = url.indexOf("?", start);
  return q < 0 ? url.slice(start) : url.slice(start, q);
}
