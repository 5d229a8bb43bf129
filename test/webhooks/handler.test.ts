import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it, vi } from "vitest";
import {
  type ConsentStore,
  isWebhookVerificationError,
  MemoryConsentStore,
  type MessageEvent,
  type StatusEvent,
  signWebhookBody,
  WhatsAppClient,
} from "../../src/index.js";
import { encodeLikeMeta, FakeClock } from "../../src/testing/index.js";
import { connected } from "../helpers.js";

const USER = "14165551234";

function setup(options: { consent?: ConsentStore } = {}) {
  // The payloads below carry timestamps of 2025-06-15; the clock reads a minute later.
  const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const { clock, fake, wa } = connected({
    clock: new FakeClock({ start: 1750000060_000 }),
    client: {
      verifyToken: "my-verify-token",
      logger,
      ...(options.consent && { stores: { consent: options.consent } }),
    },
  });
  return { clock, fake, wa, logger };
}

const inbound = (id: string, body = "hello") => ({
  object: "whatsapp_business_account",
  entry: [
    {
      id: "200000000000001",
      changes: [
        {
          field: "messages",
          value: {
            messaging_product: "whatsapp",
            metadata: { display_phone_number: "15550001111", phone_number_id: "100000000000001" },
            contacts: [{ profile: { name: "Ann" }, wa_id: USER }],
            messages: [{ from: USER, id, timestamp: "1750000000", type: "text", text: { body } }],
          },
        },
      ],
    },
  ],
});
const status = (id: string, s: string) => ({
  object: "whatsapp_business_account",
  entry: [
    {
      id: "200000000000001",
      changes: [
        {
          field: "messages",
          value: {
            messaging_product: "whatsapp",
            statuses: [{ id, status: s, timestamp: "1750000001", recipient_id: USER }],
          },
        },
      ],
    },
  ],
});

describe("GET verification handshake", () => {
  it("echoes hub.challenge when the verify token matches", async () => {
    const { wa } = setup();
    const query = "?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=my-verify-token";
    expect(await wa.webhooks.handle({ method: "GET", query, headers: {} })).toMatchObject({
      status: 200,
      body: "1158201444",
    });
    const viaObject = await wa.webhooks.handle({
      method: "GET",
      query: { "hub.mode": "subscribe", "hub.challenge": "42", "hub.verify_token": "my-verify-token" },
      headers: {},
    });
    expect(viaObject).toMatchObject({ status: 200, body: "42" });
  });

  it("refuses a wrong or missing token with 403 and a typed error", async () => {
    const { wa } = setup();
    for (const token of ["wrong", ""]) {
      const result = await wa.webhooks.handle({
        method: "GET",
        query: `https://x.example/webhook?hub.mode=subscribe&hub.challenge=1&hub.verify_token=${token}`,
        headers: {},
      });
      expect(result.status).toBe(403);
      expect(isWebhookVerificationError(result.error) && result.error.reason).toBe("verify_token_mismatch");
    }
    const noMode = await wa.webhooks.handle({ method: "GET", query: "?hub.challenge=1", headers: {} });
    expect(noMode.status).toBe(400);
  });

  it("refuses every handshake when no verify token is configured", async () => {
    const wa = new WhatsAppClient({ accessToken: "t", policy: false });
    const query = "?hub.mode=subscribe&hub.challenge=1&hub.verify_token=anything";
    expect((await wa.webhooks.handle({ method: "GET", query, headers: {} })).status).toBe(403);
  });
});

