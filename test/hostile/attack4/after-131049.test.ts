/**
 * Issue 16 ("US marketing"): after a 131049 failure the user gets no marketing template for 24 h —
 * Meta asks to wait at least 24 h, and resends within 24 h to a capped user "can block further
 * attempts for up to 24 h" (reference §6/§11). Nothing in wa-guard reads 131049: after the failed
 * status webhook, the next marketing template (an hour later) reaches Meta and fails again.
 */
import { describe, expect, it } from "vitest";
import { BODY, CA, type Components, world } from "./world.js";

const OPT_OUT: Components = [BODY, { type: "FOOTER", text: "Reply STOP to opt out" }];

describe("attack4: marketing after Meta's 131049", () => {
  it("a marketing template within 24 h of a 131049 failure does not reach Meta", async () => {
    const w = world(OPT_OUT);
    const wa = w.client();
    await wa.consent.grant(CA, { scope: "marketing", source: "form" });
    w.fake.messaging.marketingCapped.add("14165550101");
    expect(await w.outcome(wa.messages.sendTemplate({ to: CA, name: "promo", language: "en_US" }))).toBe(
      "sent",
    );
    // The failed status (131049) reaches the webhook handler.
    const failures: unknown[] = [];
    wa.on("status", (e) => {
      if (e.status === "failed") failures.push(e);
    });
    await w.fake.webhooks.deliver(wa);
    expect(JSON.stringify(failures)).toContain("131049");
    w.clock.advance(3_600_000);
    const before = w.sends().length;
    expect(await w.outcome(wa.messages.sendTemplate({ to: CA, name: "promo", language: "en_US" }))).not.toBe(
      "sent",
    );
    expect(w.sends().length).toBe(before);
  });
});
