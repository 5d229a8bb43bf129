import type { HealthChangeEvent } from "./api/phone-numbers.js";
import type { WhatsAppError } from "./errors/base.js";
import type { PolicyViolationError } from "./errors/policy.js";
import type { WebhookVerificationError } from "./errors/webhook.js";
import type {
  AccountUpdateEvent,
  AccountWarningEvent,
  CallEvent,
  ErrorEvent,
  MessageEvent,
  OptInEvent,
  OptOutEvent,
  QualityUpdateEvent,
  StatusEvent,
  TemplateUpdateEvent,
  UnknownEvent,
  UserIdUpdateEvent,
} from "./webhooks/events.js";

/** A handler of a webhook event; a returned promise is awaited by `delivered` and `waitUntil`. */
type Handler<E> = (event: E) => unknown;

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
  /**
   * A health reading (`wa.account.health({ refresh: true })` or `wa.account.watch()`) differs from
   * this client's previous one: overall status, a node's status, quality, messaging limit, …
   */
  "health.change": (event: HealthChangeEvent) => void;
  /** A reading of `wa.account.watch()` failed; the watch goes on. */
  "health.error": (event: { error: Error }) => void;

  // Webhook events: delivered after the 200 went back, once per event (duplicates removed).
  /** A user wrote, tapped a button, reacted, ordered, … */
  message: Handler<MessageEvent>;
  /** A status (sent, delivered, read, failed, played) for a message the business sent. */
  status: Handler<StatusEvent>;
  /** A user opted out (keyword, unsubscribe button, Meta's marketing stop, 131050); already recorded. */
  optOut: Handler<OptOutEvent>;
  /** A user opted back in (keyword, Meta's marketing resume); already recorded. */
  optIn: Handler<OptInEvent>;
  /** A template's status, quality or category changed; the template cache already knows. */
  templateUpdate: Handler<TemplateUpdateEvent>;
  /** account_update or business_capability_update; restrictions are already in force. */
  accountUpdate: Handler<AccountUpdateEvent>;
  /** Meta warned of enforcement to come (a scheduled disable, a violation); marketing is already slowed. */
  accountWarning: Handler<AccountWarningEvent>;
  /** phone_number_quality_update. */
  qualityUpdate: Handler<QualityUpdateEvent>;
  /** A user called the business (the window is already open). */
  call: Handler<CallEvent>;
  /** The user's BSUID changed; wa-guard already linked the old and new identifiers. */
  userIdUpdate: Handler<UserIdUpdateEvent>;
  /** Meta reported errors for a whole change (e.g. 130429) rather than for one message. */
  error: Handler<ErrorEvent>;
  /** Anything wa-guard does not model; nothing is dropped. */
  unknown: Handler<UnknownEvent>;
  /** A webhook request was refused (bad signature, wrong verify token). */
  "webhook.rejected": (event: { error: WebhookVerificationError }) => void;
}

export type ClientEventName = keyof ClientEvents;

export type { TypedEmitter } from "./internal/typed-emitter.js";