describe("POST notifications", () => {
  it("refuses an unsigned or tampered delivery with 401 and processes nothing", async () => {
    const { fake, wa } = setup();
    const onMessage = vi.fn();
    const onRejected = vi.fn();
    wa.on("message", onMessage).on("webhook.rejected", onRejected);
    const request = fake.webhooks.request(inbound("wamid.1", "STOP"));
    const tampered = { ...request, rawBody: request.rawBody.replace("STOP", "SPOT") };
    const unsigned = { ...request, headers: { "content-type": "application/json" } };
    for (const r of [tampered, unsigned]) {
      const result = await wa.webhooks.handle(r);
      expect(result.status).toBe(401);
      await result.delivered;
    }
    expect(onMessage).not.toHaveBeenCalled();
    expect(onRejected).toHaveBeenCalledTimes(2);
    expect((await wa.sessions.status(USER)).open).toBe(false);
    expect(await wa.consent.history(USER)).toEqual([]);
  });

  it("answers 405, 413 and 400 for the wrong method, an oversized body and a non-JSON body", async () => {
    const { fake, wa } = setup();
    expect((await wa.webhooks.handle({ method: "PUT", headers: {} })).status).toBe(405);
    const small = new WhatsAppClient({
      accessToken: "t",
      appSecret: fake.webhooks.appSecret,
      webhooks: { maxBodyBytes: 1024 },
    });
    const big = fake.webhooks.request({ padding: "x".repeat(2000) });
    expect((await small.webhooks.handle(big)).status).toBe(413);
    const notJson = "not json";
    const result = await wa.webhooks.handle({
      method: "POST",
      headers: { "x-hub-signature-256": signWebhookBody(notJson, fake.webhooks.appSecret) },
      rawBody: notJson,
    });
    expect(result.status).toBe(400);
  });

  it("delivers the same event three times, out of order, to handlers once", async () => {
    const { fake, wa } = setup();
    const messages: MessageEvent[] = [];
    const statuses: StatusEvent[] = [];
    wa.on("message", (e) => void messages.push(e)).on("status", (e) => void statuses.push(e));
    const a = fake.webhooks.request(inbound("wamid.in"));
    const b = fake.webhooks.request(status("wamid.out", "sent"));
    const c = fake.webhooks.request(status("wamid.out", "delivered"));
    let duplicates = 0;
    for (const r of [c, a, b, a, c, b, b, a, c]) {
      const result = await wa.webhooks.handle(r);
      expect(result.status).toBe(200);
      duplicates += result.duplicates;
      await result.delivered;
    }
    expect(messages.map((m) => m.id)).toEqual(["wamid.in"]);
    expect(statuses.map((s) => s.status)).toEqual(["delivered", "sent"]);
    expect(duplicates).toBe(6);
  });

  it("acknowledges before handlers run; a slow, throwing or rejecting handler loses nothing for the others", async () => {
    const { fake, wa, logger } = setup();
    const seen: string[] = [];
    let release!: () => void;
    wa.on("message", () => new Promise<void>((r) => (release = r)));
    wa.on("message", () => {
      throw new Error("handler bug");
    });
    wa.on("message", async () => {
      throw new Error("async handler bug");
    });
    wa.on("message", (e) => void seen.push(e.id));
    const waitUntil = vi.fn();
    const result = await wa.webhooks.handle(fake.webhooks.request(inbound("wamid.2")), { waitUntil });
    expect(result.status).toBe(200);
    expect(seen).toEqual([]); // handlers run after the acknowledgement
    expect(waitUntil).toHaveBeenCalledWith(result.delivered);
    let settled = false;
    void result.delivered.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual(["wamid.2"]);
    expect(settled).toBe(false); // the slow handler is still running
    release();
    await result.delivered;
    expect(logger.error).toHaveBeenCalledTimes(2);
    // The window was opened before the acknowledgement, whatever the handlers do.
    expect((await wa.sessions.status(USER)).open).toBe(true);
  });

  it("answers 500 when the state cannot be recorded, and processes the redelivery in full", async () => {
    const store = new MemoryConsentStore();
    let down = true;
    const flaky: ConsentStore = {
      append: (e) => (down ? Promise.reject(new Error("store down")) : store.append(e)),
      history: (k) => store.history(k),
    };
    const { fake, wa } = setup({ consent: flaky });
    const optOuts = vi.fn();
    wa.on("optOut", optOuts);
    const request = fake.webhooks.request(inbound("wamid.3", "STOP"));
    const failed = await wa.webhooks.handle(request);
    expect(failed.status).toBe(500);
    await failed.delivered;
    expect(optOuts).not.toHaveBeenCalled();
    down = false;
    const retried = await wa.webhooks.handle(request);
    expect(retried).toMatchObject({ status: 200, duplicates: 0 });
    await retried.delivered;
    expect(optOuts).toHaveBeenCalledTimes(1);
    expect((await wa.consent.status(USER, "marketing")).granted).toBe(false);
    expect((await wa.consent.history(USER)).map((e) => e.source)).toEqual(["keyword:STOP"]);
  });
});

