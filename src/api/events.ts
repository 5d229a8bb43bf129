import type { WhatsAppError } from "../errors/base.js";
import type { HealthChangeEvent } from "./phone-numbers.js";

/**
 * The events the Graph API layer emits: requests, responses, retries and health readings. Part of
 * `ClientEvents` (declared with the webhook events, `webhooks/events.ts`). Payloads never contain
 * tokens, secrets or message bodies.
 */
export interface ApiEvents {
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
  /**
   * A health reading (`wa.account.health({ refresh: true })` or `wa.account.watch()`) differs from
   * this client's previous one: overall status, a node's status, quality, messaging limit, …
   */
  "health.change": (event: HealthChangeEvent) => void;
  /** A reading of `wa.account.watch()` failed; the watch goes on. */
  "health.error": (event: { error: Error }) => void;
}
