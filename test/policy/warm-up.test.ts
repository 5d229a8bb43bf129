import { describe, expect, it } from "vitest";
import {
  type ClientOptions,
  ConfigError,
  DEFAULT_WARM_UP_SCHEDULE,
  WarmUpLimitError,
  WhatsAppClient,
} from "../../src/index.js";
import { FakeClock, FakeCloudApi, fakeTransport } from "../../src/testing/index.js";

const HOUR = 3_600_000;
const user = (n: number) => `+44 7700 9${String(n).padStart(5, "0")}`;

function world(policy: NonNullable<ClientOptions["policy"]> & object) {
  const clock = new FakeClock({ start: new Date("2026-11-30T09:00:00Z") });
  const fake = new FakeCloudApi({ clock });
  fake.templates.add({
    name: "notice",
    language: "en_US",
    category: "UTILITY",
    components: [{ type: "BODY", text: "Your order shipped" }],
  });
  const wa = new WhatsAppClient({
    accessToken: fake.accessToken,
    phoneNumberId: fake.phoneNumberId,
    wabaId: fake.wabaId,
    transport: fakeTransport(fake),
    clock,
    policy: { disable: ["consent"], messagingLimit: { tier: "unlimited" }, ...policy },
  });
  const notice = (n: number) => wa.messages.sendTemplate({ to: user(n), name: "notice", language: "en_US" });
  return { clock, fake, wa, notice };
}

