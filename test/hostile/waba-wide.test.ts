/**
 * Issue 16: what Meta says about the WABA (a WABA, business or app BLOCKED, an account_update, an
 * account locked) stops every number of the WABA, and a template change made or learnt through
 * one number is seen by the others — in process (`withOptions({ phoneNumberId })`) and through
 * Redis (`redisStores({ wabaId })`). What Meta says about one number stays that number's.
 * (Redis: the shared one, under a prefix of this file's own, deleted afterwards.)
 */
import { afterAll, describe, expect, it } from "vitest";
import type { WhatsAppClient } from "../../src/index.js";
import { migrateRedisLayout, redisStores } from "../../src/redis/index.js";
import { CA, SECOND, sharedRedis, twoNumbers } from "./attack6/two.js";

const prefix = `wa-guard-waba-wide-${process.pid}-${Date.now()}`;
const { redis, cleanup } = sharedRedis(prefix);
afterAll(cleanup);

type World = ReturnType<typeof twoNumbers>;

/** The two ways two numbers of one WABA share state: one process, or one Redis. */
const setups: Array<[string, (w: World, p: string) => [WhatsAppClient, WhatsAppClient]]> = [
  [
    "withOptions({ phoneNumberId })",
    (w) => {
      const first = w.client({ transport: w.transport });
      return [first, first.withOptions({ phoneNumberId: SECOND })];
    },
  ],
  [
    "redisStores({ wabaId })",
    (w, p) => {
      const stores = (phoneNumberId: string) =>
        redisStores(redis, { prefix: p, phoneNumberId, wabaId: w.fake.wabaId });
      return [
        w.client({ transport: w.transport, stores: stores(w.fake.phoneNumberId) }),
        w.client({ transport: w.transport, phoneNumberId: SECOND, stores: stores(SECOND) }),
      ];
    },
  ],
];

let n = 0;
describe.each(setups)("WABA-wide state across two numbers: %s", (_name, make) => {
  const fresh = async () => {
    await redis.connect().catch(() => undefined);
    const w = twoNumbers();
    const [first, second] = make(w, `${prefix}-${++n}`);
    await first.consent.grant(CA, { scope: "utility", source: "order" });
    return { w, first, second };
  };

  for (const entity of ["WABA", "BUSINESS", "APP"] as const) {
    it(`a health reading with the ${entity} BLOCKED stops the other number`, async () => {
      const { w, first, second } = await fresh();
      w.fake.setHealth(entity, { canSendMessage: "BLOCKED", errors: [{ code: 141006, description: "x" }] });
      await first.account.health({ refresh: true });
      const before = w.reached.length;
      expect(await w.notice(second)).toBe("account-health");
      expect(await w.notice(first)).toBe("account-health");
      expect(w.reached.length).toBe(before);
    });
  }

  it("a health reading with only the PHONE_NUMBER BLOCKED stops that number, not the other", async () => {
    const { w, first, second } = await fresh();
    w.fake.setHealth("PHONE_NUMBER", { canSendMessage: "BLOCKED", errors: [{ code: 1, description: "x" }] });
    await first.account.health({ refresh: true });
    expect(await w.notice(first)).toBe("account-health");
    expect(await w.notice(second)).toBe("sent");
  });

  it("an account_update DISABLE handled by the first number's endpoint stops the second; REINSTATE lifts both", async () => {
    const { w, first, second } = await fresh();
    const update = (state: string, at: number) => ({
      object: "whatsapp_business_account",
      entry: [
        {
          id: w.fake.wabaId,
          time: Math.floor(at / 1000),
          changes: [
            {
              field: "account_update",
              value: {
                event: "DISABLED_UPDATE",
                ban_info: { waba_ban_state: state, waba_ban_date: "2026-12-01" },
              },
            },
          ],
        },
      ],
    });
    expect((await w.deliver(first, update("DISABLE", w.clock.now()))).status).toBe(200);
    const before = w.reached.length;
    expect(await w.notice(second)).toBe("account-health");
    expect(w.reached.length).toBe(before);
    w.clock.advance(2_000);
    expect((await w.deliver(first, update("REINSTATE", w.clock.now()))).status).toBe(200);
    expect(await w.notice(second)).toBe("sent");
    expect(await w.notice(first)).toBe("sent");
  });

  it("Meta's 368 (the WABA restricted) answered to one number stops the other; 131048 (that number's spam limit) does not", async () => {
    const { w, first, second } = await fresh();
    w.fake.failNext(1, 131048, { operation: "send" });
    expect(await w.notice(first)).toBe("meta:131048");
    expect(await w.notice(first)).toBe("account-health");
    expect(await w.notice(second)).toBe("sent");
    w.fake.failNext(1, 368, { operation: "send" });
    expect(await w.notice(second)).toBe("meta:368");
    const before = w.reached.length;
    expect(await w.notice(second)).toBe("account-health");
    expect(await w.notice(first)).toBe("account-health");
    expect(w.reached.length).toBe(before);
  });

  it("a template deleted through one number is not sent from the other", async () => {
    const { w, first, second } = await fresh();
    expect(await w.notice(first)).toBe("sent");
    expect(await w.notice(second)).toBe("sent");
    await first.templates.delete({ name: "notice" });
    // A remote shared list is looked at again every `template.sharedCheckMs` (5 s).
    w.clock.advance(5_000);
    const before = w.reached.length;
    expect(await w.notice(second)).toBe("template");
    expect(w.reached.length).toBe(before);
  });
});

