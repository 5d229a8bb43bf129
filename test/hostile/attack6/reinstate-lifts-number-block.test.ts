/**
 * Attacks: a lift at both levels. An account_update REINSTATE (or ACCOUNT_RECONNECTED) ends a
 * WABA's disable; it says nothing about one phone number that Meta's health status reports
 * BLOCKED on its own (the PHONE_NUMBER node). The number's hold from that reading must survive
 * the WABA's reinstatement, or the blocked number sends to Meta again.
 */
import { describe, expect, it } from "vitest";
import { CA, twoNumbers } from "./two.js";

describe("a WABA reinstatement and a number BLOCKED on its own", () => {
  for (const lift of ["REINSTATE", "ACCOUNT_RECONNECTED"] as const) {
    it(`${lift} of the WABA does not lift the number's own BLOCKED reading`, async () => {
      const w = twoNumbers();
      const wa = w.client({ transport: w.transport });
      await wa.consent.grant(CA, { scope: "utility", source: "order" });
      // The WABA was disabled earlier; the number is BLOCKED on its own as well.
      expect((await w.deliver(wa, w.accountUpdate(w.fake.wabaId, w.ban("DISABLE")))).status).toBe(200);
      w.clock.advance(1_000);
      w.fake.setHealth("PHONE_NUMBER", {
        canSendMessage: "BLOCKED",
        errors: [{ code: 141010, description: "x" }],
      });
      await wa.account.health({ refresh: true });
      expect(await w.notice(wa)).toBe("account-health");
      w.clock.advance(1_000);
      const value = lift === "REINSTATE" ? w.ban("REINSTATE") : { event: "ACCOUNT_RECONNECTED" };
      expect((await w.deliver(wa, w.accountUpdate(w.fake.wabaId, value))).status).toBe(200);
      // The number itself is still BLOCKED (nothing said otherwise; the reading's hold is 15 min).
      const before = w.reached.length;
      expect(await w.notice(wa)).toBe("account-health");
      expect(w.reached.length).toBe(before);
    });
  }
});
