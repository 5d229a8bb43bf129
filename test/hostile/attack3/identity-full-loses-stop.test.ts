/**
 * The in-memory identity store refuses a link that would pass its bound, and the webhook effects
 * link first: a refused link fails the whole event before its STOP is recorded. Reads keep working
 * (aliases() of a known or unknown id never fails), so sends go on while every STOP that arrives
 * with a new identifier (since 2026 every inbound message carries from_user_id beside from) is
 * refused — on every redelivery, for good. Meta gives up after 7 days: the STOP is lost, and
 * marketing to the phone number the user opted in under is sent.
 * (Same shape for any store whose link fails while its reads work, e.g. Redis Cluster, where the
 * LINK script writes keys it did not declare.)
 */
import { describe, expect, it } from "vitest";
import { MemoryIdentityStore, memoryStores } from "../../../src/index.js";
import { DAY, HOUR, USER, WA_ID } from "../world.js";
import { BSUID, idWorld } from "./helpers.js";

describe("attack3: an identity store that cannot take a link must not eat the STOP", () => {
  it("a full MemoryIdentityStore: the STOP carrying from + from_user_id is never recorded", async () => {
    const w = idWorld();
    const stores = { ...memoryStores(), identity: new MemoryIdentityStore({ max: 2 }) };
    const wa = w.client({ stores });
    // Another person fills the store (2 identifiers; the bound stands for the default 1,000,000).
    await w.deliver(
      wa,
      w.inbound("wamid.o", w.clock.now(), "hi", { waId: "16045550000", userId: "US.1111" }),
    );
    await wa.consent.grant(USER, { scope: "marketing", source: "checkout" });
    w.clock.advance(HOUR);
    // The user writes STOP; Meta names them by number and BSUID, as it does since 2026.
    const stops: number[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      // Meta redelivers an unanswered webhook.
      const res = await w.deliver(
        wa,
        w.inbound("wamid.s", w.clock.now(), "STOP", { waId: WA_ID, userId: BSUID }),
      );
      stops.push(res.status);
      w.clock.advance(HOUR);
    }
    w.clock.advance(DAY);
    const before = w.reached();
    // The user said STOP from this very number: marketing to it must be refused.
    expect({ stops, outcome: await w.outcome(w.promo(wa, 1, USER)) }).toMatchObject({ outcome: "consent" });
    expect(w.reached()).toBe(before);
  });
});
