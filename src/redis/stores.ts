import { ConfigError } from "../errors/validation.js";
import type { PolicyStores } from "../state/registry.js";
import { RedisAccountHealthStore } from "./account-health.js";
import { RedisBlockMirror } from "./block-mirror.js";
import { RedisCampaignCheckpointStore } from "./campaign-checkpoints.js";
import { type RedisClientLike, type RedisRunnerOptions, redisRunner } from "./client.js";
import { RedisConsentStore } from "./consent.js";
import { RedisIdentityStore } from "./identity.js";
import { type RateLimitFallback, RedisRateLimitStore } from "./rate-limits.js";
import { RedisSendHistoryStore } from "./send-history.js";
import { RedisSessionWindowStore } from "./session-windows.js";
import { RedisTemplateListStore } from "./template-list.js";
import { RedisWebhookDedupStore } from "./webhook-dedup.js";

// Each store lives in its own file with the Lua scripts it runs; this module names the keys
// (one layout for a single Redis, one for a Cluster) and builds the set of stores.
export { RedisAccountHealthStore } from "./account-health.js";
export { RedisBlockMirror } from "./block-mirror.js";
export { RedisCampaignCheckpointStore } from "./campaign-checkpoints.js";
export { RedisConsentStore } from "./consent.js";
export { type RateLimitFallback, RedisRateLimitStore } from "./rate-limits.js";
export { RedisSendHistoryStore } from "./send-history.js";
export { RedisSessionWindowStore } from "./session-windows.js";
export { RedisTemplateListStore } from "./template-list.js";
export { RedisWebhookDedupStore } from "./webhook-dedup.js";

/**
 * How keys are named. `single`: the names every release before Cluster support used, for one
 * Redis (no hash tags). `cluster`: every key carries a hash tag, so each script touches one slot —
 * per phone number `<prefix>:{<phone number id>}:…`, per person `<prefix>:consent:{<id>}`,
 * `<prefix>:who:{<id>}`, `<prefix>:seen:{<event>}`. The two layouts name different keys: moving
 * from one to the other is a copy ({@link migrateRedisLayout}), never a switch of this option.
 */
export type RedisKeyLayout = "single" | "cluster";

/** An ioredis `Cluster` (`isCluster`) or a node-redis cluster client (`masters`). */
export function isClusterClient(client: unknown): boolean {
  if (client === null || typeof client !== "object") return false;
  const c = client as { isCluster?: unknown };
  return c.isCluster === true || "masters" in client;
}

/** Where each kind of state lives, for one prefix and phone number in one layout. */
export interface RedisKeys {
  /** Per phone number: windows, blocks, health, rates, sends, campaigns, templates. */
  readonly phone: string;
  /** Per WABA: the WABA's restrictions and its template list (with `wabaId`). */
  readonly waba: (wabaId: string) => string;
  readonly consent: (key: string) => string;
  readonly seen: (key: string) => string;
  readonly who: (id: string) => string;
}

/** The key names of a layout (see {@link RedisKeyLayout}). */
export function redisKeys(prefix: string, phoneNumberId: string, layout: RedisKeyLayout): RedisKeys {
  if (layout === "single")
    return {
      phone: `${prefix}:${phoneNumberId}`,
      waba: (w) => `${prefix}:waba:${w}`,
      consent: (k) => `${prefix}:consent:${k}`,
      seen: (k) => `${prefix}:seen:${k}`,
      who: (k) => `${prefix}:who:${k}`,
    };
  return {
    phone: `${prefix}:{${phoneNumberId}}`,
    waba: (w) => `${prefix}:waba:{${w}}`,
    consent: (k) => `${prefix}:consent:{${k}}`,
    seen: (k) => `${prefix}:seen:{${k}}`,
    who: (k) => `${prefix}:who:{${k}}`,
  };
}

