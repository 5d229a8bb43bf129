import { MemoryAccountHealthStore } from "./account-health.js";
import { MemoryBlockMirror } from "./block-mirror.js";
import { MemoryCampaignCheckpointStore } from "./campaign-checkpoints.js";
import { MemoryConsentStore } from "./consent.js";
import { MemoryIdentityStore } from "./identity.js";
import { MemoryRateLimitStore } from "./rate-limits.js";
import type { PolicyStores } from "./registry.js";
import { MemorySendHistoryStore } from "./send-history.js";
import { MemorySessionWindowStore } from "./session-windows.js";
import { MemoryTemplateListStore } from "./template-list.js";
import { MemoryWebhookDedupStore } from "./webhook-dedup.js";

/** Every in-memory store, made once: pass the same object to several clients to share them. */
export type MemoryStores = Required<PolicyStores>;

/**
 * A fresh set of in-memory stores. Clients given the same set share policy state — and its
 * atomicity: together they cannot pass a cap that one client alone could not.
 *
 * @example
 * const stores = memoryStores();
 * const a = new WhatsAppClient({ ...options, stores });
 * const b = new WhatsAppClient({ ...options, stores }); // same consent, windows, caps
 */
export function memoryStores(): MemoryStores {
  return {
    accountHealth: new MemoryAccountHealthStore(),
    wabaHealth: new MemoryAccountHealthStore(),
    sendHistory: new MemorySendHistoryStore(),
    consent: new MemoryConsentStore(),
    sessionWindows: new MemorySessionWindowStore(),
    blockMirror: new MemoryBlockMirror(),
    rateLimits: new MemoryRateLimitStore(),
    webhookDedup: new MemoryWebhookDedupStore(),
    campaigns: new MemoryCampaignCheckpointStore(),
    templates: new MemoryTemplateListStore(),
    identity: new MemoryIdentityStore(),
  };
}
