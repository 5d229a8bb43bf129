// Account health written before restrictions were kept per source: one hash field per scope
// holding the merged restriction ({scope, source, since, until?}, no "by"). A key written so
// must read as it was written, and what is done to it next must follow the per-source rules
// from there (the old entry is one source's: the one it was stored under).
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, expect, it } from "vitest";
import { type RedisKeyLayout, redisKeys, redisStores } from "../../src/redis/index.js";
import { REDIS_URL, whenRedis } from "../contracts/services.js";

const suite = await whenRedis("the account-health old-layout test");
const PREFIX = `wa-guard-test:old-health:${randomUUID()}`;
const PHONE = "100000000000001";
const WABA = "200000000000002";
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
redis.on("error", () => undefined);

afterAll(async () => {
  const keys = await redis.keys(`${PREFIX}*`).catch(() => [] as string[]);
  if (keys.length) await redis.del(...keys);
  await redis.quit().catch(() => undefined);
});

const DAY = 86_400_000;

suite("account health: a key in the layout before sources were kept apart", () => {
  for (const keyLayout of ["single", "cluster"] as RedisKeyLayout[]) {
    const prefix = `${PREFIX}:${keyLayout}`;
    const keys = redisKeys(prefix, PHONE, keyLayout);
    const stores = () => redisStores(redis, { prefix, phoneNumberId: PHONE, wabaId: WABA, keyLayout });

    it(`${keyLayout}: the old merged entries read as written, lifts and expiry as before`, async () => {
      const phoneKey = `${keys.phone}:health`;
      const wabaKey = `${keys.waba(WABA)}:health`;
      await redis.hset(phoneKey, {
        all: JSON.stringify({ scope: "all", source: "account_update:DISABLED_UPDATE", since: 1_000 }),
        marketing: JSON.stringify({ scope: "marketing", source: "quality:RED", since: 2_000, until: 9_000 }),
        "lift:utility": "5000",
      });
      await redis.hset(wabaKey, {
        marketing_slow: JSON.stringify({
          scope: "marketing_slow",
          source: "account_update:ACCOUNT_VIOLATION:SCAM",
          since: 3_000,
          until: 3_000 + 7 * DAY,
        }),
      });
      const { accountHealth, wabaHealth } = stores();
      const sorted = async (h: typeof accountHealth, now: number) =>
        (await h.active(now)).sort((a, b) => a.scope.localeCompare(b.scope));
      expect(await sorted(accountHealth, 4_000)).toEqual([
        { scope: "all", source: "account_update:DISABLED_UPDATE", since: 1_000 },
        { scope: "marketing", source: "quality:RED", since: 2_000, until: 9_000 },
      ]);
      expect(await wabaHealth.active(4_000)).toEqual([
        {
          scope: "marketing_slow",
          source: "account_update:ACCOUNT_VIOLATION:SCAM",
          since: 3_000,
          until: 3_000 + 7 * DAY,
        },
      ]);
      // The old lift is still remembered: an older restriction of that scope is over.
      await accountHealth.open({ scope: "utility", source: "x", since: 4_000 });
      expect((await accountHealth.active(6_000)).map((r) => r.scope)).not.toContain("utility");
      // A second source on an old entry: both kept; a lift of the new one leaves the old one.
      await accountHealth.open({ scope: "all", source: "health:BLOCKED", since: 5_000, until: 6_000 });
      await accountHealth.close("all", 5_500, "health:BLOCKED");
      expect((await accountHealth.active(5_600)).find((r) => r.scope === "all")).toEqual({
        scope: "all",
        source: "account_update:DISABLED_UPDATE",
        since: 5_000,
      });
      // A lift by the old entry's own source takes it (as before); another source's lifts nothing.
      await accountHealth.close("marketing", 4_000, "quality:YELLOW");
      expect((await accountHealth.active(5_600)).map((r) => r.scope).sort()).toEqual(["all", "marketing"]);
      await accountHealth.close("marketing", 4_000, "quality:RED");
      await accountHealth.close("all", 5_500, "account_update:DISABLED_UPDATE");
      expect(await accountHealth.active(5_600)).toEqual([]);
      // The WABA's old entry: a scheduled disable merged in and lifted by source leaves it.
      await wabaHealth.open({
        scope: "marketing_slow",
        source: "account_update:SCHEDULE_FOR_DISABLE",
        since: 4_000,
      });
      await wabaHealth.close("marketing_slow", 4_500, "account_update:SCHEDULE_FOR_DISABLE");
      expect(await wabaHealth.active(5_000)).toEqual([
        {
          scope: "marketing_slow",
          source: "account_update:ACCOUNT_VIOLATION:SCAM",
          since: 4_000,
          until: 3_000 + 7 * DAY,
        },
      ]);
      // Expiry of an old entry as before.
      expect(await wabaHealth.active(3_000 + 7 * DAY)).toEqual([]);
      expect(await redis.hexists(wabaKey, "marketing_slow")).toBe(0);
    });

    it(`${keyLayout}: a lift without source of an old entry as before`, async () => {
      const key = `${keys.phone}:health`;
      await redis.hset(key, {
        business_initiated: JSON.stringify({
          scope: "business_initiated",
          source: "graph:131048",
          since: 10_000,
          until: 20_000,
        }),
      });
      const { accountHealth } = stores();
      await accountHealth.close("business_initiated", 9_000); // older than its start
      expect((await accountHealth.active(11_000)).map((r) => r.source)).toEqual(["graph:131048"]);
      await accountHealth.close("business_initiated", 10_000);
      expect(await accountHealth.active(11_000)).toEqual([]);
    });
  }
});
