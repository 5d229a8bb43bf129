/**
 * Attacks on the new-number warm-up guard that held: concurrency (one client, two clients on one
 * memoryStores(), a withOptions() copy), refunds (a later guard refusing gives the slot back; a
 * send Meta answered with an error, or whose answer was lost, keeps it), and a campaign run.
 * The first day's step: 20 business-initiated sends per rolling 24 h, at least 30 s apart.
 */
import { describe, expect, it } from "vitest";
import { memoryStores } from "../../../src/index.js";
import { FakeClock } from "../../../src/testing/index.js";
import { BODY, world } from "../attack4/world.js";

const to = (i: number) => `+1416555${String(1000 + i)}`;
const FOOTER = { type: "FOOTER", text: "Reply STOP to opt out" };

async function setup(extra: Record<string, unknown> = {}) {
  const clock = new FakeClock();
  const w = world(
    [BODY, FOOTER],
    { warmUp: { since: clock.now() }, messagingLimit: { tier: "unlimited" }, ...extra },
    { clock },
  );
  const stores = memoryStores();
  const wa = w.client({ stores });
  for (let i = 0; i < 60; i++) await wa.consent.grant(to(i), { scope: "marketing", source: "form" });
  const promo = (c: typeof wa, i: number) =>
    w.outcome(c.messages.sendTemplate({ to: to(i), name: "promo", language: "en_US" }));
  return { w, wa, clock, stores, promo };
}

describe("attack5: warm-up attacks that held", () => {
  it("30 sends at once from one client: one reaches Meta", async () => {
    const { w, wa, promo } = await setup();
    const outcomes = await Promise.all(Array.from({ length: 30 }, (_, i) => promo(wa, i)));
    expect(outcomes.filter((o) => o === "sent").length).toBe(1);
    expect(outcomes.filter((o) => o !== "sent").every((o) => o === "warm-up")).toBe(true);
    expect(w.sends().length).toBe(1);
  });

  it("two clients on one memoryStores() and a withOptions() copy share the ramp", async () => {
    const { w, wa, clock, stores, promo } = await setup();
    const other = w.client({ stores });
    const copy = wa.withOptions({ maxRetries: 1 });
    let sent = 0;
    for (let round = 0; round < 25; round++) {
      const outs = await Promise.all([
        promo(wa, round),
        promo(other, round + 25),
        promo(copy, (round + 50) % 60),
      ]);
      sent += outs.filter((o) => o === "sent").length;
      clock.advance(30_000);
    }
    expect(sent).toBe(20);
    expect(w.sends().length).toBe(20);
  });

  it("a send a later guard refuses gives back its slot; the day still holds 20", async () => {
    const { w, wa, clock, promo } = await setup({ pairRate: { burst: 1, intervalMs: 3_600_000 } });
    expect(await promo(wa, 0)).toBe("sent");
    clock.advance(30_000);
    // Warm-up passes, the pair rate refuses: the warm-up slot must come back.
    expect(await promo(wa, 0)).toBe("pair-rate");
    expect(await promo(wa, 1)).toBe("sent");
    let sent = 2;
    for (let i = 2; i < 40; i++) {
      clock.advance(30_000);
      if ((await promo(wa, i)) === "sent") sent++;
    }
    expect(sent).toBe(20);
    expect(w.sends().length).toBe(20);
  });

  it("a send Meta answered with an error, or whose answer was lost, keeps its slot", async () => {
    const { w, wa, clock, promo } = await setup();
    w.fake.failNext(1, 131026);
    expect(await promo(wa, 0)).toBe("meta:131026");
    expect(await promo(wa, 1)).toBe("warm-up");
    clock.advance(30_000);
    w.loseNextAnswer((r) => r.url.endsWith("/messages"));
    expect(await promo(wa, 2)).toMatch(/^error:/);
    expect(await promo(wa, 3)).toBe("warm-up");
    expect(w.sends().length).toBe(2);
  });

  it("a send aborted while the checks run gives its slot back", async () => {
    const { w, wa, promo } = await setup();
    const ac = new AbortController();
    ac.abort();
    const aborted = await w.outcome(
      wa.messages.sendTemplate({ to: to(0), name: "promo", language: "en_US" }, { signal: ac.signal }),
    );
    expect(aborted).not.toBe("sent");
    expect(await promo(wa, 1)).toBe("sent");
    expect(w.sends().length).toBe(1);
  });

  it("a campaign run sends at most 20 on day one", async () => {
    const { w, wa, clock } = await setup();
    const recipients = Array.from({ length: 40 }, (_, i) => to(i));
    const run = wa.campaigns.run({
      id: "ramp",
      template: { name: "promo", language: "en_US" },
      recipients,
      concurrency: 4,
      maxPauseMs: 60_000,
    });
    const done = run.report();
    for (let i = 0; i < 400; i++) {
      await new Promise((r) => setTimeout(r, 0));
      clock.advance(5_000);
    }
    const report = await done;
    expect(report.sent).toBe(20);
    expect(w.sends().length).toBe(20);
  });
});
