/** Fault injection hits the request a test means; delivered webhooks have reached listeners. */
import { describe, expect, it } from "vitest";
import { type MessageEvent, TransportError, WhatsAppClient } from "../../src/index.js";
import { FakeClock, FakeCloudApi, startFakeServer } from "../../src/testing/index.js";
import { connected, USER } from "../helpers.js";

const HOUR = 60 * 60 * 1000;
const err = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

/** A client with the policy on, a marketing template and a user who opted in. */
async function world() {
  const { fake, wa, clock } = connected({ client: { maxRetries: 0 } });
  fake.templates.add({
    name: "promo",
    language: "en_US",
    category: "MARKETING",
    components: [
      { type: "FOOTER", text: "Reply STOP to opt out" },
      { type: "BODY", text: "Sale" },
    ],
  });
  await wa.consent.grant(USER, { scope: "marketing", source: "form" });
  return { fake, wa, clock };
}

describe("failNext / dropNext: which request they hit", () => {
  it("by default a failure hits the next send, not the template list fetched before it", async () => {
    const { fake, wa } = await world();
    fake.failNext(1, 130472);
    const e = await err(wa.messages.sendTemplate({ to: USER, name: "promo", language: "en_US" }));
    expect(e).toMatchObject({ graphCode: 130472 });
    // The policy read the template list (and the messaging limit) first; those went through.
    const paths = fake.requests.map((r) => `${r.method} ${r.path.replace(/^\/v[\d.]+/, "")}`);
    expect(paths[0]).toBe(`GET /${fake.wabaId}/message_templates`);
    expect(paths.at(-1)).toBe(`POST /${fake.phoneNumberId}/messages`);
    expect(fake.messaging.sent).toEqual([]);
  });

  it("a drop aimed at nothing in particular drops the send", async () => {
    const { fake, wa } = await world();
    fake.dropNext(1, "after_request");
    const e = await err(wa.messages.sendTemplate({ to: USER, name: "promo", language: "en_US" }));
    expect(e).toBeInstanceOf(TransportError);
    expect(fake.messaging.sent).toHaveLength(1); // Meta got it; the answer was lost
  });

  it("operation picks another kind of request: the template list, the block list, any request", async () => {
    const { fake, wa } = await world();
    fake.failNext(1, { code: 80007 }, { operation: "templates" });
    const names: string[] = [];
    expect(
      await err(
        (async () => {
          for await (const t of wa.templates.list()) names.push(t.name);
        })(),
      ),
    ).toMatchObject({ graphCode: 80007 });
    fake.messaging.receiveMessage(USER);
    await fake.webhooks.deliver(wa);
    fake.failNext(1, 190, { operation: "block_users" });
    await wa.messages.sendText({ to: USER, body: "a send is not a block request" });
    const r = await wa.blocklist.block([USER]);
    expect(r.results[0]).toMatchObject({ status: "failed", error: { graphCode: 190 } });
    fake.failNext(1, 131000, { operation: "any" });
    expect(await err(wa.account.phoneNumber())).toMatchObject({ graphCode: 131000 });
  });

  it("a mark-as-read is not a send", async () => {
    const { fake, wa } = await world();
    const inbound = fake.messaging.receiveMessage(USER);
    await fake.webhooks.deliver(wa);
    fake.failNext(1, 131000);
    await wa.messages.markAsRead(inbound.id);
    expect(await err(wa.messages.sendText({ to: USER, body: "hi" }))).toMatchObject({ graphCode: 131000 });
  });

  it("async: true makes the send succeed, then fail in a status webhook with that error", async () => {
    const { fake, wa } = await world();
    fake.failNext(1, { code: 131049, details: "held back" }, { async: true });
    const sent = await wa.messages.sendTemplate({ to: USER, name: "promo", language: "en_US" });
    expect(fake.messaging.sent[0]).toMatchObject({ id: sent.messageId, failed: { code: 131049 } });
    const failures: number[] = [];
    wa.on("status", (s) => {
      for (const e of s.errors) failures.push(e.code);
    });
    await fake.webhooks.deliver(wa);
    expect(failures).toEqual([131049]);
  });

  it("refuses an async fault for anything but sends", () => {
    const fake = new FakeCloudApi();
    expect(() => fake.failNext(1, 131049, { operation: "templates", async: true })).toThrow(/send/);
  });
});

describe("fake.webhooks.deliver: listeners have run when it resolves", () => {
  it("a client target: an assertion right after deliver sees what an async listener did", async () => {
    const { fake, wa } = connected();
    const seen: string[] = [];
    wa.on("message", async (m: MessageEvent) => {
      await Promise.resolve();
      seen.push(m.text ?? "");
    });
    fake.messaging.receiveMessage(USER, { text: "hello" });
    await fake.webhooks.deliver(wa);
    expect(seen).toEqual(["hello"]);
  });

  it("a fetch handler target: listeners have run too", async () => {
    const { fake, wa } = connected();
    const seen: string[] = [];
    wa.on("message", (m: MessageEvent) => {
      seen.push(m.text ?? "");
    });
    fake.messaging.receiveMessage(USER, { text: "hi there" });
    const [d] = await fake.webhooks.deliver(wa.webhooks.fetchHandler());
    expect(d?.status).toBe(200);
    expect(seen).toEqual(["hi there"]);
  });
});

describe("docs/testing.md: the loopback set-up", () => {
  it("the client over loopback shares the fake's clock: Meta's window and the client's agree", async () => {
    // As in the docs: one clock for the fake and the client.
    const clock = new FakeClock();
    const fake = new FakeCloudApi({ clock });
    const server = await startFakeServer(fake);
    try {
      const wa = new WhatsAppClient({
        accessToken: fake.accessToken,
        phoneNumberId: fake.phoneNumberId,
        wabaId: fake.wabaId,
        appSecret: fake.webhooks.appSecret,
        baseUrl: server.url,
        clock,
      });
      fake.messaging.receiveMessage(USER, { text: "hi" });
      await fake.webhooks.deliver(wa);
      clock.advance(23 * HOUR);
      await wa.messages.sendText({ to: USER, body: "still open" });
      clock.advance(2 * HOUR);
      expect(await err(wa.messages.sendText({ to: USER, body: "closed" }))).toMatchObject({
        rule: "session-window",
      });
      expect(fake.messaging.sent.map((m) => m.failed)).toEqual([undefined]);
    } finally {
      await server.close();
    }
  });
});
