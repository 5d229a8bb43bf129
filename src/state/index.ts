/**
 * `wa-guard/stores`: where policy state lives. The store interfaces (implement one to keep state
 * elsewhere), the in-memory stores a client uses by default, and `memoryStores()` to share one
 * set between clients. Redis and PostgreSQL stores are in `wa-guard/redis` and `wa-guard/postgres`.
 */
export type { AccountHealthStore, Restriction, RestrictionScope } from "./account-health.js";
export { MemoryAccountHealthStore } from "./account-health.js";
export type { BlockMirror } from "./block-mirror.js";
export { BLOCK_LIST_CAP, MemoryBlockMirror } from "./block-mirror.js";
export type { CampaignCheckpointStore, CheckpointEntry, PendingCheckpoint } from "./campaign-checkpoints.js";
export { MemoryCampaignCheckpointStore } from "./campaign-checkpoints.js";
export type { ConsentEvent, ConsentScope, ConsentStatus, ConsentStore } from "./consent.js";
export { consentStatus, MemoryConsentStore, mergeHistories } from "./consent.js";
export type { IdentityLink, IdentityStore } from "./identity.js";
export { MemoryIdentityStore } from "./identity.js";
export type { MemoryStores } from "./memory.js";
export { memoryStores } from "./memory.js";
export type { RateDecision, RateLimitStore } from "./rate-limits.js";
export { MemoryRateLimitStore } from "./rate-limits.js";
export type { PolicyStores } from "./registry.js";
export type { SendHistoryStore } from "./send-history.js";
export { MemorySendHistoryStore } from "./send-history.js";
export type { SessionWindowStore } from "./session-windows.js";
export { MemorySessionWindowStore } from "./session-windows.js";
export type { MessageTemplate } from "./template.js";
export type { SharedTemplateList, TemplateListStore } from "./template-list.js";
export { MemoryTemplateListStore } from "./template-list.js";
export type { DedupState, WebhookDedupStore } from "./webhook-dedup.js";
export { DEDUP_LEASE_MS, DEDUP_TTL_MS, MemoryWebhookDedupStore } from "./webhook-dedup.js";
