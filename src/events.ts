/** The events a client emits are declared beside the webhook events (`webhooks/events.ts`). */

export type { TypedEmitter } from "./internal/typed-emitter.js";
export type { ClientEventName, ClientEvents } from "./webhooks/events.js";
