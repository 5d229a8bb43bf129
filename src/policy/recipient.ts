import { ValidationError } from "../errors/validation.js";
import { parseRecipient } from "../internal/recipients.js";
import { maskPhone } from "../internal/redact.js";

// Who a recipient is lives in src/internal/recipients.ts, below every layer that needs it (the
// api layer's block list, the policy, webhooks, campaigns); the policy layer's names stay here.
export type { Recipient } from "../internal/recipients.js";
export { canonicalDigits, parseRecipient, recipientKey } from "../internal/recipients.js";

/** The key a recipient's state is stored under; a ValidationError when it names nobody. */
export function requireRecipientKey(recipient: string): string {
  const parsed = parseRecipient(recipient);
  if (!parsed)
    throw new ValidationError(
      `Invalid recipient ${maskPhone(String(recipient))}: expected a phone number in international format or a BSUID`,
    );
  return parsed.key;
}
