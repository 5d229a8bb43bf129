/**
 * One table from Meta's error code to how wa-guard treats it. Covers every code in the
 * Cloud API error reference (support/error-codes). Decisions key off `code` only — never the
 * HTTP status (Meta no longer documents it) or the message text.
 */

export type GraphErrorCategory =
  | "authentication"
  | "permission"
  | "rate_limit"
  | "account_restricted"
  | "recipient"
  | "template"
  | "invalid_request"
  | "service_unavailable"
  | "block_list"
  | "phone_registration"
  | "billing"
  | "flows"
  | "calling"
  | "groups"
  | "username"
  | "unknown";

export interface GraphCodeInfo {
  /** Short meaning, from Meta's reference. */
  title: string;
  category: GraphErrorCategory;
  /**
   * Meta says the request was not accepted and a later identical request may succeed. An error
   * whose body carries `is_transient` follows that instead.
   */
  retryable: boolean;
  /** First backoff step in ms for retryable codes (before jitter). */
  retryBaseMs?: number;
  /** Backoff growth factor per attempt. */
  retryFactor?: number;
}

const t = (
  title: string,
  category: GraphErrorCategory,
  retryable = false,
  retryBaseMs?: number,
  retryFactor?: number,
): GraphCodeInfo => {
  const info: GraphCodeInfo = { title, category, retryable };
  if (retryBaseMs !== undefined) info.retryBaseMs = retryBaseMs;
  if (retryFactor !== undefined) info.retryFactor = retryFactor;
  return info;
};

