/**
 * Attack: a send passes the consent / account-health / block checks, then waits (in `wait` mode)
 * for pair-rate capacity. While it waits, a STOP (or a DISABLE) webhook is handled and acknowledged
 * with 200. When the wait ends, the send goes out without looking at the state again.
 */
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../../src/testing/index.js";
import { tick, USER, world } from "../world.js";

const policy = {
  frequency: { marketingPerDay: 100, marketingPerWeek: 100, identicalWithinMs: 1 },
  pairRate: { burst: 1, intervalMs: 6000, mode: "wait" as const, maxWaitMs: 7000 },
};

describe("state is checked again after a capacity wait", () => {
  it("a STOP acknowledged while a marketing send waits for its pair slot stops it", async () => {
    const w = world({ clock: new FakeClock({ autoAdvance: false }) });
    const wa = w.client({ policy });
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    expect(await w.outcome(w.promo(wa, 1))).toBe("sent");
    const pending = w.outcome(w.promo(wa, 2)); // waits ~6 s for the pair slot
    await tick(20);
    // The user sends STOP; Meta delivers it; wa-guard stores it and answers 200.
    const res = await wa.webhooks.handle(w.fake.webhooks.request(w.stop("wamid.stop", w.clock.now())));
    expect(res.status).toBe(200);
    expect((await wa.consent.status(USER, "marketing")).granted).toBe(false);
    const stoppedAt = w.clock.now();
    w.clock.advance(6000);
    const result = await pending;
    // Expected (the contract): the send is refused, nothing reaches Meta after the STOP.
    const after = w.sent.filter((s) => s.at > stoppedAt);
    expect({ result, sentAfterStop: after.length }).toEqual({ result: "consent", sentAfterStop: 0 });
  });

  it("a DISABLE acknowledged while a send waits for its pair slot stops it", async () => {
    const w = world({ clock: new FakeClock({ autoAdvance: false }) });
    const wa = w.client({ policy });
    await wa.consent.grant(USER, { scope: "utility", source: "form" });
    expect(await w.outcome(w.notice(wa))).toBe("sent");
    w.clock.advance(10);
    const pending = w.outcome(w.notice(wa));
    await tick(20);
    const res = await wa.webhooks.handle(
      w.fake.webhooks.request(
        w.account({ event: "DISABLED_UPDATE", ban_info: { waba_ban_state: "DISABLE" } }, w.clock.now()),
      ),
    );
    expect(res.status).toBe(200);
    const disabledAt = w.clock.now();
    w.clock.advance(6000);
    const result = await pending;
    const after = w.sent.filter((s) => s.at > disabledAt);
    expect({ result, sentAfterDisable: after.length }).toEqual({
      result: "account-health",
      sentAfterDisable: 0,
    });
  });

  it("a PAUSED acknowledged while a marketing send waits for its pair slot stops it", async () => {
    const w = world({ clock: new FakeClock({ autoAdvance: false }) });
    const wa = w.client({ policy });
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    expect(await w.outcome(w.promo(wa, 1))).toBe("sent");
    const pending = w.outcome(w.promo(wa, 2)); // waits ~6 s for the pair slot
    await tick(20);
    w.fake.templates.setStatus("promo", "PAUSED", "en_US");
    const res = await wa.webhooks.handle(w.fake.webhooks.request(w.templateStatus("PAUSED", w.clock.now())));
    expect(res.status).toBe(200);
    const pausedAt = w.clock.now();
    w.clock.advance(6000);
    const result = await pending;
    const after = w.sent.filter((s) => s.at > pausedAt);
    expect({ result, sentAfterPause: after.length }).toEqual({ result: "template", sentAfterPause: 0 });
  });
});
