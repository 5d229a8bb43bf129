import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseFakeServerArgs } from "../../src/cli/fake-server.js";
import { verifyWebhookSignature } from "../../src/index.js";
import { exited, type FakeServerProcess, spawnCli, startFakeServerProcess } from "./fake-server-process.js";

// The fake server is driven the way a Python or Go service would drive it: a child process,
// plain HTTP with fetch, JSON in and out, HMAC checked by hand. Loopback only.

const PHONE_ID = "100000000000001";
const WABA_ID = "200000000000001";
const USER = "+14165551234";
const SECRET = "s3cret-for-tests";

interface Received {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A webhook endpoint on loopback: records every request; `next()` waits for the next one. */
async function webhookReceiver(
  answer: (r: Received) => { status: number; body?: string } = () => ({ status: 200 }),
) {
  const received: Received[] = [];
  const waiters: Array<(r: Received) => void> = [];
  let seen = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      received.push(r);
      const { status, body } = answer(r);
      res.writeHead(status, { "content-type": "text/plain" });
      res.end(body ?? "");
      waiters.shift()?.(r);
    });
  });
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", res));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
  return {
    url,
    received,
    clear: () => {
      received.length = 0;
      seen = 0;
    },
    next: () =>
      seen < received.length
        ? Promise.resolve(received[seen++] as Received)
        : new Promise<Received>((res) =>
            waiters.push((r) => {
              seen++;
              res(r);
            }),
          ),
    close: () => new Promise<void>((res) => server.close(() => res())),
  };
}

const signatureOk = (body: Buffer, header: unknown, secret: string) => {
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
  const got = Buffer.from(String(header));
  return got.length === expected.length && timingSafeEqual(got, expected);
};

// biome-ignore lint/suspicious/noExplicitAny: the server's JSON, read as a test in another language reads it
type Json = any;

