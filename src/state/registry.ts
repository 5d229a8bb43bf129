/**
 * The store registry: which store a client keeps each kind of policy state in. It exists without
 * the policy engine — a client with `policy: false` still keeps consent, windows and the block
 * mirror (webhooks keep them true) — and `withOptions()` hands its registry, or part of it, to
 * the copy it makes.
 */
import { ConfigError } from "../errors/validation.js";
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
  /** The phone number's open restrictions (its quality, Meta's error answers about it), shared by every sender of the number. */
  accountHealth?: AccountHealthStore;
  /**
   * The WABA's open restrictions (a WABA, business or app BLOCKED or LIMITED, `account_update`
   * webhooks, an account locked), shared by every number of the WABA. Without it they are kept
   * in `accountHealth` when that is given (per number), else in memory.
   */
  wabaHealth?: AccountHealthStore;
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
 * for another phone number shares only those two — and, for the same WABA, the WABA's
 * restrictions and template list, when they are kept apart from the number's own (a store set
 * without a WABA-wide store keeps them per number).
 */
export function sharedStores(
  registry: StoreRegistry,
  same: { phoneNumber: boolean; waba: boolean },
): PolicyStores {
  if (same.phoneNumber) return registry;
  const wabaWide =
    same.waba && registry.wabaHealth !== registry.accountHealth
      ? { wabaHealth: registry.wabaHealth, templates: registry.templates }
      : {};
  // In-memory per-number stores go along: the copy's registry gives the new number its own twin
  // of each (the same one any other client of that number on these stores uses).
  const twins: PolicyStores = {};
  for (const key of [
    "sessionWindows",
    "blockMirror",
    "rateLimits",
    "accountHealth",
    "sendHistory",
    "campaigns",
  ] as const)
    if (isMemoryStore(registry[key])) (twins as Record<string, unknown>)[key] = registry[key];
  return {
    consent: registry.consent,
    identity: registry.identity,
    webhookDedup: registry.webhookDedup,
    ...twins,
    ...wabaWide,
  };
}

/** The stores that keep one phone number's state (and the WABA's, when not kept apart). */
const PER_NUMBER_STORES = [
  "sessionWindows",
  "blockMirror",
  "rateLimits",
  "accountHealth",
  "wabaHealth",
  "sendHistory",
  "campaigns",
  "templates",
] as const;

/**
 * A client's `stores` option without what belongs to its phone number, for a `withOptions()` copy
 * with another number. In-memory ones are left behind (the copy makes fresh ones); a shared one
 * (Redis, your own) cannot be split here, so the copy must be given the new number's stores.
 */
export function businessStores(stores: PolicyStores, phoneNumberId: string | undefined): PolicyStores {
  const out: PolicyStores = { ...stores };
  const foreign: string[] = [];
  for (const key of PER_NUMBER_STORES) {
    const store = stores[key];
    if (store === undefined) continue;
    // In-memory ones of the number stay: the copy's registry gives the new number its own twin
    // of each. The WABA's (health, templates) come through sharedStores when the WABA is the same.
    if (!isMemoryStore(store)) foreign.push(key);
    if (!isMemoryStore(store) || key === "wabaHealth" || key === "templates") delete out[key];
  }
  if (foreign.length > 0)
    throw new ConfigError(
      `withOptions({ phoneNumberId }): this client's stores (${foreign.join(", ")}) hold the state of phone number ${phoneNumberId ?? "(unset)"}, ` +
        "which another number must not use; pass the new number's own: withOptions({ phoneNumberId, stores: redisStores(redis, { phoneNumberId, wabaId }) })",
    );
  return out;
}

const MEMORY_KINDS = [
  MemorySessionWindowStore,
  MemoryBlockMirror,
  MemoryRateLimitStore,
  MemoryAccountHealthStore,
  MemorySendHistoryStore,
  MemoryCampaignCheckpointStore,
] as const;

function memoryKind(store: object): (typeof MEMORY_KINDS)[number] | undefined {
  return MEMORY_KINDS.find((kind) => store instanceof kind);
}