/** Exact codes. Ranges are resolved in {@link graphCodeInfo}. */
export const GRAPH_CODES: Readonly<Record<number, GraphCodeInfo>> = {
  0: t("AuthException: unable to authenticate the app user", "authentication"),
  1: t("API Unknown: invalid request or possible server error", "invalid_request"),
  2: t("API Service: temporary downtime or overload", "service_unavailable", true, 1000),
  3: t("API Method: capability or permission issue", "permission"),
  4: t("API Too Many Calls: app reached its API call rate limit", "rate_limit", true, 5000),
  10: t("Permission denied or removed", "permission"),
  33: t("Business phone number deleted or invalid id", "invalid_request"),
  100: t("Invalid parameter", "invalid_request"),
  190: t("Access token expired or invalid", "authentication"),
  192: t("Invalid phone number", "invalid_request"),
  368: t("Temporarily blocked for policy violations", "account_restricted"),
  613: t("Calling API rate limit", "calling"),
  80007: t("WABA reached its rate limit", "rate_limit", true, 5000),
  80008: t("Too many calls to this WABA", "rate_limit", true, 5000),
  130403: t("Business has blocked this user", "recipient"),
  130429: t("Cloud API throughput reached", "rate_limit", true, 1000),
  130472: t("User's number is part of an experiment", "recipient"),
  130497: t("WABA restricted from messaging users in this country", "account_restricted"),
  131000: t("Something went wrong", "service_unavailable", true, 1000),
  131005: t("Access denied: permission not granted or removed", "permission"),
  131008: t("Required parameter missing", "invalid_request"),
  131009: t("Parameter value invalid", "invalid_request"),
  131016: t("Service temporarily unavailable", "service_unavailable", true, 1000),
  131021: t("Sender and recipient are the same number", "recipient"),
  131026: t("Message undeliverable", "recipient"),
  131030: t("Recipient not in the allowed list", "recipient"),
  131031: t("Business account locked", "account_restricted"),
  131037: t("Phone number has no approved display name", "phone_registration"),
  131042: t("Payment method problem", "billing"),
  131044: t("No valid payment method (calling)", "billing"),
  131045: t("Phone number registration error", "phone_registration"),
  131047: t("Re-engagement required: more than 24 hours since the user last replied", "recipient"),
  131048: t("Spam rate limit hit", "account_restricted"),
  131049: t("Not delivered to maintain healthy ecosystem engagement", "recipient"),
  131050: t("User stopped marketing messages from this business", "recipient"),
  131051: t("Unsupported message type", "invalid_request"),
  131052: t("Unable to download media sent by the user", "invalid_request"),
  131053: t("Unable to upload the media used in the message", "invalid_request"),
  // Not retried automatically: Meta frees one message to that user every ~6 s, and the
  // pair-rate guard paces sends so this answer should not happen. Marked is_transient, it waits
  // Meta's 4^X seconds.
  131056: t("(Business, consumer) pair rate limit hit", "rate_limit", false, 4000, 4),
  131057: t("Business account in maintenance mode", "service_unavailable", true, 5000),
  131062: t("Business-scoped user id recipients not supported for this message", "recipient"),
  131063: t("Marketing templates disabled for the Cloud API", "account_restricted"),
  131064: t("Messaging limit reached after template classification violations", "account_restricted"),
  132000: t("Template parameter count mismatch", "template"),
  132001: t("Template does not exist in this language or is not approved", "template"),
  132005: t("Hydrated template text too long", "template"),
  132007: t("Template content violates a WhatsApp policy", "template"),
  132008: t("Template parameter values formatted incorrectly", "template"),
  132012: t("Template parameter format mismatch", "template"),
  132015: t("Template paused for low quality", "template"),
  132016: t("Template permanently disabled after repeated pauses", "template"),
  132018: t("Template parameter validation error", "template"),
  132068: t("Flow blocked", "flows"),
  132069: t("Flow throttled", "flows"),
  133000: t("Previous deregistration failed", "phone_registration"),
  133004: t("Server temporarily unavailable", "service_unavailable", true, 1000),
  133005: t("Two-step verification PIN incorrect", "phone_registration"),
  133006: t("Phone number needs verification before registering", "phone_registration"),
  133008: t("Too many two-step PIN guesses", "phone_registration"),
  133009: t("Two-step PIN entered too quickly", "phone_registration"),
  133010: t("Phone number not registered", "phone_registration"),
  133015: t("Phone number recently deleted; deletion not complete", "phone_registration"),
  133016: t("Too many register or deregister attempts", "phone_registration"),
  134011: t("WhatsApp Payments terms acceptance pending", "billing"),
  134100: t("Marketing Messages API: only marketing templates are supported", "template"),
  134101: t("Marketing Messages API: template still syncing", "template"),
  134102: t("Marketing Messages API: template unavailable", "template"),
  135000: t("Generic user error", "invalid_request"),
  137000: t("Recipient identity key hash mismatch", "recipient"),
  139100: t("Failed to block or unblock some users", "block_list"),
  139101: t("Block list is at its 64,000-entry limit", "block_list"),
  139102: t("Block list changed during pagination; restart from the first page", "block_list"),
  139103: t("Block list internal error", "block_list", true, 1000),
  2388012: t("Phone number migration error", "phone_registration"),
  2388019: t("Template limit exceeded", "template"),
  2388039: t("Template status cannot be changed now", "template"),
  2388040: t("Template field exceeds its character limit", "template"),
  2388047: t("Template header format incorrect", "template"),
  2388072: t("Template body format incorrect", "template"),
  2388073: t("Template footer format incorrect", "template"),
  2388091: t("Phone number migration error", "phone_registration"),
  2388093: t("Phone number migration error", "phone_registration"),
  2388103: t("Phone number migration error", "phone_registration"),
  2388293: t("Too many template variables for the text length", "template"),
  2388299: t("Template variables at the start or end are not allowed", "template"),
  2494100: t("Phone number migration: maintenance mode", "phone_registration"),
  2593107: t("Coexistence synchronization error", "phone_registration"),
  2593108: t("Coexistence synchronization error", "phone_registration"),
  200002: t("Template creation failed", "template"),
  200005: t("Template insights error", "template"),
  200006: t("Template insights error", "template"),
  200007: t("Template insights error", "template"),
};

const RANGES: ReadonlyArray<[number, number, GraphCodeInfo]> = [
  [200, 299, t("API permission not granted or removed", "permission")],
  [133001, 133016, t("Phone number registration error", "phone_registration")],
  [138000, 138018, t("Calling API error", "calling")],
  [139000, 139004, t("Flows error", "flows")],
  [131201, 131215, t("Groups API error", "groups")],
  [147001, 147005, t("Username API error", "username")],
  [2388000, 2388999, t("Template management error", "template")],
];

const GROUP_CODES = new Set([131020, 131041, 131059]);
const UNKNOWN: GraphCodeInfo = t("Unrecognised Graph API error", "unknown");

/** How wa-guard treats a Graph error code; unknown codes are non-retryable `unknown`. */
export function graphCodeInfo(code: number): GraphCodeInfo {
  const exact = GRAPH_CODES[code];
  if (exact) return exact;
  if (GROUP_CODES.has(code)) return t("Groups API error", "groups");
  for (const [from, to, info] of RANGES) if (code >= from && code <= to) return info;
  return UNKNOWN;
}
