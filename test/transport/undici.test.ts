import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { TransportError, undiciTransport, WhatsAppClient } from "../../src/index.js";
import { FakeCloudApi, startFakeServer } from "../../src/testing/index.js";

const USER = "+14165551234";
const instantClock = { now: () => Date.now(), sleep: async () => {} };
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanup.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function client(baseUrl: string, extra: Record<string, unknown> = {}) {
  return new WhatsAppClient({
    accessToken: "test-token",
    phoneNumberId: "100000000000001",
    baseUrl,
    transport: undiciTransport(),
    clock: instantClock,
    policy: false,
    ...extra,
  });
}

describe("undici transport over loopback", () => {
  it("sends through a real HTTP server (the fake served on 127.0.0.1) with keep-alive", async () => {
    const fake = new FakeCloudApi();
    const server = await startFakeServer(fake);
    cleanup.push(server.close);
    const sockets = new Set<unknown>();
    server.server.on("connection", (s) => sockets.add(s));
    fake.messaging.receiveMessage(USER);
    const wa = client(server.url);
    for (let i = 0; i < 20; i++) await wa.messages.sendText({ to: USER, body: `hi ${i}` });
    expect(fake.messaging.sent).toHaveLength(20);
    // Connections are reused (undici may open a second one while the first is being released).
    expect(sockets.size).toBeLessThanOrEqual(2);
  });

  it("reports connection refused as not sent, and retries it", async () => {
    const probe = createServer();
    const url = await listen(probe);
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const attempts: number[] = [];
    const wa = client(url, { maxRetries: 2 });
    wa.on("request", (e) => attempts.push(e.attempt));
    const error = await wa.messages.sendText({ to: USER, body: "hi" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ outcome: "not_sent", reason: "connect" });
    expect(attempts).toEqual([0, 1, 2]);
  });

  it("reports a headers timeout as outcome unknown and never re-sends", async () => {
    let received = 0;
    const server = createServer((req) => {
      received++;
      req.resume(); // read the request, never answer
    });
    const url = await listen(server);
    const wa = client(url, { timeouts: { headersMs: 150 } });
    const error = await wa.messages.sendText({ to: USER, body: "hi" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ outcome: "unknown", reason: "headers_timeout" });
    expect((error as TransportError).correlationId).toMatch(/^wag_/);
    expect(received).toBe(1);
  });

  it("reports a reset after the request was read as outcome unknown, not retried", async () => {
    const fake = new FakeCloudApi();
    const server = await startFakeServer(fake);
    cleanup.push(server.close);
    fake.messaging.receiveMessage(USER);
    fake.dropNext(1, "after_request");
    const error = await client(server.url)
      .messages.sendText({ to: USER, body: "hi" })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ outcome: "unknown" });
    expect(fake.messaging.sent).toHaveLength(1);
    expect(fake.requests).toHaveLength(1);
  });

  it("treats a non-JSON error page as outcome unknown", async () => {
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html>Bad gateway</html>");
    });
    const error = await client(await listen(server))
      .messages.sendText({ to: USER, body: "hi" })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ outcome: "unknown", reason: "invalid_response" });
  });

  it("uploads multipart media through the real server", async () => {
    const fake = new FakeCloudApi();
    const server = await startFakeServer(fake);
    cleanup.push(server.close);
    const wa = client(server.url);
    const { id } = await wa.media.upload({
      file: new Uint8Array([1, 2, 3]),
      mimeType: "audio/ogg",
      filename: "v.ogg",
    });
    const { data, mimeType } = await wa.media.download(id);
    expect([...data]).toEqual([1, 2, 3]);
    expect(mimeType).toBe("audio/ogg");
  });
});
