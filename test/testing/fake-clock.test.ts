/** FakeClock's virtual time under concurrency, through the client and the fake. */
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../src/testing/index.js";
import { connected } from "../helpers.js";

/** The most sends that fall within one clock second, for every second. */
function perSecond(times: readonly number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const t of times) counts.set(Math.floor(t / 1000), (counts.get(Math.floor(t / 1000)) ?? 0) + 1);
  return counts;
}

describe("FakeClock: virtual time", () => {
  it("2,000 concurrent replies in open windows on one shared clock: all sent, never over 80 in a fake second, about 25 s of fake time", async () => {
    const clock = new FakeClock();
    // A send waits for throughput at most maxWaitMs (2 s by default, then it is refused): the
    // 2,000th waits about 24 s.
    const { fake, wa } = connected({
      clock,
      client: { policy: { messagingLimit: { tier: "unlimited" }, throughput: { maxWaitMs: 30_000 } } },
    });
    const users = Array.from({ length: 2000 }, (_, i) => `+1416${String(5_000_000 + i).padStart(7, "0")}`);
    for (const u of users) fake.messaging.receiveMessage(u, { text: "where is my order?" });
    for (const d of await fake.webhooks.deliver(wa)) expect(d.status).toBe(200);
    const start = clock.now();
    const results = await Promise.allSettled(
      users.map((to) => wa.messages.sendText({ to, body: "On its way!" })),
    );
    const refused = results.filter((r) => r.status === "rejected");
    expect(refused.map((r) => String((r as PromiseRejectedResult).reason)).slice(0, 3)).toEqual([]);
    expect(fake.messaging.sent).toHaveLength(2000);
    expect(fake.messaging.sent.every((m) => m.failed === undefined)).toBe(true);
    // Meta's throughput: the fake never answered 130429, and no fake second holds more than 80.
    expect(Math.max(...perSecond(fake.messaging.sent.map((m) => m.at)).values())).toBeLessThanOrEqual(80);
    // 2,000 at 80 a second: 25 s of fake time (24 s of waits after the first second's 80).
    const elapsed = clock.now() - start;
    expect(elapsed).toBeGreaterThanOrEqual(24_000);
    expect(elapsed).toBeLessThanOrEqual(26_000);
  });

  it("jumps to the earliest sleeper when idle, and ten sleepers at one time share one jump", async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const woke: number[] = [];
    await Promise.all([
      ...Array.from({ length: 10 }, () => clock.sleep(1000).then(() => woke.push(clock.now() - t0))),
      clock.sleep(3000).then(() => woke.push(clock.now() - t0)),
    ]);
    expect(woke).toEqual([...Array.from({ length: 10 }, () => 1000), 3000]);
  });
});
