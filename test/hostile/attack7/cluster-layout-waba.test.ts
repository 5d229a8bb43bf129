/**
 * Attacks: the WABA-wide state under the Redis "cluster" key layout (hash-tagged keys) against the
 * "single" one: two numbers' instances on one prefix and WABA must share a DISABLE learnt by one
 * of them, a WABA BLOCKED reading, and an opt-out; the number's own BLOCKED must stay its own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WhatsAppClient } from "../../../src/index.js";
import { redisStores } from "../../../src/redis/index.js";
import { CA, SECOND, sharedRedis, twoNumbers } from "../attack6/two.js";

const PREFIX = `attack7-layout-${process.pid}`;
const r = sharedRedis(PREFIX);
beforeAll(r.connect);
afterAll(r.cleanup);

for (const keyLayout of ["single", "cluster"] as const) {
  describe(`redisStores keyLayout ${keyLayout}: two numbers of one WABA`, () => {
    const setup = async (tag: string) => {
      const w = twoNumbers();
      const prefix = `${PREFIX}-${keyLayout}-${tag}`;
      const make = (phoneNumberId: string): WhatsAppClient =>
        w.client({
          transport: w.transport,
          phoneNumberId,
          stores: redisStores(r.redis, { prefix, keyLayout, phoneNumberId, wabaId: w.fake.wabaId }),
        });
      const first = make(w.fake.phoneNumberId);
      const second = make(SECOND);
      await first.consent.grant(CA, { scope: "utility", source: "order" });
      await first.consent.grant(CA, { scope: "marketing", source: "form" });
      return { w, first, second };
    };

    it("a DISABLE heard by the first stops the second; the REINSTATE frees both", async () => {
      const { w, first, second } = await setup("d");
      expect((await w.deliver(first, w.accountUpdate(w.fake.wabaId, w.ban("DISABLE")))).status).toBe(200);
      expect(await w.notice(second)).toBe("account-health");
      w.clock.advance(5_000);
      expect((await w.deliver(first, w.accountUpdate(w.fake.wabaId, w.ban("REINSTATE")))).status).toBe(200);
      expect(await w.notice(second)).toBe("sent");
    });

    it("a WABA BLOCKED reading by the first stops the second; its own BLOCKED stops only it", async () => {
      const { w, first, second } = await setup("h");
      w.fake.setHealth("WABA", { canSendMessage: "BLOCKED", errors: [{ code: 141010, description: "x" }] });
      await first.account.health({ refresh: true });
      expect(await w.notice(second)).toBe("account-health");
      const other = await setup("p");
      other.w.fake.setHealth("PHONE_NUMBER", {
        canSendMessage: "BLOCKED",
        errors: [{ code: 141010, description: "x" }],
      });
      await other.first.account.health({ refresh: true });
      expect(await other.w.notice(other.first)).toBe("account-health");
      expect(await other.w.notice(other.second)).toBe("sent");
    });

    it("an opt-out learnt by the first stops the second's marketing", async () => {
      const { w, first, second } = await setup("o");
      await first.consent.revoke(CA, { scope: "marketing", source: "stop" });
      w.clock.advance(60_000);
      expect(
        await w.outcome(second.messages.sendTemplate({ to: CA, name: "promo", language: "en_US" })),
      ).toBe("consent");
    });
  });
}
