/**
 * withOptions({ phoneNumberId }) — a client for the business's second number — inherits the
 * consent ledger (consent belongs to the business) but not the identity store, although identity
 * is per business too (redisStores keys it by prefix, not by phone). Links learnt by the main
 * client's webhook handler (one webhook URL for every number of the app) are invisible to the
 * second client: a STOP written under the user's BSUID does not stop a marketing template sent
 * from the second number to the phone number Meta had already shown beside that BSUID.
 */
import { describe, expect, it } from "vitest";
import { fakeTransport } from "../../../src/testing/index.js";
import { HOUR, USER, WA_ID } from "../world.js";
import { BSUID, idWorld } from "./helpers.js";

const SECOND_NUMBER = "200000000000002";

describe("attack3: a second-number client does not share the person's identifiers", () => {
  it("STOP under the BSUID, linked earlier: the template from the second number to the phone is refused", async () => {
    const w = idWorld();
    // One fake Meta answers for both numbers (the second number's path is rewritten to the fake's).
    const inner = fakeTransport(w.fake);
    const reached: string[] = [];
    const transport = async (req: Parameters<typeof inner>[0]) => {
      const url = req.url.replace(`/${SECOND_NUMBER}`, `/${w.fake.phoneNumberId}`);
      if (url.endsWith("/messages") && typeof req.body === "string" && !req.body.includes('"status":"read"'))
        reached.push(req.url);
      return inner({ ...req, url });
    };
    const wa = w.client({ transport });
    const second = wa.withOptions({ phoneNumberId: SECOND_NUMBER });

    await wa.consent.grant(USER, { scope: "marketing", source: "checkout" });
    // Meta shows the person under both identifiers…
    expect(
      (await w.deliver(wa, w.inbound("wamid.a", w.clock.now(), "hi", { waId: WA_ID, userId: BSUID }))).status,
    ).toBe(200);
    w.clock.advance(HOUR);
    // …then the user writes STOP from their username (BSUID only).
    expect((await w.deliver(wa, w.inbound("wamid.s", w.clock.now(), "STOP", { userId: BSUID }))).status).toBe(
      200,
    );
    // The consent ledger is shared: the second client sees the STOP under the BSUID.
    expect((await second.consent.status(BSUID, "marketing")).granted).toBe(false);
    // The main client refuses the phone number (it knows the link).
    expect(await w.outcome(w.promo(wa, 1, USER))).toBe("consent");
    const before = reached.length;
    // The second number must refuse it too: it is the same person, and consent is the business's.
    expect(await w.outcome(w.promo(second, 2, USER))).toBe("consent");
    expect(reached.length).toBe(before);
  });
});
