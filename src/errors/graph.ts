import { redactDeep } from "../internal/redact.js";
import { isFamily, WhatsAppError } from "./base.js";
import { type GraphErrorCategory, graphCodeInfo } from "./graph-codes.js";

/** The `error` object of a Graph API error body, as Meta sends it. */
export interface GraphErrorBody {
  message?: string | undefined;
  type?: string | undefined;
  code: number;
  error_subcode?: number | undefined;
  error_data?:
    | { details?: unknown; messaging_product?: unknown; [key: string]: unknown }
    | string
    | null
    | unknown;
  error_user_title?: string;
  error_user_msg?: string;
  is_transient?: boolean;
  fbtrace_id?: string | undefined;
  title?: string | undefined;
  href?: string | undefined;
  [key: string]: unknown;
}

export interface GraphApiErrorInit {
  body: GraphErrorBody;
  status?: number;
  retryAfterMs?: number;
  method?: string;
  path?: string;
}

/**
 * Meta answered with an error. Subclasses are chosen from the code table
 * (`graph-codes.ts`); every instance exposes the Graph `code` as `graphCode`.
 */
/** The `code` of an error Meta answered; `graph_error` when the code table knows no better class. */
export type GraphErrorCode =
  | "graph_error"
  | "graph_authentication"
  | "graph_permission"
  | "graph_rate_limit"
  | "graph_account_restricted"
  | "graph_recipient"
  | "graph_template"
  | "graph_invalid_request"
  | "graph_service_unavailable"
  | "graph_block_list"
  | "graph_phone_registration"
  | "graph_billing";

export class GraphApiError extends WhatsAppError {
  /** One literal per subclass (`graph_rate_limit`, …); see {@link GraphErrorCode}. Meta's own number is `graphCode`. */
  readonly code: GraphErrorCode = "graph_error";
  readonly family = "graph" as const;
  /** Meta's numeric error code (`error.code`). */
  readonly graphCode: number;
  /** Deprecated by Meta but still sent at times. */
  readonly graphSubcode?: number;
  readonly category: GraphErrorCategory;
  /**
   * Meta did not accept the request; repeating it later may succeed. Meta's `is_transient`
   * decides when the body carries it; the code table otherwise.
   */
  readonly retryable: boolean;
  /** Meta's `is_transient`, when the error carried it. */
  readonly transient?: boolean;
  /** How long to wait before repeating, when known (Retry-After or the code's guidance). */
  readonly retryAfterMs?: number;
  /** `error_data.details` (or `error_data` when Meta sends it as a string). */
  readonly details?: string;
  readonly fbtraceId?: string;
  /** HTTP status, informational only. */
  readonly status?: number;
  readonly method?: string;
  readonly path?: string;
  /** The error object as Meta sent it. */
  readonly body: GraphErrorBody;
  /** Set on sends: the `biz_opaque_callback_data` the request carried. */
  correlationId?: string;

  constructor(message: string, init: GraphApiErrorInit) {
    super(message);
    const { body } = init;
    this.body = body;
    this.graphCode = body.code;
    if (typeof body.error_subcode === "number") this.graphSubcode = body.error_subcode;
    const info = graphCodeInfo(effectiveCode(body));
    this.category = info.category;
    if (typeof body.is_transient === "boolean") this.transient = body.is_transient;
    this.retryable = this.transient ?? info.retryable;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    const details = detailsOf(body);
    if (details !== undefined) this.details = details;
    if (body.fbtrace_id) this.fbtraceId = body.fbtrace_id;
    if (init.status !== undefined) this.status = init.status;
    if (init.method !== undefined) this.method = init.method;
    if (init.path !== undefined) this.path = init.path;
  }
}

