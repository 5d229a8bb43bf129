/**
 * Attacks: a health store keeps one restriction per scope; two of one scope merge and keep the
 * source of the longer one (`merge`). A lift by source (`clearRestriction(scope, at, source)`)
 * then deletes the merged entry, and with it the other restriction it absorbed:
 * - ACCOUNT_VIOLATION (WABA, marketing_slow for 7 days: "no lift exists") then
 *   SCHEDULE_FOR_DISABLE (WABA, marketing_slow, open-ended) then REINSTATE: the REINSTATE ends the
 *   scheduled-disable slowdown by source, and the violation's slowdown goes with it.
 * - A fleet moving to `redisStores({ wabaId })` (the case `liftWaba` keeps per-number lifts for:
 *   "the ones the same webhooks recorded per number before the WABA had a store"): a DISABLE kept
 *   per number before the move, then the number's own BLOCKED reading (merged into it, source
 *   DISABLED_UPDATE), then a REINSTATE: the number's BLOCKED is lifted and it sends to Meta.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClientOptions, WhatsAppClient } from "../../../src/index.js";
import { redisStores } from "../../../src/redis/index.js";
import { CA, sharedRedis, twoNumbers } from "../attack6/two.js";

const PREFIX = `attack7-merged-${process.pid}`;
const r = sharedRedis(PREFIX);
beforeAll(r.connect);
afterAll(r.cleanup);

const scopes = async (w: ReturnType<typeof twoNumbers>, wa: WhatsAppClient) =>
  (await wa.policy.pipeline!.health.active(w.clock.now())).map((x) => `${x.scope}:${x.source}`);

describe("a REINSTATE after a violation and a scheduled disable", () => {
  const run = async (
    stores: (w: ReturnType<typeof twoNumbers>) => ClientOptions["stores"],
    schedule: boolean,
  ) => {
    const w = twoNumbers();
    const given = stores(w);
    const wa = w.client({ transport: w.transport, ...(given && { stores: given }) });
    const violation = { event: "ACCOUNT_VIOLATION", violation_info: { violation_type: "SCAM" } };
    expect((await w.deliver(wa, w.accountUpdate(w.fake.wabaId, violation))).status).toBe(200);
    w.clock.advance(1_000);
    if (schedule)
      expect(
        (await w.deliver(wa, w.accountUpdate(w.fake.wabaId, w.ban("SCHEDULE_FOR_DISABLE")))).status,
      ).toBe(200);
    w.clock.advance(1_000);
    expect((await w.deliver(wa, w.accountUpdate(w.fake.wabaId, w.ban("REINSTATE")))).status).toBe(200);
    w.clock.advance(1_000);
    return scopes(w, wa);
  };

  // Was a gap (one restriction per scope); restrictions are now kept per scope and source.
  it("memory: the violation's marketing slowdown stays", async () => {
    expect((await run(() => undefined, true)).some((s) => s.startsWith("marketing_slow:"))).toBe(true);
  });

  // Was a gap (one restriction per scope); restrictions are now kept per scope and source.
  it("redis with wabaId: the violation's marketing slowdown stays", async () => {
    const active = await run(
      (w) =>
        redisStores(r.redis, {
          prefix: `${PREFIX}-v`,
          phoneNumberId: w.fake.phoneNumberId,
          wabaId: w.fake.wabaId,
        }),
      true,
    );
    expect(active.some((s) => s.startsWith("marketing_slow:"))).toBe(true);
  });

  it("control: without the scheduled disable, the violation's slowdown survives the REINSTATE", async () => {
    expect((await run(() => undefined, false)).some((s) => s.startsWith("marketing_slow:"))).toBe(true);
  });
});

describe("moving to redisStores({ wabaId }): a per-number DISABLE kept from before, then the number BLOCKED", () => {
  const run = async (legacyDisable: boolean, tag: string) => {
    const w = twoNumbers();
    const prefix = `${PREFIX}-${tag}`;
    if (legacyDisable) {
      const before = w.client({
        transport: w.transport,
        stores: redisStores(r.redis, { prefix, phoneNumberId: w.fake.phoneNumberId }),
      });
      expect((await w.deliver(before, w.accountUpdate(w.fake.wabaId, w.ban("DISABLE")))).status).toBe(200);
      w.clock.advance(1_000);
    }
    const wa = w.client({
      transport: w.transport,
      stores: redisStores(r.redis, { prefix, phoneNumberId: w.fake.phoneNumberId, wabaId: w.fake.wabaId }),
    });
    await wa.consent.grant(CA, { scope: "utility", source: "order" });
    w.fake.setHealth("PHONE_NUMBER", {
      canSendMessage: "BLOCKED",
      errors: [{ code: 141010, description: "x" }],
    });
    await wa.account.health({ refresh: true });
    expect(await w.notice(wa)).toBe("account-health");
    w.clock.advance(5_000);
    expect((await w.deliver(wa, w.accountUpdate(w.fake.wabaId, w.ban("REINSTATE")))).status).toBe(200);
    const reached = w.reached.length;
    const outcome = await w.notice(wa);
    return { outcome, reached: w.reached.length - reached };
  };

  // Was a gap (one restriction per scope); restrictions are now kept per scope and source.
  it("the number's own BLOCKED outlives the WABA's REINSTATE", async () => {
    const res = await run(true, "m1");
    expect(res.outcome).toBe("account-health");
    expect(res.reached).toBe(0);
  });

  it("control: with no per-number DISABLE from before, the BLOCKED outlives the REINSTATE", async () => {
    const res = await run(false, "m2");
    expect(res.outcome).toBe("account-health");
  });
});
