import { describe, expect, it } from "vitest";
import { type Guard, isPolicyViolation, type OutboundMessage, WhatsAppClient } from "../../src/index.js";
import { contentProblem } from "../../src/policy/content.js";
import { FakeClock, FakeCloudApi, fakeTransport } from "../../src/testing/index.js";

function make(policy: Record<string, unknown> = {}) {
  const clock = new FakeClock();
  const fake = new FakeCloudApi({ clock });
  fake.templates.add({
    name: "promo",
    language: "en_US",
    category: "MARKETING",
    components: [
      { type: "FOOTER", text: "Reply STOP to opt out" },
      { type: "BODY", text: "Hi" },
    ],
  });
  fake.templates.add({
    name: "otp",
    language: "en_US",
    category: "AUTHENTICATION",
    components: [{ type: "BODY", text: "{{1}}" }],
  });
  const wa = new WhatsAppClient({
    accessToken: fake.accessToken,
    phoneNumberId: fake.phoneNumberId,
    wabaId: fake.wabaId,
    clock,
    transport: fakeTransport(fake),
    policy,
  });
  return { wa, fake, clock };
}
const U = "+14165550001";

describe("no bypass under concurrency or mutation", () => {
  it("concurrent marketing sends to one user: exactly one goes out", async () => {
    const { wa, fake } = make();
    await wa.consent.grant(U, { scope: "marketing", source: "t" });
    const results = await Promise.allSettled(
      [1, 2, 3].map(() => wa.messages.sendTemplate({ to: U, name: "promo", language: "en_US" })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(fake.messaging.sentTo(U)).toHaveLength(1);
  });

  it("concurrent sends cannot pass the messaging limit together", async () => {
    const { wa, fake } = make({ disable: ["consent"], messagingLimit: { tier: 2 } });
    const users = ["+14165550011", "+14165550012", "+14165550013", "+14165550014", "+14165550015"];
    await Promise.allSettled(
      users.map((to) => wa.messages.sendTemplate({ to, name: "promo", language: "en_US" })),
    );
    expect(fake.messaging.sent).toHaveLength(2);
  });

  it("what was checked is what is sent, even if the caller changes the object while it waits", async () => {
    const { wa, fake } = make();
    fake.messaging.receiveMessage(U);
    await wa.sessions.recordInbound(U);
    for (let i = 0; i < 10; i++) await wa.messages.sendText({ to: U, body: `m${i}` }); // burst used: the next waits
    const msg: OutboundMessage = { type: "text", to: U, body: "hello" };
    const pending = wa.messages.send(msg);
    (msg as { to: string }).to = "+14165559999";
    await pending;
    expect(fake.messaging.sentTo("+14165559999")).toHaveLength(0);
    expect(fake.messaging.sentTo(U)).toHaveLength(11);
  });

  it("a send Meta refused does not count toward frequency caps", async () => {
    const { wa, fake } = make();
    await wa.consent.grant(U, { scope: "marketing", source: "t" });
    fake.failNext(1, 131000, { match: (r) => r.url.endsWith("/messages") });
    const wa0 = wa.withOptions({ maxRetries: 0 });
    await expect(
      wa0.messages.sendTemplate({ to: U, name: "promo", language: "en_US" }),
    ).rejects.toMatchObject({ graphCode: 131000 });
    await wa0.messages.sendTemplate({ to: U, name: "promo", language: "en_US" });
  });

  it("resending the same authentication code is allowed", async () => {
    const { wa } = make();
    await wa.consent.grant(U, { scope: "authentication", source: "t" });
    await wa.messages.sendTemplate({ to: U, name: "otp", language: "en_US", body: ["123456"] });
    await wa.messages.sendTemplate({ to: U, name: "otp", language: "en_US", body: ["123456"] });
  });

  it("a client for another phone number does not inherit windows or blocks", async () => {
    const { wa } = make();
    await wa.sessions.recordInbound(U);
    const other = wa.withOptions({ phoneNumberId: "100000000000999" });
    expect((await other.sessions.status(U)).open).toBe(false);
    await wa.consent.grant(U, { scope: "marketing", source: "t" });
    expect((await other.consent.status(U, "marketing")).granted).toBe(true);
  });

  it("custom guards written as classes keep their methods", async () => {
    class NoNight implements Guard {
      readonly name = "no-night";
      check() {
        return undefined;
      }
    }
    const { wa, fake } = make({ guards: [new NoNight()] });
    fake.messaging.receiveMessage(U);
    await wa.sessions.recordInbound(U);
    await wa.messages.sendText({ to: U, body: "ok" });
    expect(wa.policy.describe().map((g) => g.name)).toContain("no-night");
  });

  it("two concurrent block calls cannot both take the last free place", async () => {
    const { wa, fake } = make();
    const mirror = wa.policy.pipeline!.stores.blockMirror;
    await mirror.add(Array.from({ length: 63_999 }, (_, i) => `1555${String(i).padStart(7, "0")}`));
    for (const u of ["+14165550021", "+14165550022"]) {
      fake.messaging.receiveMessage(u);
      await wa.sessions.recordInbound(u);
    }
    const [a, b] = await Promise.all([
      wa.blocklist.block(["+14165550021"]),
      wa.blocklist.block(["+14165550022"]),
    ]);
    expect([a.results[0]!.status, b.results[0]!.status].sort()).toEqual(["added", "skipped"]);
    expect(await mirror.size()).toBe(64_000);
  });
});

describe("content reads every visible text", () => {
  it("finds shorteners in button titles, CTA labels, template fallbacks and copy codes", async () => {
    const { wa, fake } = make();
    fake.messaging.receiveMessage(U);
    await wa.sessions.recordInbound(U);
    const refused = async (m: OutboundMessage) => {
      const e = await wa.messages.send(m).catch((x: unknown) => x);
      return isPolicyViolation(e) && e.rule === "content";
    };
    expect(
      await refused({ type: "buttons", to: U, body: "b", buttons: [{ id: "a", title: "bit.ly/3xYz" }] }),
    ).toBe(true);
    expect(
      await refused({
        type: "cta_url",
        to: U,
        body: "b",
        displayText: "tinyurl.com/abc",
        url: "https://shop.example",
      }),
    ).toBe(true);
    expect(contentProblem(["378282246310005"], {})).toMatch(/card/);
  });

  it("does not take phone numbers or order ids for card numbers", () => {
    for (const text of [
      "Call +55 11 98765-4309",
      "Your order 2026010112004",
      "Ref 5215512345678",
      "+5491112345678",
    ]) {
      expect(contentProblem([text], {}), text).toBeUndefined();
    }
  });
});
