import { toTransportError } from "./errors.js";
import type { Transport, TransportRequest } from "./types.js";
import { pathOf } from "./undici.js";

export interface FetchTransportOptions {
  /**
   * The fetch implementation.
   * @default globalThis.fetch
   */
  fetch?: typeof fetch;
}

/**
 * A transport on the WHATWG `fetch` API, for runtimes without undici (edge, Workers, Deno, Bun).
 * fetch has no separate headers/body timeouts: `headersMs + bodyMs` bounds the whole exchange,
 * and its expiry is reported as outcome `"unknown"`.
 */
export function fetchTransport(options: FetchTransportOptions = {}): Transport {
  return async function fetchSend(req: TransportRequest) {
    const fetchImpl = options.fetch ?? globalThis.fetch;
    const abortedBeforeDispatch = req.signal?.aborted === true;
    const timeout = AbortSignal.timeout(req.timeouts.headersMs + req.timeouts.bodyMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    try {
      const res = await fetchImpl(req.url, {
        method: req.method,
        headers: req.headers,
        body: (req.body ?? null) as BodyInit | null,
        signal,
        // Never follow a redirect with the Authorization header attached.
        redirect: "manual",
      });
      const body = new Uint8Array(await res.arrayBuffer());
      const headers: Record<string, string> = {};
      res.headers.forEach((value, key) => {
        headers[key] = value;
      });
      return { status: res.status, headers, body };
    } catch (error) {
      const cause = timeout.aborted && !req.signal?.aborted ? timeout.reason : error;
      throw toTransportError(cause, { method: req.method, path: pathOf(req.url), abortedBeforeDispatch });
    }
  };
}
