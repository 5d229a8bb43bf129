/**
 * The adversary's sends: many clients on one store racing for the last slot, memory bounds
 * pushed past their cap, and a check that never settles. Nothing violating may reach the fake,
 * and no send may wait forever or behind another recipient.
 */
import { describe, expect, it } from "vitest";
import {
  type ClientOptions,
  isPolicyViolation,
  MemoryBlockMirror,
  MemoryConsentStore,
  MemoryRateLimitStore,
  MemorySendHistoryStore,
  memoryStores,
  type SendHistoryStore,
  WhatsAppClient,
} from "../../src/index.js";
import { FakeClock, FakeCloudApi, fakeTransport } from "../../src/testing/index.js";

const user = (n: number) => `+1416${String(5_000_000 + n).padStart(7, "0")}`;

function world(options: ClientOptions = {}) {
  const clock = new FakeClock();
  const fake = new FakeCloudApi({ clock });
  fake.templates.add({
    name: "promo",
    language: "en_US",
    category: "MARKETING",
    components: [
      { type: "FOOTER", text: "Reply STOP to opt out" },
      { type: "BODY", text: "{{1}} off" },
    ],
  });
  let reached = 0;
  const transport = fakeTransport(fake);
  const wa = new WhatsAppClient({
    accessToken: fake.accessToken,
    phoneNumberId: fake.phoneNumberId,
    wabaId: fake.wabaId,
    clock,
    maxRetries: 0,
    transport: async (req) => {
      if (req.url.endsWith("/messages")) reached++;
      return transport(req);
    },
    ...options,
  });
  const promo = (client: WhatsAppClient, to: string, body = "20%") =>
    client.messages.sendTemplate({ to, name: "promo", language: "en_US", body: [body] });
  const outcome = (send: Promise<unknown>) =>
    send.then(
      () => "sent",
      (error: unknown) => (isPolicyViolation(error) ? error.rule : `error:${String(error)}`),
    );
  return { clock, fake, wa, promo, outcome, reached: () => reached };
}

describe("hostile sends: clients sharing a store share its caps", () => {
  it("five copies of one promo from a client and its withOptions() copies: one is sent", async () => {
    const w = world();
    await w.wa.consent.grant(user(1), { scope: "marketing", source: "form" });
    const clients = [w.wa, ...Array.from({ length: 4 }, () => w.wa.withOptions({}))];
    const results = await Promise.all(clients.map((c) => w.outcome(w.promo(c, user(1)))));
    expect(results.filter((r) => r === "sent")).toHaveLength(1);
    expect(results.filter((r) => r !== "sent").every((r) => r === "frequency")).toBe(true);
    expect(w.reached()).toBe(1);
  });

  it("eight copies sending to eight users at once stay within a messaging limit of 3", async () => {
    const w = world({ policy: { messagingLimit: { tier: 3 } } });
    for (let i = 0; i < 8; i++) await w.wa.consent.grant(user(i), { scope: "marketing", source: "form" });
    const clients = Array.from({ length: 8 }, (_, i) => (i === 0 ? w.wa : w.wa.withOptions({})));
    const results = await Promise.all(clients.map((c, i) => w.outcome(w.promo(c, user(i)))));
    expect(results.filter((r) => r === "sent")).toHaveLength(3);
    expect(results.filter((r) => r !== "sent").every((r) => r === "messaging-limit")).toBe(true);
    expect(w.reached()).toBe(3);
  });

  it("separate clients given one memoryStores() share the caps too", async () => {
    const stores = memoryStores();
    const w = world({ stores });
    const other = new WhatsAppClient({
      accessToken: w.fake.accessToken,
      phoneNumberId: w.fake.phoneNumberId,
      wabaId: w.fake.wabaId,
      clock: w.clock,
      maxRetries: 0,
      transport: fakeTransport(w.fake),
      stores,
    });
    await w.wa.consent.grant(user(1), { scope: "marketing", source: "form" });
    const results = await Promise.all([
      w.outcome(w.promo(w.wa, user(1))),
      w.outcome(w.promo(other, user(1))),
    ]);
    expect(results.sort()).toEqual(["frequency", "sent"]);
    expect(w.fake.messaging.sent).toHaveLength(1);
  });
});

