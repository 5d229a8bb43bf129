/**
 * Attacks: account_update webhooks twice, late and out of order, on memory and Redis stores
 * (WABA-wide, `redisStores({ wabaId })`), read by the WABA's other number. Meta's timestamps
 * decide: a DISABLE older than a REINSTATE changes nothing whenever it arrives, a DISABLE newer
 * than it stops both numbers, and a redelivery changes nothing.
 */
import { afterAll, describe, expect, it } from "vitest";
import type { WhatsAppClient } from "../../../src/index.js";
import { redisStores } from "../../../src/redis/index.js";
import { CA, SECOND, sharedRedis, twoNumbers } from "./two.js";

const prefix = `wa-guard-attack6-order-${process.pid}-${Date.now()}`;
const { redis, connect, cleanup } = sharedRedis(prefix);
afterAll(cleanup);

type W = ReturnType<typeof twoNumbers>;
let n = 0;
const setups: Array<[string, (w: W) => Promise<[WhatsAppClient, WhatsAppClient]>]> = [
  [
    "withOptions (memory)",
    async (w) => {
      const first = w.client({ transport: w.transport });
      return [first, first.withOptions({ phoneNumberId: SECOND })];
    },
  ],
  [
    "redisStores({ wabaId })",
    async (w) => {
      await connect();
      const p = `${prefix}-${++n}`;
      const s = (id: string) => redisStores(redis, { prefix: p, phoneNumberId: id, wabaId: w.fake.wabaId });
      return [
        w.client({ transport: w.transport, stores: s(w.fake.phoneNumberId) }),
        w.client({ transport: w.transport, phoneNumberId: SECOND, stores: s(SECOND) }),
      ];
    },
  ],
];

describe.each(setups)("account_update order (%s)", (_name, make) => {
  const fresh = async () => {
    const w = twoNumbers();
    const [first, second] = await make(w);
    await first.consent.grant(CA, { scope: "utility", source: "order" });
    return { w, first, second };
  };

  it("a REINSTATE that arrives before the older DISABLE it ends: both numbers send", async () => {
    const { w, first, second } = await fresh();
    const t = w.clock.now();
    w.clock.advance(10_000);
    expect(
      (await w.deliver(first, w.accountUpdate(w.fake.wabaId, w.ban("REINSTATE"), t + 5_000))).status,
    ).toBe(200);
    expect((await w.deliver(first, w.accountUpdate(w.fake.wabaId, w.ban("DISABLE"), t))).status).toBe(200);
    expect(await w.notice(second)).toBe("sent");
    expect(await w.notice(first)).toBe("sent");
  });

  it("a DISABLE newer than the REINSTATE stops both; the REINSTATE delivered again changes nothing", async () => {
    const { w, first, second } = await fresh();
    const t = w.clock.now();
    w.clock.advance(10_000);
    const reinstate = w.accountUpdate(w.fake.wabaId, w.ban("REINSTATE"), t);
    expect((await w.deliver(first, reinstate)).status).toBe(200);
    expect((await w.deliver(first, w.accountUpdate(w.fake.wabaId, w.ban("DISABLE"), t + 5_000))).status).toBe(
      200,
    );
    expect((await w.deliver(second, reinstate)).status).toBe(200);
    const before = w.reached.length;
    expect(await w.notice(second)).toBe("account-health");
    expect(await w.notice(first)).toBe("account-health");
    expect(w.reached.length).toBe(before);
  });

  it("a DISABLE delivered twice, one REINSTATE later: both send", async () => {
    const { w, first, second } = await fresh();
    const t = w.clock.now();
    const disable = w.accountUpdate(w.fake.wabaId, w.ban("DISABLE"), t);
    expect((await w.deliver(first, disable)).status).toBe(200);
    expect((await w.deliver(second, disable)).status).toBe(200);
    w.clock.advance(5_000);
    expect((await w.deliver(second, w.accountUpdate(w.fake.wabaId, w.ban("REINSTATE")))).status).toBe(200);
    expect(await w.notice(first)).toBe("sent");
    expect(await w.notice(second)).toBe("sent");
  });
});
