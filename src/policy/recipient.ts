import { isBsuid, phoneDigits } from "../internal/recipients.js";

/**
 * Who a recipient is. State (consent, windows, blocks, rates) is keyed by one canonical id per
 * person, so the dialled number and the wa_id Meta reports lead to the same record. Known
 * national variants are aliases, never rewrites: what you send to Meta stays what you gave.
 */
export interface Recipient {
  /** As the caller gave it. */
  input: string;
  kind: "phone" | "bsuid";
  /** Canonical identity: international digits without `+` (aliases collapsed), or the BSUID. */
  key: string;
}

/**
 * Collapse the national variants WhatsApp is known to use for one person:
 * - Brazil (+55): mobiles with and without the 9th digit → the 9-digit form;
 * - Mexico (+52): `521…` wa_ids and `52…` numbers → `52…`;
 * - Argentina (+54): `549…` wa_ids and `54…` numbers → `54…`.
 */
export function canonicalDigits(digits: string): string {
  if (digits.startsWith("55") && digits.length === 12 && /[6-9]/.test(digits.charAt(4))) {
    return `${digits.slice(0, 4)}9${digits.slice(4)}`;
  }
  if (digits.startsWith("521") && digits.length === 13) return `52${digits.slice(3)}`;
  if (digits.startsWith("549") && digits.length === 13) return `54${digits.slice(3)}`;
  return digits;
}

/** The canonical recipient, or undefined when the input cannot be a WhatsApp recipient. */
export function parseRecipient(input: string): Recipient | undefined {
  if (isBsuid(input)) return { input, kind: "bsuid", key: input };
  const digits = phoneDigits(input);
  if (digits === undefined || digits.startsWith("0")) return undefined;
  return { input, kind: "phone", key: canonicalDigits(digits) };
}

/** Canonical key for any recipient string; falls back to the raw input when unparseable. */
export function recipientKey(input: string): string {
  return parseRecipient(input)?.key ?? input;
}