describe("hostile sends: a memory bound never loosens a cap", () => {
  it("a full send history refuses new recipients rather than forget who was sent to", async () => {
    const history = new MemorySendHistoryStore({ max: 50 });
    const w = world({ stores: { sendHistory: history }, policy: { messagingLimit: { tier: "unlimited" } } });
    for (let i = 0; i <= 60; i++) await w.wa.consent.grant(user(i), { scope: "marketing", source: "form" });
    expect(await w.outcome(w.promo(w.wa, user(0)))).toBe("sent");
    const others: string[] = [];
    for (let i = 1; i <= 60; i++) others.push(await w.outcome(w.promo(w.wa, user(i))));
    expect(others.filter((r) => r === "sent")).toHaveLength(49);
    expect(others.filter((r) => r !== "sent").every((r) => r === "frequency")).toBe(true);
    expect(history.size).toBeLessThanOrEqual(50);
    // The first user is still remembered: the same promo the same day is refused.
    expect(await w.outcome(w.promo(w.wa, user(0)))).toBe("frequency");
    expect(w.fake.messaging.sentTo(user(0))).toHaveLength(1);
    // A week later the old entries may go, and new recipients are served again.
    w.clock.advance(7 * 86_400_000 + 1);
    expect(await w.outcome(w.promo(w.wa, user(55), "30%"))).toBe("sent");
    expect(history.size).toBeLessThanOrEqual(50);
  });
});

describe("hostile stores: every memory bound holds, and none loosens a decision", () => {
  it("the block mirror refuses to grow past its bound and keeps every block it has", async () => {
    const mirror = new MemoryBlockMirror();
    const keys = Array.from({ length: 150_000 }, (_, i) => `1416${String(i).padStart(7, "0")}`);
    await mirror.add(keys.slice(0, 100_000));
    await expect(mirror.add(keys.slice(100_000))).rejects.toMatchObject({ code: "store_unavailable" });
    expect(await mirror.size()).toBe(100_000);
    expect(await mirror.has(keys[0]!)).toBe(true);
    await expect(mirror.replace(keys)).rejects.toMatchObject({ code: "store_unavailable" });
    expect(await mirror.size()).toBe(100_000);
  });

  it("a full consent ledger forgets only grants, never a STOP", async () => {
    const ledger = new MemoryConsentStore({ max: 3 });
    const w = world({ stores: { consent: ledger } });
    await w.wa.consent.grant(user(1), { scope: "marketing", source: "form" });
    w.clock.advance(1000);
    await w.wa.consent.revoke(user(1), { scope: "all", source: "keyword:STOP" });
    for (let i = 2; i <= 4; i++) await w.wa.consent.grant(user(i), { scope: "marketing", source: "form" });
    expect(ledger.size).toBeLessThanOrEqual(3);
    expect((await w.wa.consent.history(user(1))).map((e) => e.action)).toEqual(["grant", "revoke"]);
    for (let i = 5; i <= 9; i++) await w.wa.consent.revoke(user(i), { scope: "all", source: "keyword:STOP" });
    await expect(w.wa.consent.grant(user(10), { scope: "marketing", source: "form" })).rejects.toMatchObject({
      code: "store_unavailable",
    });
    for (let i = 5; i <= 9; i++)
      expect((await w.wa.consent.status(user(i), "marketing")).granted).toBe(false);
  });

  it("a full pair-rate table forgets only refilled recipients: no one gets a fresh burst", async () => {
    const rates = new MemoryRateLimitStore({ maxKeys: 2 });
    const take = (key: string, now: number) => rates.bucket(key, 2, 6_000, now, true);
    expect((await take("a", 0)).ok).toBe(true);
    expect((await take("a", 0)).ok).toBe(true);
    expect((await take("b", 0)).ok).toBe(true);
    expect((await take("c", 0)).ok).toBe(false); // a and b are still draining: c waits
    expect((await take("a", 1)).ok).toBe(false); // a was not forgotten: no fresh burst
    expect((await take("c", 12_000)).ok).toBe(true); // a and b refilled: one may go
  });
});

