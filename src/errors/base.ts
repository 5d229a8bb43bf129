/**
 * Every error wa-guard throws extends {@link WhatsAppError} and carries a stable string `code`.
 * Switch on `code` (or use the `is*` guards), not on `instanceof`, when two copies of wa-guard
 * may be installed side by side.
 */

import type { GraphErrorCode } from "./graph.js";
import type { PolicyErrorCode } from "./policy.js";
import type { ValidationErrorCode } from "./validation.js";

/** Brand shared by every wa-guard error, across duplicate installs and realms. */
export const ERROR_BRAND: unique symbol = Symbol.for("wa-guard.error") as never;

/** The error families; they never mix. */
export type ErrorFamily = "graph" | "transport" | "validation" | "config" | "policy" | "webhook" | "store";

/**
 * Every `code` a wa-guard error can carry. Each class narrows it: `ConsentRequiredError` has
 * exactly `"policy_consent_required"`, `PolicyViolationError` any `policy_*` code.
 */
export type WhatsAppErrorCode =
  | GraphErrorCode
  | PolicyErrorCode
  | ValidationErrorCode
  | "config_invalid"
  | "store_unavailable"
  | "transport_failed"
  | "webhook_verification_failed";

export interface WhatsAppErrorOptions {
  cause?: unknown;
}

export abstract class WhatsAppError extends Error {
  /** Stable machine-readable identifier of the error class. */
  abstract readonly code: WhatsAppErrorCode;
  /** Which family the error belongs to. */
  abstract readonly family: ErrorFamily;
  readonly [ERROR_BRAND] = true;

  constructor(message: string, options: WhatsAppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }

  /** A plain, secret-free representation for logs. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, code: this.code, message: this.message };
    for (const [key, value] of Object.entries(this)) {
      if (key === "cause" || value === undefined || typeof value === "function") continue;
      out[key] = value;
    }
    return out;
  }
}

function branded(value: unknown): value is WhatsAppError {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<symbol, unknown>)[ERROR_BRAND] === true &&
    typeof (value as { code?: unknown }).code === "string"
  );
}

/** True for any error thrown by wa-guard (works across duplicate installs). */
export function isWhatsAppError(value: unknown): value is WhatsAppError {
  return branded(value);
}

/** @internal */
export function isFamily<T extends WhatsAppError>(value: unknown, family: ErrorFamily): value is T {
  return branded(value) && value.family === family;
}
