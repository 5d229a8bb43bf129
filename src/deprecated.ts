/**
 * Names the root entry exported before the stores moved to `wa-guard/stores` (see CHANGELOG.md):
 * kept, deprecated, for one release so code written against the root entry keeps compiling while
 * it moves its imports; then this module goes. Declarations rather than re-exports, so the
 * `@deprecated` tag reaches the published declarations (and editors strike the names through).
 */
import type * as types from "./state/index.js";
import * as stores from "./state/index.js";

/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export const BLOCK_LIST_CAP = stores.BLOCK_LIST_CAP;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export const consentStatus = stores.consentStatus;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export const DEDUP_LEASE_MS = stores.DEDUP_LEASE_MS;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export const DEDUP_TTL_MS = stores.DEDUP_TTL_MS;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export const memoryStores = stores.memoryStores;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export const mergeHistories = stores.mergeHistories;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export const MemoryAccountHealthStore = stores.MemoryAccountHealthStore;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export type MemoryAccountHealthStore = stores.MemoryAccountHealthStore;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export const MemoryBlockMirror = stores.MemoryBlockMirror;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export type MemoryBlockMirror = stores.MemoryBlockMirror;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export const MemoryCampaignCheckpointStore = stores.MemoryCampaignCheckpointStore;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export type MemoryCampaignCheckpointStore = stores.MemoryCampaignCheckpointStore;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export const MemoryConsentStore = stores.MemoryConsentStore;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export type MemoryConsentStore = stores.MemoryConsentStore;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export const MemoryIdentityStore = stores.MemoryIdentityStore;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export type MemoryIdentityStore = stores.MemoryIdentityStore;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export const MemoryRateLimitStore = stores.MemoryRateLimitStore;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export type MemoryRateLimitStore = stores.MemoryRateLimitStore;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export const MemorySendHistoryStore = stores.MemorySendHistoryStore;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export type MemorySendHistoryStore = stores.MemorySendHistoryStore;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export const MemorySessionWindowStore = stores.MemorySessionWindowStore;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export type MemorySessionWindowStore = stores.MemorySessionWindowStore;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export const MemoryTemplateListStore = stores.MemoryTemplateListStore;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export type MemoryTemplateListStore = stores.MemoryTemplateListStore;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export const MemoryWebhookDedupStore = stores.MemoryWebhookDedupStore;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export type MemoryWebhookDedupStore = stores.MemoryWebhookDedupStore;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export type AccountHealthStore = types.AccountHealthStore;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export type BlockMirror = types.BlockMirror;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export type CampaignCheckpointStore = types.CampaignCheckpointStore;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export type CheckpointEntry = types.CheckpointEntry;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export type ConsentStore = types.ConsentStore;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export type DedupState = types.DedupState;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export type IdentityLink = types.IdentityLink;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export type IdentityStore = types.IdentityStore;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export type MemoryStores = types.MemoryStores;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export type PendingCheckpoint = types.PendingCheckpoint;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export type RateDecision = types.RateDecision;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export type RateLimitStore = types.RateLimitStore;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export type SendHistoryStore = types.SendHistoryStore;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export type SessionWindowStore = types.SessionWindowStore;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export type SharedTemplateList = types.SharedTemplateList;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export type TemplateListStore = types.TemplateListStore;
/** @deprecated Import from `wa-guard/stores`; the root entry's copy goes in the next release. */
export type WebhookDedupStore = types.WebhookDedupStore;
