import { describe, expect, it } from "vitest";
import {
  describeHealth,
  HEALTH_HOLD_MS,
  type HealthChangeEvent,
  ValidationError,
  WhatsAppClient,
} from "../../src/index.js";
import { FakeClock, FakeCloudApi, fakeTransport } from "../../src/testing/index.js";

function world(clock = new FakeClock()) {
  const fake = new FakeCloudApi({ clock });
  const wa = new WhatsAppClient({
    accessToken: fake.accessToken,
    phoneNumberId: fake.phoneNumberId,
    wabaId: fake.wabaId,
    transport: fakeTransport(fake),
    clock,
    policy: { disable: ["consent"] },
  });
  fake.templates.add({
    name: "promo",
    language: "en_US",
    category: "MARKETING",
    components: [
      { type: "FOOTER", text: "Reply STOP to opt out" },
      { type: "BODY", text: "Hi" },
    ],
  });
  const changes: HealthChangeEvent[] = [];
  wa.on("health.change", (e) => changes.push(e));
  return { clock, fake, wa, changes };
}

const phoneReads = (fake: FakeCloudApi) =>
  fake.requests.filter((r) => r.method === "GET" && r.path.endsWith(`/${fake.phoneNumberId}`)).length;

describe("wa.account.health({ refresh: true })", () => {
  it("reads Meta's health status, quality, limit and throughput in one call", async () => {
    const { fake, wa } = world();
    fake.setHealth("WABA", {
      canSendMessage: "BLOCKED",
      errors: [{ code: 141006, description: "Payment method issue", possibleSolution: "Add a card" }],
    });
    fake.setHealth("PHONE_NUMBER", {
      canSendMessage: "LIMITED",
      additionalInfo: ["Display name not approved"],
    });
    const health = await wa.account.health({ refresh: true });
    expect(phoneReads(fake)).toBe(1);
    expect(health.status?.canSendMessage).toBe("BLOCKED");
    expect(health.status?.entities.map((e) => [e.type, e.canSendMessage])).toEqual([
      ["PHONE_NUMBER", "LIMITED"],
      ["WABA", "BLOCKED"],
      ["BUSINESS", "AVAILABLE"],
      ["APP", "AVAILABLE"],
    ]);
    expect(health.status?.entities[1]?.errors).toEqual([
      { code: 141006, description: "Payment method issue", possibleSolution: "Add a card" },
    ]);
    expect(health.status?.entities[0]?.additionalInfo).toEqual(["Display name not approved"]);
    expect(health.phoneNumber).toMatchObject({
      qualityRating: "GREEN",
      messagingLimit: "TIER_2K",
      throughputLevel: "STANDARD",
    });
    expect(describeHealth(health)).toMatch(
      /^health BLOCKED · PHONE_NUMBER LIMITED \(Display name not approved\) · WABA BLOCKED \(141006 Payment method issue\) · quality GREEN · limit TIER_2K · throughput STANDARD · restrictions marketing_slow\(health:LIMITED\),all\(health:BLOCKED\)/,
    );
  });

  it("a BLOCKED reading refuses every send locally until readings stop saying so and the hold runs out", async () => {
    const { clock, fake, wa } = world();
    const to = "+14165550001";
    fake.setHealth("APP", {
      canSendMessage: "BLOCKED",
      errors: [{ code: 141010, description: "App disabled" }],
    });
    await wa.account.health({ refresh: true });
    const before = fake.messaging.sent.length;
    await expect(wa.messages.sendTemplate({ to, name: "promo", language: "en_US" })).rejects.toMatchObject({
      rule: "account-health",
    });
    expect(fake.messaging.sent.length).toBe(before);
    // Still BLOCKED at the next reading: the hold is extended.
    clock.advance(HEALTH_HOLD_MS - 1_000);
    await wa.account.health({ refresh: true });
    clock.advance(HEALTH_HOLD_MS - 1_000);
    await expect(wa.messages.sendTemplate({ to, name: "promo", language: "en_US" })).rejects.toMatchObject({
      rule: "account-health",
    });
    // Meta says AVAILABLE: the restriction is not lifted early, it runs out.
    fake.setHealth("APP", { canSendMessage: "AVAILABLE" });
    await wa.account.health({ refresh: true });
    await expect(wa.messages.sendTemplate({ to, name: "promo", language: "en_US" })).rejects.toMatchObject({
      rule: "account-health",
    });
    clock.advance(2_000);
    await wa.messages.sendTemplate({ to, name: "promo", language: "en_US" });
    expect(fake.messaging.sent.length).toBe(before + 1);
  });

  it("an AVAILABLE reading never lifts a restriction Meta announced another way", async () => {
    const { fake, wa } = world();
    fake.failNext(1, 368);
    await expect(
      wa.messages.sendTemplate({ to: "+14165550001", name: "promo", language: "en_US" }),
    ).rejects.toThrow();
    const held = (await wa.account.health()).restrictions;
    expect(held.map((r) => r.scope)).toContain("all");
    fake.setHealth("WABA", { canSendMessage: "BLOCKED" });
    await wa.account.health({ refresh: true });
    fake.setHealth("WABA", { canSendMessage: "AVAILABLE" });
    const after = await wa.account.health({ refresh: true });
    expect(after.restrictions.map((r) => r.scope)).toContain("all");
  });

  it("a LIMITED reading slows marketing (marketing_slow), nothing is refused", async () => {
    const { fake, wa } = world();
    fake.setHealth("PHONE_NUMBER", {
      canSendMessage: "LIMITED",
      additionalInfo: ["Messaging limit reduced"],
    });
    const health = await wa.account.health({ refresh: true });
    expect(health.restrictions.map((r) => [r.scope, r.source])).toEqual([
      ["marketing_slow", "health:LIMITED"],
    ]);
    await wa.messages.sendTemplate({ to: "+14165550001", name: "promo", language: "en_US" });
  });

  it("emits health.change with what changed, and nothing when nothing changed", async () => {
    const { fake, wa, changes } = world();
    await wa.account.health({ refresh: true });
    expect(changes).toHaveLength(1);
    expect(changes[0]?.previous).toBeUndefined();
    await wa.account.health({ refresh: true });
    await wa.account.health();
    expect(changes).toHaveLength(1);
    fake.setHealth("WABA", { canSendMessage: "LIMITED", additionalInfo: ["x"] });
    fake.phone.quality_rating = "YELLOW";
    await wa.account.health({ refresh: true });
    expect(changes).toHaveLength(2);
    expect(changes[1]?.changes.sort()).toEqual(
      ["WABA: AVAILABLE → LIMITED", "overall: AVAILABLE → LIMITED", "quality: GREEN → YELLOW"].sort(),
    );
    expect(changes[1]?.summary).toMatch(/^health LIMITED · WABA LIMITED \(x\)/);
  });

  it("parses Meta's documented shapes: string or list additional_info, code or error_code", async () => {
    const clock = new FakeClock();
    const wa = new WhatsAppClient({
      accessToken: "t",
      phoneNumberId: "1",
      clock,
      policy: false,
      transport: async () => ({
        status: 200,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          id: "1",
          quality_rating: "GREEN",
          health_status: {
            can_send_message: "BLOCKED",
            entities: [
              {
                entity_type: "PHONE_NUMBER",
                id: "1",
                can_send_message: "LIMITED",
                additional_info: "one string",
              },
              {
                entity_type: "WABA",
                id: 2,
                can_send_message: "BLOCKED",
                errors: [
                  {
                    error_code: "141014",
                    error_description: "Business verification",
                    possible_solution: "Verify",
                  },
                ],
              },
              {
                entity_type: "APP",
                id: "3",
                can_send_message: "BLOCKED",
                errors: [{ code: 7, description: "d" }],
              },
              {
                entity_type: "NEW_KIND",
                id: "4",
                can_send_message: "SOMETHING_NEW",
                can_receive_call_sip: "AVAILABLE",
              },
            ],
          },
        }),
      }),
    });
    const { status } = await wa.account.health({ refresh: true });
    expect(status?.entities).toEqual([
      {
        type: "PHONE_NUMBER",
        id: "1",
        canSendMessage: "LIMITED",
        errors: [],
        additionalInfo: ["one string"],
      },
      {
        type: "WABA",
        id: "2",
        canSendMessage: "BLOCKED",
        errors: [{ code: 141014, description: "Business verification", possibleSolution: "Verify" }],
        additionalInfo: [],
      },
      {
        type: "APP",
        id: "3",
        canSendMessage: "BLOCKED",
        errors: [{ code: 7, description: "d" }],
        additionalInfo: [],
      },
      { type: "NEW_KIND", id: "4", canSendMessage: "SOMETHING_NEW", errors: [], additionalInfo: [] },
    ]);
  });
});