function isMemoryStore(store: object): boolean {
  return (
    store instanceof MemorySessionWindowStore ||
    store instanceof MemoryBlockMirror ||
    store instanceof MemoryRateLimitStore ||
    store instanceof MemoryAccountHealthStore ||
    store instanceof MemorySendHistoryStore ||
    store instanceof MemoryCampaignCheckpointStore ||
    store instanceof MemoryTemplateListStore
  );
}

/** The registry of a client: `given` first, then `inherited` (from `withOptions()`), then memory. */
export function storeRegistry(
  given: PolicyStores,
  inherited: PolicyStores,
  clock: Clock,
  phoneNumberId?: string,
): StoreRegistry {
  const stores = { ...inherited, ...given };
  // The WABA's own store, given or inherited, wins over a store set that keeps the WABA's
  // restrictions with the number's (redisStores without wabaId): a copy given such a set still
  // hears what its parent learnt about the WABA.
  const apart = (s: PolicyStores) =>
    s.wabaHealth !== undefined && s.wabaHealth !== s.accountHealth ? s.wabaHealth : undefined;
  const wabaHealth = apart(given) ?? apart(inherited) ?? stores.wabaHealth;
  // One memoryStores() given to clients of two numbers: each number gets its own windows, blocks,
  // rates, health and reach (Meta keeps them per number); consent, identities and the WABA's
  // state stay shared.
  const own = <T extends object>(store: T): T =>
    phoneNumberId === undefined || !isMemoryStore(store) ? store : numberScoped(store, phoneNumberId);
  const accountHealth = own(stores.accountHealth ?? new MemoryAccountHealthStore());
  return {
    accountHealth,
    // A store set without a WABA-wide store keeps every restriction where it keeps the number's.
    wabaHealth:
      wabaHealth !== undefined && wabaHealth !== stores.accountHealth
        ? wabaHealth
        : stores.accountHealth !== undefined
          ? accountHealth
          : new MemoryAccountHealthStore(),
    sendHistory: own(stores.sendHistory ?? new MemorySendHistoryStore()),
    consent: stores.consent ?? new MemoryConsentStore(),
    sessionWindows: own(stores.sessionWindows ?? new MemorySessionWindowStore()),
    blockMirror: own(stores.blockMirror ?? new MemoryBlockMirror()),
    rateLimits: own(stores.rateLimits ?? new MemoryRateLimitStore()),
    webhookDedup: stores.webhookDedup ?? new MemoryWebhookDedupStore(),
    campaigns: own(stores.campaigns ?? new MemoryCampaignCheckpointStore()),
    // Every client has a template list to share: in process by default (withOptions() copies and
    // clients on one memoryStores() share it), or the fleet's (Redis).
    templates: stores.templates ?? new MemoryTemplateListStore(() => clock.now()),
    identity: stores.identity ?? new MemoryIdentityStore(),
  };
}

/** Which phone number an in-memory per-number store belongs to, and its twins for other numbers. */
const owners = new WeakMap<object, { phoneNumberId: string; twins: Map<string, object> }>();

/**
 * The store itself for the first phone number that uses it; for another number, a fresh store
 * of the same kind (one per number, made once), so two numbers never share per-number state.
 */
function numberScoped<T extends object>(store: T, phoneNumberId: string): T {
  const owner = owners.get(store);
  if (!owner) {
    owners.set(store, { phoneNumberId, twins: new Map() });
    return store;
  }
  if (owner.phoneNumberId === phoneNumberId) return store;
  let twin = owner.twins.get(phoneNumberId);
  if (!twin) {
    // A fresh store of the memory kind it is (a subclass's constructor may need what only its
    // author knows, so the base class is made, with its default bounds).
    twin = new (memoryKind(store) as new () => object)();
    owner.twins.set(phoneNumberId, twin);
    owners.set(twin, { phoneNumberId, twins: owner.twins });
  }
  return twin as T;
}
