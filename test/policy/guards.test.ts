import { describe, expect, it } from "vitest";
import {
  ConsentRequiredError,
  ContentPolicyError,
  canonicalDigits,
  isGraphApiError,
  normalizeKeyword,
  parseRecipient,
  SessionWindowClosedError,
  ThroughputLimitError,
  WhatsAppClient,
} from "../../src/index.js";
import { contentProblem } from "../../src/policy/content.js";
import { FakeClock, FakeCloudApi, fakeTransport } from "../../src/testing/index.js";

function policySetup(
  policy: ConstructorParameters<typeof WhatsAppClient>[0] extends infer O
    ? O extends { policy?: infer P }
      ? P
      : never
    : never = {},
  fakeOptions = {},
) {
  const clock = new FakeClock();
  const fake = new FakeCloudApi({ clock, ...fakeOptions });
  const wa = new WhatsAppClient({
    accessToken: fake.accessToken,
    phoneNumberId: fake.phoneNumberId,
    wabaId: fake.wabaId,
    transport: fakeTransport(fake),
    clock,
    policy,
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
  return { clock, fake, wa };
}

describe("recipient plausibility (libphonenumber-js)", () => {
  const rules = async (wa: WhatsAppClient, to: string) =>
    (await wa.policy.check({ type: "text", to, body: "hi" })).violations.map((v) => v.rule);

  it("refuses numbers no country can have, naming why", async () => {
    const { wa } = policySetup();
    for (const to of ["+1 416 555 123", "+999 1234 5678", "+351 91 234 567", "+44 7911 1234567"]) {
      expect(await rules(wa, to), to).toContain("recipient");
    }
    const verdict = await wa.policy.check({ type: "text", to: "+1 416 555 123", body: "hi" });
    expect(verdict.violations[0]?.reason).toMatch(/too short for its country/);
  });

  it("never refuses a wa_id Meta sent, in either spelling", async () => {
    const { wa } = policySetup();
    for (const to of [
      "5215512345678", // Mexico, as webhooks report it
      "+52 55 1234 5678",
      "5491112345678", // Argentina, as webhooks report it
      "+54 11 1234 5678",
      "551187654321", // Brazil, an account registered before the 9th digit
      "+55 11 98765 4321",
      "+44 7911 123456",
      "+351 912 345 678",
      "+86 138 0013 8000",
      "US.13491208655302741918",
    ]) {
      expect(await rules(wa, to), to).not.toContain("recipient");
    }
  });
});

describe("recipient identity", () => {
  it("collapses Brazil, Mexico and Argentina variants to one key, in both directions", () => {
    expect(canonicalDigits("551187654321")).toBe("5511987654321");
    expect(canonicalDigits("5511987654321")).toBe("5511987654321");
    expect(canonicalDigits("5215512345678")).toBe("525512345678");
    expect(canonicalDigits("525512345678")).toBe("525512345678");
    expect(canonicalDigits("5491112345678")).toBe("541112345678");
    expect(canonicalDigits("541112345678")).toBe("541112345678");
    expect(canonicalDigits("551132345678")).toBe("551132345678"); // Brazilian landline: no 9 added
    expect(parseRecipient("+55 11 8765-4321")?.key).toBe(parseRecipient("5511987654321")?.key);
  });

  it("follows the person: a window opened by the wa_id allows a reply to the dialled number", async () => {
    const { fake, wa } = policySetup();
    fake.messaging.receiveMessage("+52 1 55 1234 5678");
    await wa.sessions.recordInbound("5215512345678");
    expect((await wa.sessions.status("+52 55 1234 5678")).open).toBe(true);
  });
});

describe("consent", () => {
  it("normalises opt-out words: case, accents, punctuation", () => {
    expect(normalizeKeyword("  ¡Párar!! ")).toBe("PARAR");
    expect(normalizeKeyword("stop.")).toBe("STOP");
    expect(normalizeKeyword("Opt-Out")).toBe("OPTOUT");
  });

  it("records STOP, a configured unsubscribe button and START through processInbound", async () => {
    const { wa } = policySetup({ consent: { unsubscribePayloads: ["UNSUB_PROMOS"] } });
    const u = "+14165550001";
    await wa.consent.grant(u, { scope: "marketing", source: "form", proof: "sha256:abc" });
    expect((await wa.consent.status(u, "marketing")).granted).toBe(true);
    expect(await wa.consent.processInbound({ from: u, text: "Stop" })).toBe("opt-out");
    expect((await wa.consent.status(u, "marketing")).granted).toBe(false);
    expect(await wa.consent.processInbound({ from: u, text: "START" })).toBe("opt-in");
    expect((await wa.consent.status(u, "marketing")).granted).toBe(true);
    expect(await wa.consent.processInbound({ from: u, buttonPayload: "UNSUB_PROMOS" })).toBe("opt-out");
    expect((await wa.consent.status(u, "marketing")).granted).toBe(false);
    expect(await wa.consent.processInbound({ from: u, text: "please don't stop" })).toBeUndefined();
    // "yes" answers many questions; it must not re-subscribe someone who said STOP.
    expect(await wa.consent.processInbound({ from: u, text: "Yes" })).toBeUndefined();
    const history = await wa.consent.history(u);
    expect(history.map((e) => `${e.action}:${e.scope}:${e.source}`)).toEqual([
      "grant:marketing:form",
      "revoke:all:keyword:STOP",
      "grant:all:keyword:START",
      "revoke:marketing:button:UNSUB_PROMOS",
    ]);
    expect(history[0]!.proof).toBe("sha256:abc");
  });

  it("records Meta's 131050 (user stopped marketing) as an opt-out", async () => {
    const { fake, wa } = policySetup({ disable: ["consent"] });
    const u = "+14165550001";
    fake.failNext(1, 131050, { match: (r) => r.url.endsWith("/messages") });
    await expect(wa.messages.sendTemplate({ to: u, name: "promo", language: "en_US" })).rejects.toSatisfy(
      isGraphApiError,
    );
    expect((await wa.consent.history(u)).at(-1)).toMatchObject({
      action: "revoke",
      scope: "marketing",
      source: "meta:131050",
    });
  });

  it("refuses a template without consent and emits policy.refused; nothing reaches Meta", async () => {
    const { fake, wa } = policySetup();
    const refused: string[] = [];
    wa.on("policy.refused", (e) => refused.push(e.error.code));
    await expect(
      wa.messages.sendTemplate({ to: "+14165550001", name: "promo", language: "en_US" }),
    ).rejects.toBeInstanceOf(ConsentRequiredError);
    expect(refused).toEqual(["policy_consent_required"]);
    expect(fake.requests.filter((r) => r.path.endsWith("/messages"))).toEqual([]);
  });
});

describe("policy.check", () => {
  it("returns every violation without sending or consuming capacity", async () => {
    const { fake, wa } = policySetup({ content: { allowDomains: ["shop.example"] } });
    const verdict = await wa.policy.check({ type: "text", to: "+14165550001", body: "see https://bit.ly/x" });
    expect(verdict.allowed).toBe(false);
    // Most specific first: the message's own content before the recipient's window.
    expect(verdict.violations.map((v) => v.rule)).toEqual(["content", "session-window"]);
    expect(verdict.violations[0]).toBeInstanceOf(ContentPolicyError);
    expect(verdict.violations[1]).toBeInstanceOf(SessionWindowClosedError);
    expect(fake.requests.filter((r) => r.path.endsWith("/messages"))).toEqual([]);
    expect(wa.policy.describe().map((g) => g.name)).toEqual([
      "recipient",
      "account-health",
      "blocklist",
      "consent",
      "session-window",
      "template",
      "content",
      "frequency",
      "messaging-limit",
      "pair-rate",
      "throughput",
    ]);
  });
});

describe("content", () => {
  it("finds shorteners, foreign domains, bad schemes, card numbers and IBANs, and lets normal text through", () => {
    const p = (t: string, o = {}) => contentProblem([t], o);
    expect(p("Track: https://bit.ly/abc")).toMatch(/shortener/);
    expect(p("Track: tinyurl.com/abc")).toMatch(/shortener/);
    expect(p("go to https://other.example/x", { allowDomains: ["shop.example"] })).toMatch(/allowed domains/);
    expect(p("go to https://www.shop.example/x", { allowDomains: ["shop.example"] })).toBeUndefined();
    expect(p("click javascript:alert(1)")).toMatch(/http\(s\)/);
    expect(p("Card 4111-1111-1111-1111")).toMatch(/card number/);
    expect(p("Order 4111 1111 1111 1112")).toBeUndefined(); // fails Luhn
    expect(p("IBAN GB82 WEST 1234 5698 7654 32")).toMatch(/IBAN/);
    expect(p("Your order 12345 ships on 2026-11-21. Card ending 1111.")).toBeUndefined();
    expect(p("code AB-123-456", { sensitivePatterns: [/AB-\d{3}-\d{3}/] })).toMatch(/sensitive-data pattern/);
    expect(p("Card 4111 1111 1111 1111", { detectCardNumbers: false })).toBeUndefined();
  });
});

describe("throughput and pair rate", () => {
  // Frequency caps and consent would stop repeat promotions to the same users; these tests are
  // about pacing. Every send resolving means the fake never answered 130429 or 131056.
  it.each([80, 1000])(
    "%i msg/s for 60 s of fake time: zero 130429 and zero 131056 from the fake",
    async (rate) => {
      const { fake, wa, clock } = policySetup(
        {
          disable: ["frequency", "consent"],
          throughput: { perSecond: rate },
          messagingLimit: { tier: "unlimited" },
        },
        { throughputPerSecond: rate },
      );
      const users = Array.from({ length: 5000 }, (_, i) => `+1416${String(i).padStart(7, "0")}`);
      const start = clock.now();
      let sent = 0;
      while (clock.now() - start < 60_000) {
        await wa.messages.sendTemplate({ to: users[sent % users.length]!, name: "promo", language: "en_US" });
        sent++;
      }
      const perSecond = new Map<number, number>();
      for (const m of fake.messaging.sent) {
        const second = Math.floor(m.at / 1000);
        perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
      }
      expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(rate);
      expect(sent).toBeGreaterThanOrEqual(rate * 59);
      expect(fake.messaging.sent).toHaveLength(sent);
    },
    60_000,
  );

  it("refuses with retryAfterMs in refuse mode instead of waiting", async () => {
    const { wa, fake } = policySetup({ throughput: { perSecond: 5, mode: "refuse" } });
    for (let i = 0; i < 5; i++) fake.messaging.receiveMessage(`+141655500${10 + i}`);
    for (let i = 0; i < 5; i++) await wa.sessions.recordInbound(`+141655500${10 + i}`);
    for (let i = 0; i < 5; i++) await wa.messages.sendText({ to: `+141655500${10 + i}`, body: "hi" });
    const e = await wa.messages.sendText({ to: "+14165550010", body: "one more" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ThroughputLimitError);
    expect((e as ThroughputLimitError).retryAfterMs).toBeGreaterThan(0);
    expect((e as ThroughputLimitError).retryAfterMs).toBeLessThanOrEqual(1000);
  });

  it("many messages to one user wait for the pair rate instead of meeting 131056", async () => {
    const { fake, wa } = policySetup();
    const u = "+14165550001";
    fake.messaging.receiveMessage(u);
    await wa.sessions.recordInbound(u);
    const waits: number[] = [];
    wa.on("throttle.wait", (e) => waits.push(e.waitMs));
    for (let i = 0; i < 60; i++) {
      fake.messaging.receiveMessage(u); // keep the window open at Meta and locally
      await wa.sessions.recordInbound(u);
      await wa.messages.sendText({ to: u, body: `m${i}` });
    }
    expect(fake.messaging.sentTo(u)).toHaveLength(60);
    expect(waits.length).toBe(50);
  });
});

describe("account health, frequency and messaging limit", () => {
  it("opens a restriction on 131048 (business-initiated only) and reports it in health()", async () => {
    const { fake, wa, clock } = policySetup({ disable: ["consent"] });
    const u = "+14165550001";
    fake.failNext(1, 131048, { match: (r) => r.url.endsWith("/messages") });
    await expect(wa.messages.sendTemplate({ to: u, name: "promo", language: "en_US" })).rejects.toMatchObject(
      { graphCode: 131048 },
    );
    const health = await wa.account.health();
    expect(health.restrictions).toMatchObject([{ scope: "business_initiated", source: "graph:131048" }]);
    await expect(
      wa.messages.sendTemplate({ to: "+14165550002", name: "promo", language: "en_US" }),
    ).rejects.toMatchObject({
      code: "policy_account_restricted",
    });
    // Replies are not business-initiated: still allowed.
    fake.messaging.receiveMessage(u);
    await wa.sessions.recordInbound(u);
    await wa.messages.sendText({ to: u, body: "we are here" });
    clock.advance(60 * 60 * 1000);
    expect((await wa.account.health()).restrictions).toEqual([]);
  });

  it("pauses every send after a 130429 storm, and marketing on RED quality", async () => {
    const { fake, wa } = policySetup({ disable: ["consent"] }, { phoneNumber: { quality_rating: "RED" } });
    const u = "+14165550001";
    fake.messaging.receiveMessage(u);
    await wa.sessions.recordInbound(u);
    fake.failNext(3, { code: 130429, retryAfterSeconds: 120 }, { match: (r) => r.url.endsWith("/messages") });
    for (let i = 0; i < 3; i++) await wa.messages.sendText({ to: u, body: `m${i}` }).catch(() => {});
    await expect(wa.messages.sendText({ to: u, body: "again" })).rejects.toMatchObject({
      rule: "account-health",
    });
    await wa.account.clearRestriction("throughput");
    const health = await wa.account.health({ refresh: true });
    expect(health.phoneNumber?.qualityRating).toBe("RED");
    expect(health.restrictions.map((r) => r.scope)).toEqual(["marketing"]);
    await expect(wa.messages.sendTemplate({ to: u, name: "promo", language: "en_US" })).rejects.toMatchObject(
      { rule: "account-health" },
    );
    await wa.messages.sendText({ to: u, body: "replies still go" });
  });

  it("slows marketing to a share of the throughput on YELLOW quality; other sends keep the full rate", async () => {
    const { fake, wa, clock } = policySetup(
      { messagingLimit: { tier: "unlimited" } },
      { phoneNumber: { quality_rating: "YELLOW" } },
    );
    fake.templates.add({
      name: "notice",
      language: "en_US",
      category: "UTILITY",
      components: [{ type: "BODY", text: "Hi" }],
    });
    const health = await wa.account.health({ refresh: true });
    expect(health.restrictions.map((r) => [r.scope, r.source])).toEqual([
      ["marketing_slow", "quality:YELLOW"],
    ]);
    const users = Array.from({ length: 60 }, (_, i) => `+1416555${String(i).padStart(4, "0")}`);
    for (const u of users) {
      await wa.consent.grant(u, { scope: "marketing", source: "t" });
      await wa.consent.grant(u, { scope: "utility", source: "t" });
    }
    const perSecond = (name: string) => {
      const counts = new Map<number, number>();
      for (const m of fake.messaging.sent) {
        if ((m.payload["template"] as { name?: string } | undefined)?.name !== name) continue;
        const s = Math.floor(m.at / 1000);
        counts.set(s, (counts.get(s) ?? 0) + 1);
      }
      return Math.max(...counts.values());
    };
    const start = clock.now();
    await Promise.all(users.map((to) => wa.messages.sendTemplate({ to, name: "promo", language: "en_US" })));
    expect(perSecond("promo")).toBeLessThanOrEqual(20); // 80/s × 0.25
    expect(clock.now() - start).toBeGreaterThanOrEqual(2000);
    await Promise.all(users.map((to) => wa.messages.sendTemplate({ to, name: "notice", language: "en_US" })));
    expect(perSecond("notice")).toBeGreaterThan(20);
    fake.phone.quality_rating = "GREEN";
    await wa.account.health({ refresh: true });
    expect((await wa.account.health()).restrictions).toEqual([]);
  });

  it("caps marketing per user and refuses identical repeats", async () => {
    const { fake, wa, clock } = policySetup({ frequency: { marketingPerDay: 1, marketingPerWeek: 2 } });
    fake.templates.add({
      name: "notice",
      language: "en_US",
      category: "UTILITY",
      components: [{ type: "BODY", text: "{{1}}" }],
    });
    const u = "+14165550001";
    await wa.consent.grant(u, { scope: "marketing", source: "t" });
    await wa.consent.grant(u, { scope: "utility", source: "t" });
    const promo = () => wa.messages.sendTemplate({ to: u, name: "promo", language: "en_US" });
    await promo();
    await expect(promo()).rejects.toMatchObject({ code: "policy_frequency" });
    clock.advance(25 * 60 * 60 * 1000);
    await promo();
    clock.advance(25 * 60 * 60 * 1000);
    await expect(promo()).rejects.toMatchObject({ reason: expect.stringMatching(/7 days/) });
    await wa.messages.sendTemplate({ to: u, name: "notice", language: "en_US", body: ["A-1"] });
    await expect(
      wa.messages.sendTemplate({ to: u, name: "notice", language: "en_US", body: ["A-1"] }),
    ).rejects.toMatchObject({
      reason: expect.stringMatching(/same message/),
    });
    await wa.messages.sendTemplate({ to: u, name: "notice", language: "en_US", body: ["A-2"] });
  });

  it("stops business-initiated sends at the tier's unique recipients; open windows and repeat users do not count", async () => {
    const { fake, wa } = policySetup(
      { disable: ["consent", "frequency"], messagingLimit: { tier: "auto" } },
      { phoneNumber: { whatsapp_business_manager_messaging_limit: "TIER_50" } },
    );
    const users = Array.from({ length: 52 }, (_, i) => `+1416555${String(i).padStart(4, "0")}`);
    for (const u of users.slice(0, 50))
      await wa.messages.sendTemplate({ to: u, name: "promo", language: "en_US" });
    await expect(
      wa.messages.sendTemplate({ to: users[50]!, name: "promo", language: "en_US" }),
    ).rejects.toMatchObject({
      code: "policy_messaging_limit",
    });
    await wa.messages.sendTemplate({ to: users[0]!, name: "promo", language: "en_US" }); // already reached
    fake.messaging.receiveMessage(users[51]!);
    await wa.sessions.recordInbound(users[51]!);
    await wa.messages.sendTemplate({ to: users[51]!, name: "promo", language: "en_US" }); // inside a window
  });
});

describe("consent import", () => {
  it("imports consent records with one result per input; bad records never stop the others", async () => {
    const { wa } = policySetup();
    const results = await wa.consent.import([
      { recipient: "+14165550001", scope: "marketing", source: "crm", proof: "row 1" },
      { recipient: "not a number", scope: "marketing", source: "crm" },
      { recipient: "+14165550002", scope: "marketing", source: "" },
      { recipient: "+14165550003", scope: "utility", source: "crm", action: "revoke" },
    ]);
    expect(results.map((r) => r.status)).toEqual(["recorded", "invalid", "invalid", "recorded"]);
    expect((await wa.consent.status("+14165550001", "marketing")).granted).toBe(true);
  });
});