describe("adapters", () => {
  it("fetchHandler serves a fetch-style runtime and passes waitUntil", async () => {
    const { fake, wa } = setup();
    const handler = wa.webhooks.fetchHandler();
    const waitUntil = vi.fn();
    const r = fake.webhooks.request(inbound("wamid.4"));
    const res = await handler(
      new Request("https://bot.example/webhook", { method: "POST", headers: r.headers, body: r.rawBody }),
      { waitUntil },
    );
    expect(res.status).toBe(200);
    expect(waitUntil).toHaveBeenCalledTimes(1);
    const get = await handler(
      new Request(
        "https://bot.example/webhook?hub.mode=subscribe&hub.challenge=77&hub.verify_token=my-verify-token",
      ),
    );
    expect(await get.text()).toBe("77");
  });

  it("nodeHandler reads the raw stream, or uses a raw body already read, and refuses a parsed one", async () => {
    const { fake, wa } = setup();
    const handler = wa.webhooks.nodeHandler();
    const seen: string[] = [];
    wa.on("message", (e) => void seen.push(e.id));
    const server = createServer((req, res) => {
      const url = req.url ?? "";
      if (url.startsWith("/parsed")) {
        // What express.json() leaves behind: the bytes are gone.
        let text = "";
        req.on("data", (c) => (text += c));
        req.on("end", () => handler(Object.assign(req, { body: JSON.parse(text) }), res));
      } else if (url.startsWith("/raw")) {
        const chunks: Buffer[] = [];
        req.on("data", (c) => chunks.push(c));
        req.on("end", () => handler(Object.assign(req, { rawBody: Buffer.concat(chunks) }), res));
      } else handler(req, res);
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const post = (path: string, payload: unknown) => {
        const r = fake.webhooks.request(payload);
        return fetch(base + path, { method: "POST", headers: r.headers, body: r.rawBody });
      };
      expect((await post("/webhook", inbound("wamid.5"))).status).toBe(200);
      expect((await post("/raw", inbound("wamid.6"))).status).toBe(200);
      const parsed = await post("/parsed", inbound("wamid.7"));
      expect(parsed.status).toBe(401);
      const get = await fetch(
        `${base}/webhook?hub.mode=subscribe&hub.challenge=abc&hub.verify_token=my-verify-token`,
      );
      expect(await get.text()).toBe("abc");
      await vi.waitFor(() => expect(seen).toEqual(["wamid.5", "wamid.6"]));
    } finally {
      server.close();
    }
  });

  it("Meta's escaped bytes verify through every adapter, emoji and all", async () => {
    const { fake, wa } = setup();
    const texts: string[] = [];
    wa.on("message", (e) => void texts.push(e.text ?? ""));
    const body = "Olá 😀 / joão@example.com";
    const r = fake.webhooks.request(inbound("wamid.8", body));
    expect(r.rawBody).toBe(encodeLikeMeta(inbound("wamid.8", body)));
    const result = await wa.webhooks.handle(r);
    await result.delivered;
    expect(texts).toEqual([body]);
  });
});