/** 0, 190: the access token is invalid or expired. */
export class AuthenticationError extends GraphApiError {
  override readonly code = "graph_authentication";
}
/** 3, 10, 200–299, 131005: the token lacks a permission. */
export class PermissionError extends GraphApiError {
  override readonly code = "graph_permission";
}
/** 4, 80007, 130429, 131056: a Meta rate limit; retryable after `retryAfterMs`. */
export class RateLimitError extends GraphApiError {
  override readonly code = "graph_rate_limit";
}
/** 368, 131031, 131048, 130497, 131063, 131064: the account is restricted. Stop sending. */
export class AccountRestrictedError extends GraphApiError {
  override readonly code = "graph_account_restricted";
}
/** 130403, 131026, 131047, 131049, 131050, …: this recipient cannot get this message. */
export class RecipientError extends GraphApiError {
  override readonly code = "graph_recipient";
}
/** 132xxx, 134100–134102, 2388xxx: the template or its parameters were refused. */
export class TemplateError extends GraphApiError {
  override readonly code = "graph_template";
}
/** 1, 100, 131008, 131009, 131051, 131053, 135000, …: the request itself is wrong. */
export class InvalidRequestError extends GraphApiError {
  override readonly code = "graph_invalid_request";
}
/** 2, 131000, 131016, 131057, 133004: Meta is temporarily unavailable. */
export class ServiceUnavailableError extends GraphApiError {
  override readonly code = "graph_service_unavailable";
}
/** 139100–139103: block-list operations. */
export class BlockListError extends GraphApiError {
  override readonly code = "graph_block_list";
}
/** 131037, 131045, 133xxx, migration codes: the business phone number's registration. */
export class PhoneRegistrationError extends GraphApiError {
  override readonly code = "graph_phone_registration";
}
/** 131042, 134011: billing or payments set-up. */
export class BillingError extends GraphApiError {
  override readonly code = "graph_billing";
}

type GraphErrorClass = new (message: string, init: GraphApiErrorInit) => GraphApiError;

const CLASS_BY_CATEGORY: Record<GraphErrorCategory, GraphErrorClass> = {
  authentication: AuthenticationError,
  permission: PermissionError,
  rate_limit: RateLimitError,
  account_restricted: AccountRestrictedError,
  recipient: RecipientError,
  template: TemplateError,
  invalid_request: InvalidRequestError,
  service_unavailable: ServiceUnavailableError,
  block_list: BlockListError,
  phone_registration: PhoneRegistrationError,
  billing: BillingError,
  flows: GraphApiError,
  calling: GraphApiError,
  groups: GraphApiError,
  username: GraphApiError,
  unknown: GraphApiError,
};

/** Template-creation errors sometimes arrive as `error_subcode` beside a generic `code`. */
function effectiveCode(body: GraphErrorBody): number {
  const sub = body.error_subcode;
  // A template-management subcode is more precise than a generic 1 / 100.
  if ((body.code === 1 || body.code === 100) && typeof sub === "number" && sub >= 2388000 && sub <= 2388999)
    return sub;
  if (graphCodeInfo(body.code).category !== "unknown") return body.code;
  if (typeof sub === "number" && graphCodeInfo(sub).category !== "unknown") return sub;
  return body.code;
}

function detailsOf(body: GraphErrorBody): string | undefined {
  const data = body.error_data;
  if (typeof data === "string") return data || undefined;
  const details = data && typeof data === "object" ? (data as { details?: unknown }).details : undefined;
  if (typeof details === "string") return details;
  return body.error_user_msg ?? undefined;
}

/** Build the right {@link GraphApiError} subclass for an error body. `redact` scrubs secrets from text. */
export function createGraphApiError(
  init: GraphApiErrorInit,
  redact: (text: string) => string = (s) => s,
): GraphApiError {
  const info = graphCodeInfo(effectiveCode(init.body));
  const Cls = CLASS_BY_CATEGORY[info.category];
  const title = init.body.message ?? init.body.title ?? info.title;
  const details = detailsOf(init.body);
  let message = title.startsWith("(#") ? title : `(#${init.body.code}) ${title}`;
  if (details && !message.includes(details)) message += `: ${details}`;
  if (init.body.fbtrace_id) message += ` [fbtrace_id ${init.body.fbtrace_id}]`;
  return new Cls(redact(message), { ...init, body: redactDeep(init.body, redact) });
}

export function isGraphApiError(value: unknown): value is GraphApiError {
  return isFamily(value, "graph");
}
