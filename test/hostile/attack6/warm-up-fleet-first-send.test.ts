/**
 * Attacks: "first-send" with a fleet on Redis — two instances of one number (and a withOptions()
 * copy) sending their first templates at the same moment must start one ramp and share the first
 * step's gap and cap: of 12 concurrent first sends, one reaches Meta (the next is 30 s away) and
 * one start is recorded.
 */
import { afterAll, describe, expect, it } from "vitest";
import { redisStores } from "../../../src/redis/index.js";
import { sharedRedis, twoNumbers } from "./two.js";

const prefix = `wa-guard-attack6-fleet-${process.pid}-${Date.now()}`;
const { redis, connect, cleanup } = sharedRedis(prefix);
afterAll(cleanup);

const to = (i: number) => `+1416555${String(4000 + i)}`;

describe("warm-up from the first send, a fleet at once", () => {
  it("held: two instances and a copy share one start, one gap and one cap", async () => {
    await connect();
    const w = twoNumbers();
    const stores = () =>
      redisStores(redis, { prefix, phoneNumberId: w.fake.phoneNumberId, wabaId: w.fake.wabaId });
    const policy = { warmUp: { since: "first-send" as const } };
    const a = w.client({ transport: w.transport, stores: stores(), policy });
    const b = w.client({ transport: w.transport, stores: stores(), policy });
    const c = a.withOptions({ maxRetries: 0 });
    for (let i = 0; i < 12; i++) await a.consent.grant(to(i), { scope: "utility", source: "order" });
    const clients = [a, b, c];
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        w.outcome(clients[i % 3]!.messages.sendTemplate({ to: to(i), name: "notice", language: "en_US" })),
      ),
    );
    expect(outcomes.filter((o) => o === "sent").length).toBe(1);
    expect(outcomes.filter((o) => o !== "sent").every((o) => o === "warm-up")).toBe(true);
    expect(w.reached.length).toBe(1);
    const starts = (room: number) =>
      stores().rateLimits.window(
        `warmup:first:${w.fake.phoneNumberId}`,
        room,
        10 * 365 * 24 * 60 * 60 * 1000,
        w.clock.now(),
        false,
      );
    // Exactly one start is recorded: no room for one more at 1, room at 2.
    expect((await starts(1)).ok).toBe(false);
    expect((await starts(2)).ok).toBe(true);
  });
});