describe("wa.account.watch()", () => {
  it("reads at once and on every interval, emits each change, goes on after a failed reading, stops", async () => {
    const clock = new FakeClock({ autoAdvance: false });
    const { fake, wa, changes } = world(clock);
    const errors: Error[] = [];
    wa.on("health.error", (e) => errors.push(e.error));
    const settle = async () => {
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    };
    const watch = wa.account.watch({ intervalMs: 60_000 });
    await settle();
    expect(phoneReads(fake)).toBe(1);
    expect(watch.latest?.status?.canSendMessage).toBe("AVAILABLE");
    expect(changes).toHaveLength(1);

    fake.setHealth("BUSINESS", { canSendMessage: "BLOCKED" });
    clock.advance(60_000);
    await settle();
    expect(phoneReads(fake)).toBe(2);
    expect(changes.at(-1)?.changes).toContain("overall: AVAILABLE → BLOCKED");
    expect((await wa.account.health()).restrictions.map((r) => r.source)).toEqual(["health:BLOCKED"]);

    fake.failNext(1, 2, { operation: "phone_number" });
    clock.advance(60_000);
    await settle();
    // One failed reading (retried by the client's own retries or not, it surfaces as health.error
    // only when every attempt failed) — either way the watch goes on.
    clock.advance(60_000);
    await settle();
    expect(phoneReads(fake)).toBeGreaterThanOrEqual(4);
    const reads = phoneReads(fake);
    watch.stop();
    await watch.stopped;
    clock.advance(600_000);
    await settle();
    expect(phoneReads(fake)).toBe(reads);
    expect(errors.every((e) => e instanceof Error)).toBe(true);
  });

  it("reports a reading that fails for good as health.error and keeps watching", async () => {
    const clock = new FakeClock({ autoAdvance: false });
    const { fake, wa } = world(clock);
    const errors: Error[] = [];
    wa.on("health.error", (e) => errors.push(e.error));
    fake.failNext(1, 100, { operation: "phone_number" });
    const controller = new AbortController();
    const watch = wa.account.watch({ intervalMs: 30_000, signal: controller.signal });
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(errors).toHaveLength(1);
    expect(watch.latest).toBeUndefined();
    clock.advance(30_000);
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(watch.latest?.status?.canSendMessage).toBe("AVAILABLE");
    controller.abort();
    await watch.stopped;
  });

  it("refuses an interval shorter than 10 s with a ValidationError", () => {
    const { wa } = world();
    expect(() => wa.account.watch({ intervalMs: 1_000 })).toThrow(ValidationError);
    expect(() => wa.account.watch({ intervalMs: Number.NaN })).toThrow(ValidationError);
  });
});
