import type { Cluster, Redis } from "ioredis";
import type { createClient, createCluster } from "redis";
import { describe, expectTypeOf, it } from "vitest";
import type { IoredisLike, NodeRedisLike, RedisClientLike } from "../../src/redis/index.js";
import { redisStores } from "../../src/redis/index.js";

// Checked by `npm run typecheck`: the structural client types wa-guard publishes fit the real
// clients of both libraries, and nothing else.
describe("redisStores() accepts ioredis and node-redis clients by shape", () => {
  it("fits ioredis Redis and Cluster, node-redis clients and clusters", () => {
    expectTypeOf<Redis>().toExtend<IoredisLike>();
    expectTypeOf<Cluster>().toExtend<IoredisLike>();
    expectTypeOf<ReturnType<typeof createClient>>().toExtend<NodeRedisLike>();
    expectTypeOf<ReturnType<typeof createCluster>>().toExtend<NodeRedisLike>();
    expectTypeOf<{ get(key: string): Promise<string> }>().not.toExtend<RedisClientLike>();
    expectTypeOf(redisStores).parameter(0).toEqualTypeOf<RedisClientLike>();
  });
});
