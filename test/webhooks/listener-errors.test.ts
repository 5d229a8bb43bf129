import { afterEach, describe, expect, it, vi } from "vitest";
import { WhatsAppClient } from "../../src/index.js";
import { FakeClock, FakeCloudApi, fakeTransport } from "../../src/testing/index.js";

const USER = "14165551234";

function client(
  fake: FakeCloudApi,
  clock: FakeClock,
  extra: Partial<ConstructorParameters<typeof WhatsAppClient>[0]> = {},
) {
  return new WhatsAppClient({
    accessToken: fake.accessToken,
    phoneNumberId: fake.phoneNumberId,
    wabaId: fake.wabaId,
    appSecret: fake.webhooks.appSecret,
    transport: fakeTransport(fake),
    clock,
    ...extra,
  });
}

function world() {
  const clock = new FakeClock();
  const fake = new FakeCloudApi({ clock });
  return { clock, fake };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a listener that throws", () => {
  it("is reported on stderr (console.warn) by default, naming the event; the webhook still gets 200", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const { clock, fake } = world();
    const wa = client(fake, clock);
    wa.on("message", () => {
      throw new Error("handler bug");
    });
    fake.messaging.receiveMessage(USER, { text: "hi" });
    const [delivery] = await fake.webhooks.deliver(wa);
    expect(delivery?.status).toBe(200);
    expect(warn).toHaveBeenCalledTimes(1);
    const line = warn.mock.calls[0]?.map(String).join(" ") ?? "";
    expect(line).toMatch(/"message" listener threw/);
    expect(line).toMatch(/handler bug/);
  });

  it("an async listener that rejects is reported too", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const { clock, fake } = world();
    const wa = client(fake, clock);
    wa.on("message", async () => {
      throw new Error("async bug");
    });
    fake.messaging.receiveMessage(USER, { text: "hi" });
    await fake.webhooks.deliver(wa);
    expect(warn.mock.calls.map((c) => c.map(String).join(" ")).join("\n")).toMatch(/async bug/);
  });

  it("goes to the user's logger instead, and nothing is printed", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const { clock, fake } = world();
    const wa = client(fake, clock, { logger });
    wa.on("message", () => {
      throw new Error("handler bug");
    });
    fake.messaging.receiveMessage(USER, { text: "hi" });
    await fake.webhooks.deliver(wa);
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(warn).not.toHaveBeenCalled();
  });

  it("one listener function for two events is reported under the event that ran it", async () => {
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const { clock, fake } = world();
    const wa = client(fake, clock, { logger });
    const onAnything = (e: { kind: string }) => {
      if (e.kind === "status") throw new Error("status handler bug");
    };
    wa.on("message", onAnything);
    wa.on("status", onAnything);
    fake.messaging.receiveMessage(USER, { text: "hi" });
    await fake.webhooks.deliver(wa);
    await wa.messages.sendText({ to: `+${USER}`, body: "hello" });
    await fake.webhooks.deliver(wa);
    expect(logger.error).toHaveBeenCalled();
    for (const [message] of logger.error.mock.calls) expect(message).toMatch(/"status" listener/);
    // off() removes it from one event only.
    wa.off("status", onAnything);
    logger.error.mockClear();
    await wa.messages.sendText({ to: `+${USER}`, body: "again" });
    await fake.webhooks.deliver(wa);
    expect(logger.error).not.toHaveBeenCalled();
    const seen: string[] = [];
    wa.on("message", (e) => void seen.push(e.kind));
    fake.messaging.receiveMessage(USER, { text: "still there" });
    await fake.webhooks.deliver(wa);
    expect(seen).toEqual(["message"]);
  });

  it("one listener function on two clients reports through each client's own logger", async () => {
    const a = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const b = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const first = world();
    const second = world();
    const waA = client(first.fake, first.clock, { logger: a });
    const waB = client(second.fake, second.clock, { logger: b });
    const broken = () => {
      throw new Error("bug");
    };
    waA.on("message", broken);
    waB.on("message", broken);
    second.fake.messaging.receiveMessage(USER, { text: "hi" });
    await second.fake.webhooks.deliver(waB);
    expect(b.error).toHaveBeenCalledTimes(1);
    expect(a.error).not.toHaveBeenCalled();
  });
});