export interface RedisStoresOptions extends RedisRunnerOptions {
  /** Prefix of every key. @default "wa-guard" */
  prefix?: string;
  /**
   * Key names (see {@link RedisKeyLayout}). A Redis Cluster client needs `cluster`.
   * @default "cluster" for an ioredis `Cluster` or a node-redis cluster client, "single" otherwise
   */
  keyLayout?: RedisKeyLayout;
  /**
   * The phone number the state belongs to: windows, blocks, rate limits and health are per
   * phone number; consent and webhook de-duplication are per business (prefix only).
   */
  phoneNumberId: string;
  /**
   * The WABA the phone number belongs to. With it, what concerns every number of the WABA is
   * kept once for all of them: the WABA's restrictions (a WABA, business or app BLOCKED, an
   * `account_update` from Meta, an account locked) and the template list, so a template paused,
   * edited or deleted through one number is seen by the others at once. Without it both are kept
   * per phone number (each number's instances learn of them on their own).
   */
  wabaId?: string;
  /**
   * Rate limits while Redis is unreachable (every other decision fails closed with
   * `StoreUnavailableError`). @default { mode: "local", instances: 1 }
   */
  rateLimitFallback?: RateLimitFallback;
  /** How long a campaign's checkpoint is kept after its last change. @default 30 days */
  campaignTtlMs?: number;
}

/**
 * Policy state in Redis, shared by every instance that uses the same prefix: a window opened by
 * a webhook on one instance allows a reply from another, an opt-out recorded anywhere stops
 * marketing everywhere, and rate decisions hold for the fleet. Pass the result as
 * `stores` to `WhatsAppClient`.
 *
 */
export function redisStores(
  client: RedisClientLike,
  options: RedisStoresOptions,
): Required<
  Pick<
    PolicyStores,
    | "sessionWindows"
    | "consent"
    | "blockMirror"
    | "accountHealth"
    | "wabaHealth"
    | "webhookDedup"
    | "rateLimits"
    | "sendHistory"
    | "campaigns"
    | "templates"
    | "identity"
  >
> {
  const redis = redisRunner(client, options);
  const prefix = options.prefix ?? "wa-guard";
  if (typeof options.phoneNumberId !== "string" || !/^\d+$/.test(options.phoneNumberId)) {
    throw new TypeError(
      "redisStores() needs { phoneNumberId } (digits): windows, blocks and limits are per number",
    );
  }
  if (options.wabaId !== undefined && (typeof options.wabaId !== "string" || !/^\d+$/.test(options.wabaId)))
    throw new ConfigError(
      `redisStores(): wabaId must be the WABA's id (digits), got ${String(options.wabaId)}`,
    );
  const layout = keyLayoutOf(client, options.keyLayout, prefix);
  const keys = redisKeys(prefix, options.phoneNumberId, layout);
  const phone = keys.phone;
  const accountHealth = new RedisAccountHealthStore(redis, `${phone}:health`);
  const waba = options.wabaId === undefined ? undefined : keys.waba(options.wabaId);
  return {
    sessionWindows: new RedisSessionWindowStore(redis, `${phone}:window:`),
    consent: new RedisConsentStore(redis, keys.consent),
    blockMirror: new RedisBlockMirror(redis, `${phone}:blocked`),
    accountHealth,
    wabaHealth: waba === undefined ? accountHealth : new RedisAccountHealthStore(redis, `${waba}:health`),
    webhookDedup: new RedisWebhookDedupStore(redis, keys.seen),
    rateLimits: new RedisRateLimitStore(redis, `${phone}:rate:`, options.rateLimitFallback),
    sendHistory: new RedisSendHistoryStore(redis, `${phone}:sent:`),
    campaigns: new RedisCampaignCheckpointStore(redis, `${phone}:campaign:`, options.campaignTtlMs),
    templates: new RedisTemplateListStore(redis, `${waba ?? phone}:templates`),
    identity: new RedisIdentityStore(redis, keys.who),
  };
}

function keyLayoutOf(client: unknown, asked: unknown, prefix: string): RedisKeyLayout {
  if (asked !== undefined && asked !== "single" && asked !== "cluster")
    throw new ConfigError(`redisStores(): keyLayout must be "single" or "cluster", got ${String(asked)}`);
  const cluster = isClusterClient(client);
  if (cluster && asked === "single")
    throw new ConfigError(
      'redisStores(): a Redis Cluster client needs keyLayout "cluster" (the single layout spans slots); ' +
        "copy an existing single Redis with migrateRedisLayout()",
    );
  const layout = asked ?? (cluster ? "cluster" : "single");
  if (layout === "cluster" && /[{}]/.test(prefix))
    throw new ConfigError('redisStores(): with keyLayout "cluster" the prefix may not contain "{" or "}"');
  return layout;
}
