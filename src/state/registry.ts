/**
 * The store registry: which store a client keeps each kind of policy state in. It exists without
 * the policy engine — a client with `policy: false` still keeps consent, windows and the block
 * mirror (webhooks keep them true) — and `withOptions()` hands its registry, or part of it, to
 * the copy it makes.
 */
import { type AccountHealthStore, MemoryAccountHealthStore } from "./account-health.js";
import { type BlockMirror, MemoryBlockMirror } from "./block-mirror.js";
import { type CampaignCheckpointStore, MemoryCampaignCheckpointStore } from "./campaign-checkpoints.js";
import type { Clock } from "./clock.js";
import { type ConsentStore, MemoryConsentStore } from "./consent.js";
import { type IdentityStore, MemoryIdentityStore } from "./identity.js";
import { MemoryRateLimitStore, type RateLimitStore } from "./rate-limits.js";
import { MemorySendHistoryStore, type SendHistoryStore } from "./send-history.js";
import { MemorySessionWindowStore, type SessionWindowStore } from "./session-windows.js";
import { MemoryTemplateListStore, type TemplateListStore } from "./template-list.js";
import { MemoryWebhookDedupStore, type WebhookDedupStore } from "./webhook-dedup.js";

/** Where policy state lives. Memory stores by default; share Redis stores across instances. */
export interface PolicyStores {
  /** The account's open restrictions (from webhooks and Meta's error answers), shared by every sender of the number. */
  accountHealth?: AccountHealthStore;
  /** Business-initiated sends, for the messaging-limit and frequency guards. */
  sendHistory?: SendHistoryStore;
  /** The append-only consent ledger: opt-ins, opt-outs, their source and proof. */
  consent?: ConsentStore;
  /** When each user last wrote: the 24-hour customer service windows. */
  sessionWindows?: SessionWindowStore;
  /** The business's block list, mirrored so a send to a blocked user is refused locally. */
  blockMirror?: BlockMirror;
  /** Throughput and pair-rate counters. */
  rateLimits?: RateLimitStore;
  /** Which webhook events were already processed. */
  webhookDedup?: WebhookDedupStore;
  /** Which campaign recipients were sent (or may have been): `wa.campaigns.run` never repeats them. */
  campaigns?: CampaignCheckpointStore;
  /** The template list shared by instances (Redis): none by default, each client fetches its own. */
  templates?: TemplateListStore;
  /** Which phone numbers and BSUIDs name one person: every guard reads state under all of them. */
  identity?: IdentityStore;
}

/** Every store a client uses: the ones given, and a fresh memory store for each kind not given. */
export type StoreRegistry = Required<PolicyStores>;

/**
 * The stores `withOptions()` shares with the copy it makes. Windows, blocks, rates, health and
 * reach belong to one phone number, consent and who is who (identities) to the business: a copy
 * for another phone number shares only those two.
 */
export function sharedStores(registry: StoreRegistry, samePhoneNumber: boolean): PolicyStores {
  return samePhoneNumber ? registry : { consent: registry.consent, identity: registry.identity };
}

/** The registry of a client: `given` first, then `inherited` (from `withOptions()`), then memory. */
export function storeRegistry(given: PolicyStores, inherited: PolicyStores, clock: Clock): StoreRegistry {
  const stores = { ...inherited, ...given };
  return {
    accountHealth: stores.accountHealth ?? new MemoryAccountHealthStore(),
    sendHistory: stores.sendHistory ?? new MemorySendHistoryStore(),
    consent: stores.consent ?? new MemoryConsentStore(),
    sessionWindows: stores.sessionWindows ?? new MemorySessionWindowStore(),
    blockMirror: stores.blockMirror ?? new MemoryBlockMirror(),
    rateLimits: stores.rateLimits ?? new MemoryRateLimitStore(),
    webhookDedup: stores.webhookDedup ?? new MemoryWebhookDedupStore(),
    campaigns: stores.campaigns ?? new MemoryCampaignCheckpointStore(),
    // Every client has a template list to share: in process by default (withOptions() copies and
    // clients on one memoryStores() share it), or the fleet's (Redis).
    templates: stores.templates ?? new MemoryTemplateListStore(() => clock.now()),
    identity: stores.identity ?? new MemoryIdentityStore(),
  };
}
