/**
 * Attacks: "a WABA id given in one place and not another". docs/account-health.md: "in one
 * process, a client and its withOptions({ phoneNumberId }) copies (the same wabaId)" share the
 * WABA's state. A copy for the second number must be given that number's own Redis stores (a
 * ConfigError says so); given them without `wabaId` (the client already knows the WABA), the
 * copy keeps the WABA's restrictions apart and sends while the WABA is BLOCKED.
 * Also checks the documented default is unchanged: redisStores without wabaId keeps a WABA
 * restriction under the number's own key (`<prefix>:<phoneNumberId>:health`), as before.
 */
import { afterAll, describe, expect, it } from "vitest";
import { redisStores } from "../../../src/redis/index.js";
import { CA, SECOND, sharedRedis, twoNumbers } from "./two.js";

const prefix = `wa-guard-attack6-wo-${process.pid}-${Date.now()}`;
const { redis, connect, cleanup } = sharedRedis(prefix);
afterAll(cleanup);

describe("withOptions({ phoneNumberId }) given its own stores", () => {
  it("a copy given redisStores without wabaId still stops while the WABA is BLOCKED", async () => {
    await connect();
    const w = twoNumbers();
    const p = `${prefix}-a`;
    const first = w.client({
      transport: w.transport,
      stores: redisStores(redis, { prefix: p, phoneNumberId: w.fake.phoneNumberId, wabaId: w.fake.wabaId }),
    });
    // The client knows its WABA (wabaId in its options); the copy inherits it.
    const second = first.withOptions({
      phoneNumberId: SECOND,
      stores: redisStores(redis, { prefix: p, phoneNumberId: SECOND }),
    });
    await first.consent.grant(CA, { scope: "utility", source: "order" });
    w.fake.setHealth("WABA", { canSendMessage: "BLOCKED", errors: [{ code: 141006, description: "x" }] });
    await first.account.health({ refresh: true });
    expect(await w.notice(first)).toBe("account-health");
    const before = w.reached.length;
    expect(await w.notice(second)).toBe("account-health");
    expect(w.reached.length).toBe(before);
  });

  it("held: redisStores without wabaId keeps a WABA-level restriction under the number's own key, as before", async () => {
    await connect();
    const w = twoNumbers();
    const p = `${prefix}-b`;
    const wa = w.client({
      transport: w.transport,
      stores: redisStores(redis, { prefix: p, phoneNumberId: w.fake.phoneNumberId }),
    });
    await wa.consent.grant(CA, { scope: "utility", source: "order" });
    expect((await w.deliver(wa, w.accountUpdate(w.fake.wabaId, w.ban("DISABLE")))).status).toBe(200);
    expect(await redis.exists(`${p}:${w.fake.phoneNumberId}:health`)).toBe(1);
    expect((await redis.keys(`${p}:waba:*`)).length).toBe(0);
    // An instance of the number on the same Redis sees it.
    const again = w.client({
      transport: w.transport,
      stores: redisStores(redis, { prefix: p, phoneNumberId: w.fake.phoneNumberId }),
    });
    expect(await w.notice(again)).toBe("account-health");
  });
});
