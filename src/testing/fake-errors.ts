import { graphCodeInfo } from "../errors/graph-codes.js";
import type { TransportResponse } from "../transport/types.js";

/** HTTP statuses as in Meta's older table; wa-guard itself never relies on them. */
function statusFor(code: number): number {
  if (code === 0 || code === 190) return 401;
  if (code === 10 || code === 368 || code === 131031 || (code >= 200 && code <= 299)) return 403;
  if (code === 130429 || code === 4 || code === 80007) return 429;
  if (code === 131000) return 500;
  if (code === 2 || code === 131016 || code === 133004) return 503;
  return 400;
}

let trace = 0;
export function fbtraceId(): string {
  trace = (trace + 1) % 1_000_000;
  return `Fake${trace.toString(36).padStart(4, "0")}${Math.random().toString(36).slice(2, 10)}`;
}

export interface FakeErrorSpec {
  code: number;
  details?: string;
  message?: string;
  subcode?: number;
  /** Override the HTTP status. */
  status?: number;
  /** Adds a `Retry-After` header (seconds). */
  retryAfterSeconds?: number;
  /** Meta's `is_transient` (omitted unless given). */
  isTransient?: boolean;
}

/**
 * A Graph error object shaped like Meta's. `blockUsers`: as the block_users edge answers, with
 * `messaging_product` beside `error` rather than in `error_data` (Meta's block-users page).
 */
export function errorObject(
  spec: FakeErrorSpec,
  options: { blockUsers?: boolean } = {},
): Record<string, unknown> {
  const title = spec.message ?? graphCodeInfo(spec.code).title;
  return {
    message: `(#${spec.code}) ${title}`,
    type: "OAuthException",
    code: spec.code,
    ...(spec.subcode !== undefined && { error_subcode: spec.subcode }),
    ...(spec.isTransient !== undefined && { is_transient: spec.isTransient }),
    error_data: {
      ...(!options.blockUsers && { messaging_product: "whatsapp" }),
      details: spec.details ?? title,
    },
    fbtrace_id: fbtraceId(),
  };
}

export function errorResponse(spec: FakeErrorSpec, extra?: Record<string, unknown>): TransportResponse {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (spec.retryAfterSeconds !== undefined) headers["retry-after"] = String(spec.retryAfterSeconds);
  return {
    status: spec.status ?? statusFor(spec.code),
    headers,
    body: JSON.stringify({ ...extra, error: errorObject(spec) }),
  };
}

/** An error of the block_users edge: `messaging_product` beside `error`, as Meta's page shows. */
export function blockUsersErrorResponse(spec: FakeErrorSpec): TransportResponse {
  const response = errorResponse(spec);
  response.body = JSON.stringify({
    messaging_product: "whatsapp",
    error: errorObject(spec, { blockUsers: true }),
  });
  return response;
}

export function jsonResponse(body: unknown, status = 200): TransportResponse {
  return { status, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}
