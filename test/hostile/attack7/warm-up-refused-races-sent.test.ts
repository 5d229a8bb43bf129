/**
 * Attacks: the warm-up first-send give-back (a first send the policy refuses gives its start back
 * with the capacity; an instance keeps a start only once it is a minute old). Two Redis instances
 * of one number send their first templates at the same moment, half to people without consent
 * (refused by policy after the warm-up took its capacity), half to people with consent. What
 * reached Meta must have a start recorded for it (else the ramp starts again later, and the
 * first step's gap is lost), at most one send may pass the first step's gap, and a send right
 * after is refused by the gap.
 */
import { afterAll, describe, expect, it } from "vitest";
import { redisStores } from "../../../src/redis/index.js";
import { sharedRedis, twoNumbers } from "../attack6/two.js";

const prefix = `attack7-wu-race-${process.pid}-${Date.now()}`;
const { redis, connect, cleanup } = sharedRedis(prefix);
afterAll(cleanup);

const to = (i: number) => `+1416555${String(4000 + i)}`;

describe("warm-up first-send: a refused send racing a sent one (Redis, two instances)", () => {
  for (const round of [0, 1, 2, 3, 4]) {
    it(`round ${round}: what reached Meta has its start; the gap holds`, async () => {
      await connect();
      const w = twoNumbers();
      const p = `${prefix}-${round}`;
      const stores = () =>
        redisStores(redis, { prefix: p, phoneNumberId: w.fake.phoneNumberId, wabaId: w.fake.wabaId });
      const policy = { warmUp: { since: "first-send" as const } };
      const a = w.client({ transport: w.transport, stores: stores(), policy });
      const b = w.client({ transport: w.transport, stores: stores(), policy });
      // Odd recipients have consent, even ones do not (refused by the consent guard).
      for (let i = 1; i < 12; i += 2) await a.consent.grant(to(i), { scope: "utility", source: "order" });
      const clients = [a, b];
      const order = round % 2 === 0 ? [...Array(12).keys()] : [...Array(12).keys()].reverse();
      const outcomes = await Promise.all(
        order.map((i) =>
          w.outcome(clients[i % 2]!.messages.sendTemplate({ to: to(i), name: "notice", language: "en_US" })),
        ),
      );
      const sent = outcomes.filter((o) => o === "sent").length;
      expect(sent).toBeLessThanOrEqual(1);
      expect(w.reached.length).toBe(sent);
      const starts = (room: number) =>
        stores().rateLimits.window(
          `warmup:first:${w.fake.phoneNumberId}`,
          room,
          10 * 365 * 24 * 60 * 60 * 1000,
          w.clock.now(),
          false,
        );
      if (sent === 1) {
        expect((await starts(1)).ok).toBe(false);
        expect((await starts(2)).ok).toBe(true);
        // The gap after the first send: the next one, a second later, waits.
        w.clock.advance(1_000);
        const before = w.reached.length;
        expect(
          await w.outcome(b.messages.sendTemplate({ to: to(1), name: "notice", language: "en_US" })),
        ).toBe("warm-up");
        expect(w.reached.length).toBe(before);
      }
    });
  }
});
