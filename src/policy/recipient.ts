// Who a recipient is lives in src/internal/recipients.ts, below every layer that needs it (the
// api layer's block list, the policy, webhooks, campaigns); the policy layer's names stay here.
export type { Recipient } from "../internal/recipients.js";
export { canonicalDigits, parseRecipient, recipientKey } from "../internal/recipients.js";
