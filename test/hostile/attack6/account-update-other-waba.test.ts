/**
 * Attacks: account_update webhooks are about the WABA named in `entry.id`. One Meta app has one
 * webhook URL for every WABA it serves (a tech provider, or a business with two WABAs), so the
 * endpoint of WABA A's client also receives WABA B's account updates. A reinstatement of B must
 * not lift A's disable, and B's disable must not stop A. The same for an error webhook (368,
 * 131031: "the WABA restricted, the account locked") from a number of the other WABA.
 */
import { describe, expect, it } from "vitest";
import { CA, OTHER_WABA, twoNumbers } from "./two.js";

describe("account_update from another WABA served by the same app", () => {
  it("a REINSTATE of another WABA does not lift this WABA's DISABLE", async () => {
    const w = twoNumbers();
    const wa = w.client({ transport: w.transport });
    await wa.consent.grant(CA, { scope: "utility", source: "order" });
    expect((await w.deliver(wa, w.accountUpdate(w.fake.wabaId, w.ban("DISABLE")))).status).toBe(200);
    expect(await w.notice(wa)).toBe("account-health");
    w.clock.advance(5_000);
    // The other WABA of the app is reinstated; this one stays disabled.
    expect((await w.deliver(wa, w.accountUpdate(OTHER_WABA, w.ban("REINSTATE")))).status).toBe(200);
    const before = w.reached.length;
    expect(await w.notice(wa)).toBe("account-health");
    expect(w.reached.length).toBe(before);
  });

  it("a DISABLE of another WABA does not stop this WABA's sends", async () => {
    const w = twoNumbers();
    const wa = w.client({ transport: w.transport });
    await wa.consent.grant(CA, { scope: "utility", source: "order" });
    expect((await w.deliver(wa, w.accountUpdate(OTHER_WABA, w.ban("DISABLE")))).status).toBe(200);
    expect(await w.notice(wa)).toBe("sent");
  });

  it("an ACCOUNT_RESTRICTION of another WABA does not stop this WABA's templates", async () => {
    const w = twoNumbers();
    const wa = w.client({ transport: w.transport });
    await wa.consent.grant(CA, { scope: "utility", source: "order" });
    const restriction = {
      event: "ACCOUNT_RESTRICTION",
      restriction_info: [
        {
          restriction_type: "RESTRICTED_BIZ_INITIATED_MESSAGING",
          expiration: Math.floor(w.clock.now() / 1000) + 86_400,
        },
      ],
    };
    expect((await w.deliver(wa, w.accountUpdate(OTHER_WABA, restriction))).status).toBe(200);
    expect(await w.notice(wa)).toBe("sent");
  });

  it("an error webhook with 131031 from a number of another WABA does not stop this WABA", async () => {
    const w = twoNumbers();
    const wa = w.client({ transport: w.transport });
    await wa.consent.grant(CA, { scope: "utility", source: "order" });
    const error = {
      object: "whatsapp_business_account",
      entry: [
        {
          id: OTHER_WABA,
          changes: [
            {
              field: "messages",
              value: {
                messaging_product: "whatsapp",
                metadata: { display_phone_number: "15550009999", phone_number_id: "900000000000009" },
                errors: [{ code: 131031, title: "Business Account locked" }],
              },
            },
          ],
        },
      ],
    };
    expect((await w.deliver(wa, error)).status).toBe(200);
    expect(await w.notice(wa)).toBe("sent");
  });
});
