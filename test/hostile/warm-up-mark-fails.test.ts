/**
 * Warm-up from the first send, with the rate store failing right where the first send is recorded
 * (after the day's and the gap's units were taken): the send fails closed, and nothing it took
 * stays taken — the next send, once the store answers again, is not refused as warming up.
 */
import { describe, expect, it } from "vitest";
import { MemoryRateLimitStore } from "../../src/index.js";
import { BODY, CA, world } from "./attack4/world.js";

class FailingFirstMark extends MemoryRateLimitStore {
  fail = true;
  override async window(key: string, limit: number, windowMs: number, now: number, consume: boolean) {
    if (this.fail && consume && key.startsWith("warmup:first:")) throw new Error("store down");
    return super.window(key, limit, windowMs, now, consume);
  }
}

describe("warm-up: the store fails while the first send is recorded", () => {
  it("fails closed and gives back the day's and the gap's units", async () => {
    const w = world([BODY, { type: "FOOTER", text: "Reply STOP to opt out" }], {
      warmUp: { since: "first-send" },
    });
    const rateLimits = new FailingFirstMark();
    const wa = w.client({ stores: { rateLimits } });
    await wa.consent.grant(CA, { scope: "utility", source: "order" });
    const notice = () => w.outcome(wa.messages.sendTemplate({ to: CA, name: "notice", language: "en_US" }));
    expect(await notice()).toMatch(/^error:/);
    expect(w.sends()).toHaveLength(0);
    rateLimits.fail = false;
    w.clock.advance(1_000); // well inside the first step's 30 s gap
    expect(await notice()).toBe("sent");
    expect(w.sends()).toHaveLength(1);
  });
});
