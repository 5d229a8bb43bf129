/**
 * `wa-guard/redis`: policy state shared through Redis by every instance of a fleet. Works with
 * an ioredis or a node-redis client; this module imports neither.
 *
 * ```ts
 * import Redis from "ioredis";
 * import { redisStores } from "wa-guard/redis";
 * const redis = new Redis({ maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 1000 });
 * const wa = new WhatsAppClient({ phoneNumberId, stores: redisStores(redis, { phoneNumberId }) });
 * ```
 */
export type {
  IoredisLike,
  NodeRedisLike,
  RedisClientLike,
  RedisRunner,
  RedisRunnerOptions,
  Script,
} from "./client.js";
export { redisRunner } from "./client.js";
export { RedisIdentityStore } from "./identity.js";
export type { MigrateRedisLayoutOptions, MigrateRedisLayoutResult } from "./migrate.js";
export { migrateRedisLayout } from "./migrate.js";
export type { RateLimitFallback, RedisKeyLayout, RedisKeys, RedisStoresOptions } from "./stores.js";
export {
  isClusterClient,
  RedisAccountHealthStore,
  RedisBlockMirror,
  RedisCampaignCheckpointStore,
  RedisConsentStore,
  RedisRateLimitStore,
  RedisSendHistoryStore,
  RedisSessionWindowStore,
  RedisTemplateListStore,
  RedisWebhookDedupStore,
  redisKeys,
  redisStores,
} from "./stores.js";
