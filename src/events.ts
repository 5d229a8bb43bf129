import type { WhatsAppError } from "./errors/base.js";
import type { PolicyViolationError } from "./errors/policy.js";

/** Events emitted by a client. Payloads never contain tokens, secrets or message bodies. */
export interface ClientEvents {
  /** A request is about to be handed to the transport. */
  request: (event: { method: string; path: string; attempt: number }) => void;
  /** A response arrived (any status). */
  response: (event: {
    method: string;
    path: string;
    attempt: number;
    status: number;
    durationMs: number;
  }) => void;
  /** A failed attempt will be retried after `delayMs`. */
  retry: (event: {
    method: string;
    path: string;
    attempt: number;
    delayMs: number;
    error: WhatsAppError;
  }) => void;
  /** The policy refused a send (nothing was sent). */
  "policy.refused": (event: { error: PolicyViolationError }) => void;
  /** The policy let a send through. `recipient` shows the last digits only. */
  "policy.allowed": (event: { type: string; recipient: string }) => void;
  /** A send waits for throughput or pair-rate capacity. */
  "throttle.wait": (event: { rule: string; waitMs: number; recipient: string }) => void;
}

export type ClientEventName = keyof ClientEvents;
