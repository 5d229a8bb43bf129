import type { PolicyViolationError } from "../errors/policy.js";

/**
 * The events the policy emits: a send refused, a send let through, a send waiting for capacity.
 * Part of `ClientEvents` (declared with the webhook events, `webhooks/events.ts`).
 */
export interface PolicyEvents {
  /** The policy refused a send (nothing was sent). */
  "policy.refused": (event: { error: PolicyViolationError }) => void;
  /** The policy let a send through. `recipient` shows the last digits only. */
  "policy.allowed": (event: { type: string; recipient: string }) => void;
  /** A send waits for throughput or pair-rate capacity. */
  "throttle.wait": (event: { rule: string; waitMs: number; recipient: string }) => void;
}
