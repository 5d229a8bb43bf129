/**
 * Attacks: the attack6 fix "a WABA REINSTATE lifts only the WABA's restrictions" (`liftWaba`:
 * `clearRestriction("all", at, undefined, "waba")`) when the client has no WABA-wide store of its
 * own — `redisStores(redis, { phoneNumberId })` without `wabaId` (documented: the WABA's
 * restrictions are then kept per number), or a store set with only `accountHealth`. Then
 * `of("waba")` is the number's own store, and the WABA's reinstatement lifts the number's own
 * BLOCKED reading: the blocked number sends to Meta again. The default client (separate WABA
 * store) is the control.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClientOptions } from "../../../src/index.js";
import { redisStores } from "../../../src/redis/index.js";
import { MemoryAccountHealthStore } from "../../../src/state/index.js";
import { CA, sharedRedis, twoNumbers } from "../attack6/two.js";

const PREFIX = `attack7-reinst-${process.pid}`;
const r = sharedRedis(PREFIX);
beforeAll(r.connect);
afterAll(r.cleanup);

describe("a WABA REINSTATE with the number's own BLOCKED reading, no separate WABA store", () => {
  const run = async (stores: (w: ReturnType<typeof twoNumbers>) => ClientOptions["stores"]) => {
    const w = twoNumbers();
    const given = stores(w);
    const wa = w.client({ transport: w.transport, ...(given && { stores: given }) });
    await wa.consent.grant(CA, { scope: "utility", source: "order" });
    // The WABA disabled, and the number's own node BLOCKED.
    expect((await w.deliver(wa, w.accountUpdate(w.fake.wabaId, w.ban("DISABLE")))).status).toBe(200);
    w.clock.advance(1_000);
    w.fake.setHealth("PHONE_NUMBER", {
      canSendMessage: "BLOCKED",
      errors: [{ code: 141010, description: "x" }],
    });
    await wa.account.health({ refresh: true });
    expect(await w.notice(wa)).toBe("account-health");
    w.clock.advance(5_000);
    expect((await w.deliver(wa, w.accountUpdate(w.fake.wabaId, w.ban("REINSTATE")))).status).toBe(200);
    const before = w.reached.length;
    const outcome = await w.notice(wa);
    return { outcome, reached: w.reached.length - before };
  };

  // Was a gap: with both levels one store, the WABA's lift now names the WABA's sources only.
  it("redisStores without wabaId: the number stays held", async () => {
    const res = await run((w) =>
      redisStores(r.redis, { prefix: `${PREFIX}-a`, phoneNumberId: w.fake.phoneNumberId }),
    );
    expect(res.outcome).toBe("account-health");
    expect(res.reached).toBe(0);
  });

  // Was a gap: with both levels one store, the WABA's lift now names the WABA's sources only.
  it("stores with only accountHealth: the number stays held", async () => {
    const res = await run(() => ({ accountHealth: new MemoryAccountHealthStore() }));
    expect(res.outcome).toBe("account-health");
    expect(res.reached).toBe(0);
  });

  it("control: redisStores with wabaId keeps the number held", async () => {
    const res = await run((w) =>
      redisStores(r.redis, {
        prefix: `${PREFIX}-b`,
        phoneNumberId: w.fake.phoneNumberId,
        wabaId: w.fake.wabaId,
      }),
    );
    expect(res.outcome).toBe("account-health");
  });

  it("control: default memory stores keep the number held", async () => {
    const res = await run(() => undefined);
    expect(res.outcome).toBe("account-health");
  });
});
