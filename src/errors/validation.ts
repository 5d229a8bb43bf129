import { isFamily, WhatsAppError } from "./base.js";

/** One problem found in an input; `path` points at the offending field. */
export interface ValidationIssue {
  path: (string | number)[];
  message: string;
  code: string;
}

/** The `code` of a `ValidationError` or of its consent subclasses. */
export type ValidationErrorCode = "validation_failed" | "consent_withdrawn_by_user" | "consent_superseded";

/**
 * Input that cannot be sent: thrown before anything reaches the network.
 * `issues` lists every problem; the message names the fields.
 */
export class ValidationError extends WhatsAppError {
  /** `validation_failed`, or the more precise code of a subclass (`consent_superseded`, …). */
  readonly code: ValidationErrorCode = "validation_failed";
  readonly family = "validation" as const;
  readonly issues: ValidationIssue[];

  constructor(message: string, issues: ValidationIssue[] = []) {
    super(message);
    this.issues = issues;
  }
}

/** A client option is missing, unknown or invalid. The message names the option and what it expects. */
export class ConfigError extends WhatsAppError {
  readonly code = "config_invalid" as const;
  readonly family = "config" as const;
  readonly issues: ValidationIssue[];

  constructor(message: string, issues: ValidationIssue[] = []) {
    super(message);
    this.issues = issues;
  }
}

export function isValidationError(value: unknown): value is ValidationError {
  return isFamily(value, "validation");
}

export function isConfigError(value: unknown): value is ConfigError {
  return isFamily(value, "config");
}
