import type { TypedEmitter } from "../internal/typed-emitter.js";
import type { OptOutEvent, StatusEvent, TemplateUpdateEvent } from "./events.js";

/**
 * What the webhook handler tells running campaigns (`campaigns/` listens; the handler never calls
 * a campaign). Not part of the public surface: `webhooks/events.ts` holds only public types.
 */
export type CampaignSignals = TypedEmitter<{
  status: (event: StatusEvent) => void;
  templateUpdate: (event: TemplateUpdateEvent) => void;
  optOut: (event: OptOutEvent) => void;
}>;