describe("hostile sends: no send waits forever, and none waits behind another recipient", () => {
  const stuckFor = (stuck: string) => ({
    name: "crm-lookup",
    check: (ctx: { message: { to: string } }) =>
      ctx.message.to === stuck ? new Promise<undefined>(() => undefined) : undefined,
  });

  it("a send whose custom guard never settles ends at its signal; other recipients are sent meanwhile", async () => {
    const w = world({ policy: { guards: [stuckFor(user(1))], messagingLimit: { tier: "unlimited" } } });
    for (let i = 1; i <= 3; i++) await w.wa.consent.grant(user(i), { scope: "marketing", source: "form" });
    const stuck = w.wa.messages
      .sendTemplate(
        { to: user(1), name: "promo", language: "en_US", body: ["1%"] },
        { signal: AbortSignal.timeout(200) },
      )
      .then(
        () => "sent",
        (e: { code?: string; outcome?: string }) => `${e.code}:${e.outcome}`,
      );
    expect(await w.outcome(w.promo(w.wa, user(2)))).toBe("sent");
    expect(await w.outcome(w.promo(w.wa.withOptions({}), user(3)))).toBe("sent");
    expect(await stuck).toBe("transport_failed:not_sent");
    expect(w.fake.messaging.sentTo(user(1))).toHaveLength(0);
  });

  it("without a signal, the policy's own bound ends it, and nothing it took stays taken", async () => {
    const w = world({ policy: { guards: [stuckFor(user(1))], timeoutMs: 300 } });
    await w.wa.consent.grant(user(1), { scope: "marketing", source: "form" });
    const started = Date.now();
    const error = await w.promo(w.wa, user(1)).catch((e: unknown) => e as { code?: string });
    expect(error).toMatchObject({ code: "store_unavailable" });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(w.reached()).toBe(0);
  });
});

describe("hostile stores: campaign checkpoints are bounded without forgetting a send", () => {
  it("at the bound a new recipient is refused, and no one already sent is sent again", async () => {
    const { MemoryCampaignCheckpointStore } = await import("../../src/index.js");
    const store = new MemoryCampaignCheckpointStore({ maxEntries: 2 });
    const pending = (run: string) => ({ state: "pending" as const, correlationId: "c", run, at: 1 });
    expect(await store.claim("spring", "a", pending("r1"))).toBeUndefined();
    expect(await store.claim("spring", "b", pending("r1"))).toBeUndefined();
    await expect(store.claim("spring", "c", pending("r1"))).rejects.toMatchObject({
      code: "store_unavailable",
    });
    expect(await store.claim("spring", "a", pending("r2"))).toMatchObject({ state: "pending" });
  });
});

describe("hostile sends: identifiers Meta refuses for a message", () => {
  it("an authentication template to a BSUID is refused locally (Meta answers 131062), and the fake agrees", async () => {
    const w = world();
    w.fake.templates.add({
      name: "login_code",
      language: "en_US",
      category: "AUTHENTICATION",
      components: [{ type: "BODY", text: "{{1}} is your code" }],
    });
    const bsuid = "US.13491208655302741918";
    await w.wa.consent.grant(bsuid, { scope: "authentication", source: "signup" });
    const send = w.wa.messages.sendTemplate({
      to: bsuid,
      name: "login_code",
      language: "en_US",
      body: ["123456"],
    });
    expect(await w.outcome(send)).toBe("template");
    expect(w.reached()).toBe(0);
    const raw = await w.fake.handle({
      method: "POST",
      url: `https://graph.facebook.com/v25.0/${w.fake.phoneNumberId}/messages`,
      headers: { authorization: `Bearer ${w.fake.accessToken}`, "content-type": "application/json" },
      timeouts: { connectMs: 1_000, headersMs: 1_000, bodyMs: 1_000 },
      body: JSON.stringify({
        messaging_product: "whatsapp",
        recipient: bsuid,
        type: "template",
        template: { name: "login_code", language: { code: "en_US" } },
      }),
    });
    expect(JSON.parse(String(raw.body)).error.code).toBe(131062);
  });
});

describe("hostile sends: giving up on a send while the store fails", () => {
  it("a send abandoned at its bound, whose late reservation cannot be released, neither hangs nor crashes the process", async () => {
    const base = new MemorySendHistoryStore();
    const sendHistory: SendHistoryStore = {
      record: (e) => base.record(e),
      reserve: (e, caps) => base.reserve(e, caps),
      release: async () => {
        throw new Error("store down");
      },
      reach: (k, now) => base.reach(k, now),
      marketingSince: (k, since) => base.marketingSince(k, since),
      sentSince: (k, fp, since) => base.sentSince(k, fp, since),
    };
    const slow = {
      name: "crm",
      check: () => new Promise<undefined>((r) => setTimeout(() => r(undefined), 500)),
    };
    const w = world({ stores: { sendHistory }, policy: { guards: [slow], timeoutMs: 200 } });
    await w.wa.consent.grant(user(1), { scope: "marketing", source: "form" });
    const error = await w.promo(w.wa, user(1)).catch((e: unknown) => e as { code?: string });
    expect(error).toMatchObject({ code: "store_unavailable" });
    // The checks finish later and their release fails: nothing may be left unhandled.
    await new Promise((r) => setTimeout(r, 800));
    expect(w.reached()).toBe(0);
  });
});