let server: FakeServerProcess;
let receiver: Awaited<ReturnType<typeof webhookReceiver>>;

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(server.url + path, {
    method,
    headers: { "content-type": "application/json", ...headers },
    ...(body !== undefined && { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, Json> };
}
const graph = (method: string, path: string, body?: unknown, token = "any-token-from-my-config") =>
  call(method, `/v23.0/${path}`, body, { authorization: `Bearer ${token}` });
/** A send Meta accepts and fails later (131047, 131026): 200, then `failed` on the message. */
async function failedLater(res: { status: number; json: Record<string, Json> }) {
  expect(res.status).toBe(200);
  const id = res.json["messages"][0].id;
  const { json } = await call("GET", "/_fake/messages");
  return (json["messages"] as Array<{ id: string; failed?: { code: number } }>).find((m) => m.id === id)
    ?.failed;
}

const sendText = (to: string, text: string) =>
  graph("POST", `${PHONE_ID}/messages`, {
    messaging_product: "whatsapp",
    to,
    type: "text",
    text: { body: text },
  });

describe("wa-guard fake-server (a child process on loopback)", () => {
  beforeAll(async () => {
    receiver = await webhookReceiver((r) => {
      const url = new URL(r.url, "http://x");
      if (r.method === "GET")
        return url.searchParams.get("hub.verify_token") === "my-verify-token"
          ? { status: 200, body: url.searchParams.get("hub.challenge") ?? "" }
          : { status: 403 };
      return { status: 200 };
    });
    server = await startFakeServerProcess([
      "--clock",
      "virtual",
      "--app-secret",
      SECRET,
      "--webhook-url",
      receiver.url,
      "--verify-token",
      "my-verify-token",
    ]);
  });
  afterAll(async () => {
    expect(await server.stop()).toBe(0);
    await receiver.close();
  });
  beforeEach(async () => {
    expect((await call("POST", "/_fake/reset")).status).toBe(200);
    receiver.clear();
  });

  it("prints exactly one line, the listening URL on 127.0.0.1", () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.child.output().stdout).toBe(`listening on ${server.url}\n`);
  });

  it("accepts a send with any bearer token and the control API shows what it received", async () => {
    expect((await call("POST", "/_fake/inbound", { from: USER, text: "hello" })).status).toBe(200);
    const sent = await sendText(USER, "Hi! How can we help?");
    expect(sent.status).toBe(200);
    expect(sent.json).toMatchObject({
      messaging_product: "whatsapp",
      contacts: [{ input: USER, wa_id: "14165551234" }],
      messages: [{ id: expect.stringMatching(/^wamid\./) }],
    });
    const { json } = await call("GET", `/_fake/messages?to=${encodeURIComponent(USER)}`);
    expect(json["messages"]).toEqual([
      expect.objectContaining({
        id: sent.json["messages"][0].id,
        waId: "14165551234",
        type: "text",
        payload: expect.objectContaining({ text: { body: "Hi! How can we help?" } }),
      }),
    ]);
    // Meta's rules still hold: a user who never wrote is outside the 24-hour window.
    // (Meta accepts it and fails it in a status webhook, as the fake does.)
    const closed = await sendText("+14165550000", "unsolicited");
    expect(await failedLater(closed)).toMatchObject({ code: 131047 });
    // A missing token is Meta's 190.
    const anonymous = await call("POST", `/v23.0/${PHONE_ID}/messages`, {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.json["error"]).toMatchObject({ code: 190, type: "OAuthException" });
  });

  it("an injected fault answers with Meta's error shape, for the operation and recipient it names", async () => {
    await call("POST", "/_fake/inbound", { from: USER, text: "hello" });
    const queued = await call("POST", "/_fake/faults", {
      code: 131056,
      operation: "messages",
      to: USER,
      details: "slow down",
    });
    expect(queued).toMatchObject({
      status: 200,
      json: { queued: { count: 1, code: 131056, to: "14165551234" } },
    });
    // Another operation and another recipient are not affected.
    expect((await graph("GET", PHONE_ID)).status).toBe(200);
    const failed = await sendText(USER, "one");
    expect(failed.status).toBe(400);
    expect(failed.json).toEqual({
      error: {
        message: expect.stringMatching(/^\(#131056\) /),
        type: "OAuthException",
        code: 131056,
        error_data: { messaging_product: "whatsapp", details: "slow down" },
        fbtrace_id: expect.any(String),
      },
    });
    expect((await sendText(USER, "two")).status).toBe(200);

    await call("POST", "/_fake/faults", { code: 130429, count: 2, retryAfterSeconds: 3 });
    const limited = await fetch(`${server.url}/v23.0/${PHONE_ID}`, {
      headers: { authorization: "Bearer t" },
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("3");
    expect((await call("DELETE", "/_fake/faults")).status).toBe(200);
    expect((await graph("GET", PHONE_ID)).status).toBe(200);
  });

  it("a dropped connection is a dropped connection", async () => {
    await call("POST", "/_fake/faults", { drop: "before_write", operation: "phone_number" });
    await expect(graph("GET", PHONE_ID)).rejects.toThrow();
    expect((await graph("GET", PHONE_ID)).status).toBe(200);
  });

  it("delivers signed webhooks (inbound message, statuses) to the configured URL", async () => {
    await call("POST", "/_fake/inbound", { from: USER, text: "olá 👋 café", profileName: "Ana" });
    const sent = await sendText(USER, "Hi Ana");
    const delivered = await call("POST", "/_fake/webhooks/deliver");
    expect(delivered).toMatchObject({
      status: 200,
      json: {
        delivered: [
          { field: "messages", status: 200 },
          { field: "messages", status: 200 },
          { field: "messages", status: 200 },
        ],
        pending: 0,
      },
    });
    expect(receiver.received).toHaveLength(3);
    for (const r of receiver.received) {
      expect(r.method).toBe("POST");
      expect(signatureOk(r.body, r.headers["x-hub-signature-256"], SECRET)).toBe(true);
      expect(signatureOk(r.body, r.headers["x-hub-signature-256"], "another-secret")).toBe(false);
      // Meta's encoding: non-ASCII as \uXXXX escapes, so the signed bytes are ASCII.
      expect(r.body.every((byte) => byte < 0x80)).toBe(true);
      expect(() => verifyWebhookSignature(r.body, r.headers["x-hub-signature-256"], [SECRET])).not.toThrow();
    }
    const [inbound, ...statuses] = receiver.received.map(
      (r) => JSON.parse(r.body.toString()).entry[0].changes[0].value,
    );
    expect(inbound).toMatchObject({
      metadata: { phone_number_id: PHONE_ID },
      contacts: [{ profile: { name: "Ana" }, wa_id: "14165551234" }],
      messages: [{ from: "14165551234", type: "text", text: { body: "olá 👋 café" } }],
    });
    expect(statuses.map((v) => v.statuses[0])).toEqual([
      expect.objectContaining({ id: sent.json["messages"][0].id, status: "sent" }),
      expect.objectContaining({ id: sent.json["messages"][0].id, status: "delivered" }),
    ]);
  });

  it("keeps a webhook the endpoint did not answer with 200, for redelivery", async () => {
    const flaky = await webhookReceiver(() => ({ status: 500 }));
    try {
      await call("POST", "/_fake/inbound", { from: USER, text: "hello" });
      const first = await call("POST", "/_fake/webhooks/deliver", { url: flaky.url });
      expect(first.json).toEqual({ delivered: [{ field: "messages", status: 500 }], pending: 1 });
      const second = await call("POST", "/_fake/webhooks/deliver");
      expect(second.json).toEqual({ delivered: [{ field: "messages", status: 200 }], pending: 0 });
      expect(receiver.received[0]?.body.toString()).toBe(flaky.received[0]?.body.toString());
    } finally {
      await flaky.close();
    }
  });

  it("an unreachable webhook URL is a 502 naming it, and nothing is lost", async () => {
    const gone = await webhookReceiver();
    await gone.close();
    await call("POST", "/_fake/inbound", { from: USER, text: "hello" });
    const res = await call("POST", "/_fake/webhooks/deliver", { url: gone.url });
    expect(res.status).toBe(502);
    expect(res.json["error"].message).toContain(gone.url);
    expect(res.json["pending"]).toBe(1);
  });

  it("delivers as soon as webhooks are queued when auto-delivery is on", async () => {
    await call("POST", "/_fake/webhooks/config", { autoDeliver: true, statusFlow: ["sent"] });
    try {
      await call("POST", "/_fake/inbound", { from: USER, text: "hello" });
      // A control call answers after its webhooks are delivered.
      expect(receiver.received).toHaveLength(1);
      await sendText(USER, "hi");
      // A Graph call answers first, as Meta does; the status follows.
      await receiver.next(); // the inbound message, delivered above
      const status = JSON.parse((await receiver.next()).body.toString());
      expect(status.entry[0].changes[0].value.statuses[0]).toMatchObject({ status: "sent" });
    } finally {
      await call("POST", "/_fake/webhooks/config", { autoDeliver: false });
    }
  });

  it("runs Meta's subscription check against the webhook URL with the verify token", async () => {
    const ok = await call("POST", "/_fake/webhooks/verify");
    expect(ok.json).toMatchObject({ verified: true, status: 200 });
    const wrong = await call("POST", "/_fake/webhooks/verify", { verifyToken: "nope" });
    expect(wrong.json).toMatchObject({ verified: false, status: 403 });
  });

  it("seeds templates and pauses them, with the template webhook", async () => {
    const added = await call("POST", "/_fake/templates", {
      name: "order_update",
      language: "en_US",
      category: "UTILITY",
      components: [{ type: "BODY", text: "Order {{1}} shipped" }],
    });
    expect(added.json["template"]).toMatchObject({ name: "order_update", status: "APPROVED" });
    const template = (params: string[]) =>
      graph("POST", `${PHONE_ID}/messages`, {
        messaging_product: "whatsapp",
        to: USER,
        type: "template",
        template: {
          name: "order_update",
          language: { code: "en_US" },
          components: [{ type: "body", parameters: params.map((text) => ({ type: "text", text })) }],
        },
      });
    expect((await template(["A1"])).status).toBe(200);
    expect((await template([])).json["error"]).toMatchObject({ code: 132000 });
    await call("POST", "/_fake/templates/status", {
      name: "order_update",
      language: "en_US",
      status: "PAUSED",
    });
    expect((await template(["A2"])).json["error"]).toMatchObject({ code: 132015 });
    const listed = await graph("GET", `${WABA_ID}/message_templates`);
    expect(listed.json["data"]).toEqual([
      expect.objectContaining({ name: "order_update", status: "PAUSED" }),
    ]);
    const hooks = await call("GET", "/_fake/webhooks");
    expect(hooks.json["pending"].map((p: Json) => p.entry[0].changes[0].field)).toContain(
      "message_template_status_update",
    );
  });

  it("virtual time moves only when told: the 24-hour window closes after POST /_fake/clock", async () => {
    const before = (await call("GET", "/_fake/clock")).json;
    expect(before).toMatchObject({ mode: "virtual", iso: "2026-01-01T00:00:00.000Z" });
    await call("POST", "/_fake/inbound", { from: USER, text: "hello" });
    expect((await call("POST", "/_fake/clock", { advanceMs: 24 * 3600_000 })).json["iso"]).toBe(
      "2026-01-02T00:00:00.000Z",
    );
    expect(await failedLater(await sendText(USER, "too late"))).toMatchObject({ code: 131047 });
    const back = await call("POST", "/_fake/clock", { set: "2025-12-31T00:00:00Z" });
    expect(back.status).toBe(400);
    expect(back.json["error"].message).toContain("cannot go backwards");
  });

  it("reset forgets Meta-side state and can narrow who is on WhatsApp", async () => {
    await call("POST", "/_fake/inbound", { from: USER, text: "hello" });
    await sendText(USER, "hi");
    await call("POST", "/_fake/reset", { recipients: ["+14165550001"] });
    expect((await call("GET", "/_fake/messages")).json).toEqual({ messages: [] });
    await call("POST", "/_fake/inbound", { from: "+14165550001", text: "hello" });
    expect(await failedLater(await sendText("+14165550002", "hi"))).toMatchObject({ code: 131026 });
    expect((await sendText("+14165550001", "hi")).status).toBe(200);
  });

  it("answers a bad control request with 400 and a JSON error naming the problem", async () => {
    const cases: Array<[string, string, unknown, string]> = [
      ["POST", "/_fake/faults", { code: "131056" }, `"code" must be an integer`],
      ["POST", "/_fake/faults", { code: 1, colour: "red" }, `unknown field "colour"`],
      ["POST", "/_fake/faults", {}, `give either "code"`],
      ["POST", "/_fake/faults", { code: 1, operation: "sends" }, `"operation" must be one of "messages"`],
      ["POST", "/_fake/inbound", { from: "nobody", text: "x" }, `"from" must be a phone number or a BSUID`],
      [
        "POST",
        "/_fake/templates",
        { name: "Bad Name", language: "en", category: "UTILITY" },
        `"name" must be`,
      ],
      [
        "POST",
        "/_fake/templates/status",
        { name: "nope", language: "en", status: "PAUSED" },
        "no template nope",
      ],
      ["POST", "/_fake/clock", "{not json", "not valid JSON"],
      ["POST", "/_fake/clock", [1], "must be a JSON object"],
    ];
    for (const [method, path, body, message] of cases) {
      const res = await call(method, path, body);
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect(res.json["error"]).toMatchObject({
        type: "FakeControlError",
        message: expect.stringContaining(message),
      });
    }
    const huge = await call("POST", "/_fake/templates", { name: "x", padding: "x".repeat(2 * 1024 * 1024) });
    expect(huge).toMatchObject({ status: 413, json: { error: { message: "the body is over 1 MB" } } });
    expect((await call("GET", "/_fake/nothing-here")).status).toBe(404);
    expect((await call("PUT", "/_fake/faults")).status).toBe(405);
  });
});

describe("wa-guard fake-server flags and lifecycle", () => {
  it("--access-token makes the fake check the token (190 otherwise)", async () => {
    const s = await startFakeServerProcess(["--access-token", "tok-1", "--phone-number-id", "123"]);
    try {
      const get = (token: string) =>
        fetch(`${s.url}/v23.0/123`, { headers: { authorization: `Bearer ${token}` } });
      expect((await get("tok-1")).status).toBe(200);
      const wrong = await get("tok-2");
      expect(wrong.status).toBe(401);
      expect(((await wrong.json()) as { error: { code: number } }).error.code).toBe(190);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  it("stops cleanly on SIGINT, closing idle keep-alive connections (fetch keeps its connection open)", async () => {
    const s = await startFakeServerProcess();
    await (await fetch(`${s.url}/_fake`)).arrayBuffer();
    const done = exited(s.child);
    s.child.kill("SIGINT");
    expect(await done).toBe(0);
    expect(s.child.output().stderr).toContain("SIGINT, stopping");
  });

  it("on SIGTERM, a request already in flight is still answered, then the process exits 0", async () => {
    const s = await startFakeServerProcess();
    const body = JSON.stringify({
      messaging_product: "whatsapp",
      to: USER,
      type: "text",
      text: { body: "x" },
    });
    const answered = new Promise<number>((res, rej) => {
      const req = request(`${s.url}/v23.0/${PHONE_ID}/messages`, {
        method: "POST",
        headers: { authorization: "Bearer t", "content-type": "application/json", expect: "100-continue" },
      });
      req.on("error", rej);
      req.on("response", (r) => {
        r.resume();
        res(r.statusCode ?? 0);
      });
      // The server has the request's headers: stop it, and once it says so, send the body.
      req.on("continue", () => {
        s.child.stderr?.on("data", () => {
          if (s.child.output().stderr.includes("SIGTERM, stopping") && !req.writableEnded) req.end(body);
        });
        s.child.kill("SIGTERM");
      });
    });
    expect(await answered).toBe(200); // accepted (131047 would follow in a status); what matters is an answer
    expect(await exited(s.child)).toBe(0);
  });

  it("refuses bad flags with exit code 2 and a message naming the flag", async () => {
    const cases: Array<[string[], string]> = [
      [["--port", "http"], "--port must be a whole number"],
      [["--colour", "red"], "--colour"],
      [["--webhook-url", "ftp://x"], "--webhook-url must be an http"],
      [["--clock", "fast"], '--clock must be "system" or "virtual"'],
      [["--start", "2026-01-01T00:00:00Z"], "--start sets virtual time"],
      [["--waba-id", "abc"], "--waba-id must be digits only"],
    ];
    for (const [args, message] of cases)
      expect(() => parseFakeServerArgs(args), args.join(" ")).toThrow(message);
    const child = spawnCli(["fake-server", "--port", "http"]);
    expect(await exited(child)).toBe(2);
    expect(child.output().stderr).toContain("--port must be a whole number");
    expect(child.output().stdout).toBe("");
  });

  it("--help prints the options and exits 0", async () => {
    const child = spawnCli(["fake-server", "--help"]);
    expect(await exited(child)).toBe(0);
    for (const flag of [
      "--port",
      "--host",
      "--webhook-url",
      "--app-secret",
      "--access-token",
      "--verify-token",
    ])
      expect(child.output().stdout).toContain(flag);
  });

  it("a port in use is exit code 1 with a message saying so", async () => {
    const s = await startFakeServerProcess();
    try {
      const child = spawnCli(["fake-server", "--port", new URL(s.url).port]);
      expect(await exited(child)).toBe(1);
      expect(child.output().stderr).toContain("already in use");
    } finally {
      await s.stop();
    }
  });
});