describe("new-number warm-up (policy.warmUp)", () => {
  it("is off unless asked for", () => {
    const { wa } = world({});
    expect(wa.policy.pipeline!.describe().map((g) => g.name)).not.toContain("warm-up");
  });

  it("a number registered minutes ago cannot burst: 30 s between templates, 20 in its first day", async () => {
    const { clock, fake, notice } = world({ warmUp: { since: Date.parse("2026-11-30T08:55:00Z") } });
    await notice(0);
    // A second template at once: the gap (30 s) is longer than a send may wait (2 s): refused.
    const refused = await notice(1).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WarmUpLimitError);
    expect(refused).toMatchObject({ rule: "warm-up", code: "policy_warm_up" });
    expect((refused as WarmUpLimitError).retryAfterMs).toBeGreaterThan(25_000);
    expect(fake.messaging.sent).toHaveLength(1);
    for (let n = 1; n < 20; n++) {
      clock.advance(30_000);
      await notice(n);
    }
    clock.advance(30_000);
    const capped = (await notice(20).catch((e: unknown) => e)) as WarmUpLimitError;
    expect(capped).toBeInstanceOf(WarmUpLimitError);
    expect(capped.reason).toMatch(/20 business-initiated messages a day/);
    expect(capped.retryAfterMs).toBeGreaterThan(23 * HOUR);
    expect(fake.messaging.sent).toHaveLength(20);
  });

  it("replies inside the customer service window are not held back", async () => {
    const { fake, wa, notice } = world({ warmUp: { since: Date.parse("2026-11-30T08:55:00Z") } });
    await notice(0);
    fake.messaging.receiveMessage(user(1), { text: "hi" });
    await wa.sessions.recordInbound(user(1));
    await wa.messages.sendText({ to: user(1), body: "hello" });
    await wa.messages.sendText({ to: user(1), body: "how can we help?" });
    expect(fake.messaging.sent).toHaveLength(3);
  });

  it("ramps with age and ends after 14 days", async () => {
    const since = Date.parse("2026-11-30T09:00:00Z") - 4 * 24 * HOUR; // day 4: 1,000 a day, 1 s apart
    const { clock, wa, notice } = world({ warmUp: { since } });
    expect(await wa.policy.pipeline!.warmUpNow()).toEqual({
      step: { fromHours: 72, perDay: 250, gapMs: 3_000 },
      leftToday: 250,
    });
    await notice(0);
    clock.advance(3_000);
    await notice(1);
    clock.advance(10 * 24 * HOUR);
    expect(await wa.policy.pipeline!.warmUpNow()).toBeUndefined();
    for (let n = 2; n < 12; n++) await notice(n); // no gap any more: only the throughput guard
  });

  it("a custom schedule, checked when the client is built", () => {
    expect(() => world({ warmUp: { since: 0, schedule: [{ fromHours: 1, perDay: 5, gapMs: 0 }] } })).toThrow(
      ConfigError,
    );
    expect(() => world({ warmUp: { since: Number.NaN } })).toThrow(/warmUp.*since/);
    expect(() =>
      world({
        warmUp: {
          since: 0,
          schedule: [
            { fromHours: 0, perDay: 5, gapMs: 0 },
            { fromHours: 0, perDay: 10, gapMs: 0 },
          ],
        },
      }),
    ).toThrow(/greater than the step before/);
    expect(DEFAULT_WARM_UP_SCHEDULE[0]).toEqual({ fromHours: 0, perDay: 20, gapMs: 30_000 });
  });

  it("clients sharing stores share the ramp", async () => {
    const { fake, wa, notice } = world({ warmUp: { since: Date.parse("2026-11-30T08:55:00Z") } });
    const copy = wa.withOptions({});
    await notice(0);
    await expect(
      copy.messages.sendTemplate({ to: user(1), name: "notice", language: "en_US" }),
    ).rejects.toBeInstanceOf(WarmUpLimitError);
    expect(fake.messaging.sent).toHaveLength(1);
  });

  it("a campaign plan shows the ramp; a run waits out short gaps and defers past the day's cap", async () => {
    const schedule = [{ fromHours: 0, perDay: 5, gapMs: 2_000 }];
    const { wa } = world({ warmUp: { since: Date.parse("2026-11-30T08:00:00Z"), schedule } });
    const recipients = Array.from({ length: 8 }, (_, i) => user(100 + i));
    const template = { name: "notice", language: "en_US" };
    const plan = await wa.campaigns.plan({ template, recipients });
    expect(plan).toMatchObject({
      send: 5,
      deferred: 3,
      deferredBy: { "warm-up": 3 },
      warmUp: { perDay: 5, gapMs: 2_000 },
    });
    expect(plan.estimatedMs).toBeGreaterThanOrEqual(4 * 2_000);
    const report = await wa.campaigns.run({ id: "ramp", template, recipients }).report();
    expect(report).toMatchObject({ sent: 5, deferred: 3, deferredBy: { "warm-up": 3 } });
  });

  describe('since: "first-send"', () => {
    it("starts the ramp at the first business-initiated send, not at construction", async () => {
      const { clock, fake, wa, notice } = world({ warmUp: { since: "first-send" } });
      // Weeks before any send: still day 0 of the ramp once the first send happens.
      clock.advance(30 * 24 * HOUR);
      expect(await wa.policy.pipeline!.warmUpNow()).toMatchObject({ step: { fromHours: 0 }, leftToday: 20 });
      await notice(0);
      await expect(notice(1)).rejects.toBeInstanceOf(WarmUpLimitError); // 30 s gap
      expect(fake.messaging.sent).toHaveLength(1);
      expect(await wa.policy.pipeline!.warmUpNow()).toMatchObject({ step: { perDay: 20 }, leftToday: 19 });
      // Day 2 counts from the first send.
      clock.advance(25 * HOUR);
      expect(await wa.policy.pipeline!.warmUpNow()).toMatchObject({ step: { fromHours: 24, perDay: 100 } });
      clock.advance(14 * 24 * HOUR);
      expect(await wa.policy.pipeline!.warmUpNow()).toBeUndefined();
    });

    it("replies do not start it", async () => {
      const { clock, fake, wa, notice } = world({ warmUp: { since: "first-send" } });
      fake.messaging.receiveMessage(user(1), { text: "hi" });
      await wa.sessions.recordInbound(user(1));
      await wa.messages.sendText({ to: user(1), body: "hello" });
      clock.advance(3 * 24 * HOUR);
      expect(await wa.policy.pipeline!.warmUpNow()).toMatchObject({ step: { fromHours: 0 } });
      await notice(2);
      expect(await wa.policy.pipeline!.warmUpNow()).toMatchObject({ step: { fromHours: 0 }, leftToday: 19 });
    });

    it("a second client on the same stores (a fleet) sees the first send of the first", async () => {
      const { clock, wa, notice } = world({ warmUp: { since: "first-send" } });
      await notice(0);
      clock.advance(2 * 24 * HOUR);
      // A client built later, on the same stores: it must not start a fresh ramp of its own.
      const later = wa.withOptions({});
      expect(await later.policy.pipeline!.warmUpNow()).toMatchObject({
        step: { fromHours: 24, perDay: 100 },
      });
    });

    it("is validated like a date", () => {
      expect(() => world({ warmUp: { since: "first-sent" as never } })).toThrow(/warmUp/);
    });
  });
});