describe("WABA-wide state: what stays apart", () => {
  it("redisStores without wabaId keeps a WABA BLOCKED per number (the documented default)", async () => {
    await redis.connect().catch(() => undefined);
    const w = twoNumbers();
    const p = `${prefix}-apart`;
    const first = w.client({
      transport: w.transport,
      stores: redisStores(redis, { prefix: p, phoneNumberId: w.fake.phoneNumberId }),
    });
    const second = w.client({
      transport: w.transport,
      phoneNumberId: SECOND,
      stores: redisStores(redis, { prefix: p, phoneNumberId: SECOND }),
    });
    await first.consent.grant(CA, { scope: "utility", source: "order" });
    w.fake.setHealth("WABA", { canSendMessage: "BLOCKED", errors: [{ code: 141006, description: "x" }] });
    await first.account.health({ refresh: true });
    expect(await w.notice(first)).toBe("account-health");
    expect(await w.notice(second)).toBe("sent");
  });

  it("withOptions({ phoneNumberId, wabaId }) of another WABA shares neither restrictions nor templates", async () => {
    const w = twoNumbers();
    const first = w.client({ transport: w.transport });
    const other = first.withOptions({ phoneNumberId: SECOND, wabaId: "300000000000003" });
    await first.consent.grant(CA, { scope: "utility", source: "order" });
    w.fake.setHealth("WABA", { canSendMessage: "BLOCKED", errors: [{ code: 141006, description: "x" }] });
    await first.account.health({ refresh: true });
    expect(await w.notice(first)).toBe("account-health");
    // The fake has no templates for that WABA: refused by the template guard, not by the health hold.
    expect(await w.notice(other)).toBe("template");
  });

  it("redisStores refuses a wabaId that is not an id", () => {
    expect(() => redisStores(redis, { phoneNumberId: "1", wabaId: "waba-1" })).toThrow(/wabaId/);
  });

  it("migrateRedisLayout copies the WABA's restrictions and leaves its template list behind", async () => {
    await redis.connect().catch(() => undefined);
    const w = twoNumbers();
    const p = `${prefix}-migrate`;
    const single = w.client({
      transport: w.transport,
      stores: redisStores(redis, { prefix: p, phoneNumberId: w.fake.phoneNumberId, wabaId: w.fake.wabaId }),
    });
    await single.consent.grant(CA, { scope: "utility", source: "order" });
    expect(await w.notice(single)).toBe("sent"); // fills the WABA's template list
    w.fake.setHealth("WABA", { canSendMessage: "BLOCKED", errors: [{ code: 141006, description: "x" }] });
    await single.account.health({ refresh: true });
    expect(await redis.exists(`${p}:waba:${w.fake.wabaId}:templates`)).toBe(1);
    await migrateRedisLayout(redis, redis, { prefix: p, from: "single", to: "cluster" });
    expect(await redis.exists(`${p}:waba:{${w.fake.wabaId}}:health`)).toBe(1);
    expect(await redis.exists(`${p}:waba:{${w.fake.wabaId}}:templates`)).toBe(0);
    const cluster = w.client({
      transport: w.transport,
      phoneNumberId: SECOND,
      stores: redisStores(redis, {
        prefix: p,
        phoneNumberId: SECOND,
        wabaId: w.fake.wabaId,
        keyLayout: "cluster",
      }),
    });
    expect(await w.notice(cluster)).toBe("account-health");
  });
});
