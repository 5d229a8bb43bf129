import { isFamily, WhatsAppError } from "./base.js";

/**
 * Why a webhook request was refused:
 * - `missing_signature`: no `X-Hub-Signature-256` header;
 * - `duplicate_signature`: the header appears more than once;
 * - `malformed_signature`: not `sha256=` followed by 64 hex digits;
 * - `signature_mismatch`: well-formed, but no configured app secret produced it (a wrong secret
 *   or a body changed on the way);
 * - `not_raw_body`: the body was given as a parsed object, so the bytes Meta signed are gone;
 * - `empty_body`: nothing to verify;
 * - `no_app_secret`: the client has no `appSecret`, so nothing can be verified;
 * - `verify_token_mismatch`: the GET handshake carried the wrong `hub.verify_token` (or none
 *   is configured).
 */
export type WebhookVerificationFailure =
  | "missing_signature"
  | "duplicate_signature"
  | "malformed_signature"
  | "signature_mismatch"
  | "not_raw_body"
  | "empty_body"
  | "no_app_secret"
  | "verify_token_mismatch";

/** A webhook request that does not provably come from Meta. Nothing in it was processed. */
export class WebhookVerificationError extends WhatsAppError {
  readonly code = "webhook_verification_failed" as const;
  readonly family = "webhook" as const;
  readonly reason: WebhookVerificationFailure;
  /** The HTTP status to answer with: 403 for the GET handshake, 401 otherwise. */
  readonly status: 401 | 403;

  constructor(reason: WebhookVerificationFailure, message: string) {
    super(message);
    this.reason = reason;
    this.status = reason === "verify_token_mismatch" ? 403 : 401;
  }
}

export function isWebhookVerificationError(value: unknown): value is WebhookVerificationError {
  return isFamily(value, "webhook");
}
