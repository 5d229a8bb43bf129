/**
 * ISSUE-10 #7: "only the user (a START at Meta, user_preferences resume) lifts Meta's marketing
 * stop". consent.import() keeps records from the user's own sources (`meta:…`, `keyword:…`) "as
 * they are" when dated, so a business import that merely claims such a source — dated now — lifts
 * Meta's stop (src/policy/consent.ts import(): `isUserSource(event.source)` → duplicate() only).
 * And a live grant() right after the user's STOP keyword lifts it (only `meta:` stops are guarded).
 */
import { describe, expect, it } from "vitest";
import { DAY, USER, world } from "../world.js";

describe("a business lifts what the user told it", () => {
  it("an imported 'keyword:START' dated now lifts Meta's user_preferences stop", async () => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    w.clock.advance(DAY);
    await wa.webhooks.handle(w.fake.webhooks.request(w.preference("stop", w.clock.now())));
    expect(await w.outcome(w.promo(wa))).toBe("consent");
    w.clock.advance(60_000);
    const [result] = await wa.consent.import([
      { recipient: USER, scope: "all", source: "keyword:START", at: w.clock.now() },
    ]);
    const outcome = await w.outcome(w.promo(wa));
    expect({ status: result?.status, outcome }).toEqual({
      status: expect.not.stringMatching(/^recorded$/),
      outcome: "consent",
    });
  });

  // A decision, not a defect: after the user's STOP keyword, a new opt-in the business records
  // (a checkout form, with its proof) is consent again — the STOP stays in the ledger. Meta's own
  // stop (user_preferences, 131050) is different: only the user lifts it (tested above and in
  // test/policy/consent-hostile.test.ts).
  it("a new business opt-in after the user's STOP keyword is recorded, and the STOP stays on record", async () => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    await wa.webhooks.handle(w.fake.webhooks.request(w.stop("wamid.s1", w.clock.now())));
    w.clock.advance(60_000);
    await wa.consent.grant(USER, { scope: "marketing", source: "checkout-form", proof: "sha256:ab" });
    const history = (await wa.consent.history(USER)).map((e) => `${e.action}:${e.source}`);
    expect(history).toEqual(["grant:form", "revoke:keyword:STOP", "grant:checkout-form"]);
    expect(await w.outcome(w.promo(wa))).toBe("sent");
  });
});
