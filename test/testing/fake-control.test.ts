import { describe, expect, it } from "vitest";
import { FakeControl } from "../../src/testing/fake-control.js";

// The control API in process; test/cli/fake-server.test.ts drives it over HTTP from a child process.

const HOUR = 3600_000;
const USER = "+14165551234";

async function control(
  method: string,
  path: string,
  body?: unknown,
  c = new FakeControl({ api: {}, clock: "system" }),
) {
  const answer = await c.handle(method, path, "", body === undefined ? "" : JSON.stringify(body));
  return answer as { status: number; body: Record<string, unknown> };
}

const send = (c: FakeControl, to = USER) =>
  c.fake.handle({
    method: "POST",
    url: `http://fake/v23.0/${c.fake.phoneNumberId}/messages`,
    headers: { authorization: `Bearer ${c.fake.accessToken}` },
    body: JSON.stringify({ messaging_product: "whatsapp", to, type: "text", text: { body: "hi" } }),
    timeouts: { connectMs: 0, headersMs: 0, bodyMs: 0 },
  });

describe("FakeControl", () => {
  it("on the system clock, POST /_fake/clock moves time forward and closes the 24-hour window", async () => {
    const c = new FakeControl({ api: {}, clock: "system" });
    const before = Date.now();
    await control("POST", "/_fake/inbound", { from: USER, text: "hello" }, c);
    expect((await send(c)).status).toBe(200);
    const moved = await control("POST", "/_fake/clock", { advanceMs: 25 * HOUR }, c);
    expect(moved.body["mode"]).toBe("system");
    expect(moved.body["now"] as number).toBeGreaterThanOrEqual(before + 25 * HOUR);
    // Outside the window: Meta accepts the send and fails it in a status webhook.
    const late = JSON.parse(String((await send(c)).body));
    expect(c.fake.messaging.sent.find((m) => m.id === late.messages[0].id)?.failed?.code).toBe(131047);
  });

  it("a fault narrowed to one operation leaves the others alone", async () => {
    const c = new FakeControl({ api: {}, clock: "virtual" });
    await control("POST", "/_fake/inbound", { from: USER, text: "hello" }, c);
    await control("POST", "/_fake/faults", { code: 80007, operation: "templates" }, c);
    expect((await send(c)).status).toBe(200);
    const list = await c.fake.handle({
      method: "GET",
      url: `http://fake/v23.0/${c.fake.wabaId}/message_templates`,
      headers: { authorization: `Bearer ${c.fake.accessToken}` },
      timeouts: { connectMs: 0, headersMs: 0, bodyMs: 0 },
    });
    expect(JSON.parse(String(list.body)).error.code).toBe(80007);
  });

  it("reset takes this run's throughput and forgets the queued faults", async () => {
    const c = new FakeControl({ api: {}, clock: "virtual" });
    await control("POST", "/_fake/faults", { code: 2, count: 5 }, c);
    expect((await control("POST", "/_fake/reset", { throughputPerSecond: 1 }, c)).status).toBe(200);
    await control("POST", "/_fake/inbound", { from: USER, text: "a" }, c);
    await control("POST", "/_fake/inbound", { from: "+14165550002", text: "b" }, c);
    expect((await send(c)).status).toBe(200);
    expect(JSON.parse(String((await send(c, "+14165550002")).body)).error.code).toBe(130429);
  });

  it("names a bad reset option", async () => {
    const res = await control("POST", "/_fake/reset", { recipients: ["+1416555", "not a number"] });
    expect(res.status).toBe(400);
    expect((res.body["error"] as { message: string }).message).toBe(
      'POST /_fake/reset: "recipients" holds "not a number", not a phone number',
    );
  });
});
