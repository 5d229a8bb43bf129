/** Per-request timeouts, in milliseconds. */
export interface TransportTimeouts {
  /** Establishing the TCP/TLS connection. A connect timeout means the request was not sent. */
  connectMs: number;
  /** From the request being written to the response headers arriving. */
  headersMs: number;
  /** Between chunks of the response body. */
  bodyMs: number;
}

export interface TransportRequest {
  method: "GET" | "POST" | "DELETE";
  /** Absolute URL. */
  url: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body?: string | Uint8Array | FormData;
  timeouts: TransportTimeouts;
  signal?: AbortSignal;
}

export interface TransportResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: string | Uint8Array;
}

/**
 * How wa-guard talks HTTP: one function. A transport must throw a `TransportError` whose
 * `outcome` says whether the request may have reached the server; any other thrown value is
 * treated as outcome `"unknown"` (never retried).
 */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;
