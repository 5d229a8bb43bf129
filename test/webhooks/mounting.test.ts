import { Hono } from "hono";
import { describe, expect, it, vi } from "vitest";
import type { MessageEvent } from "../../src/index.js";
import { connected } from "../helpers.js";

const USER = "14165551234";

/** A Next.js route handler as Next's generated route types check it (structurally). */
type NextRouteHandler = (
  request: Request,
  context: { params: Promise<Record<string, string | string[]>> },
) => Response | Promise<Response> | undefined;

describe("mounting the webhook handler", () => {
  it("a Hono app's fetch is a delivery target for the fake, and the app serves the handshake and the events", async () => {
    const { fake, wa } = connected({ client: { verifyToken: "hono-token" } });
    const handler = wa.webhooks.fetchHandler();
    const app = new Hono();
    app.all("/webhook", (c) => handler(c.req.raw));
    const seen: MessageEvent[] = [];
    wa.on("message", (m) => void seen.push(m));

    const hello = await app.fetch(
      new Request("http://127.0.0.1/webhook?hub.mode=subscribe&hub.verify_token=hono-token&hub.challenge=42"),
    );
    expect([hello.status, await hello.text()]).toEqual([200, "42"]);
    fake.messaging.receiveMessage(USER, { text: "via hono" });
    // The fake posts to /webhook on 127.0.0.1: Hono routes it to the handler.
    const deliveries = await fake.webhooks.deliver(app.fetch);
    expect(deliveries.map((d) => d.status)).toEqual([200]);
    // Listeners run after the 200 (this app hands no waitUntil over).
    await vi.waitFor(() => expect(seen.map((m) => m.type === "text" && m.text)).toEqual(["via hono"]));
  });

  it("a Hono app on Workers hands the execution context over; the fake passes one, and awaits the listeners", async () => {
    const { fake, wa } = connected();
    const handler = wa.webhooks.fetchHandler();
    const app = new Hono();
    app.all("/webhook", (c) => handler(c.req.raw, c.executionCtx));
    let finished = false;
    wa.on("message", async () => {
      await new Promise((r) => setTimeout(r, 5));
      finished = true;
    });
    fake.messaging.receiveMessage(USER, { text: "hi" });
    expect((await fake.webhooks.deliver(app.fetch)).map((d) => d.status)).toEqual([200]);
    expect(finished).toBe(true);
  });

  it("a Cloudflare-style fetch handler gets waitUntil from its context, and listeners finish inside it", async () => {
    const { fake, wa } = connected();
    const handler = wa.webhooks.fetchHandler();
    const worker = {
      fetch(request: Request, _env: unknown, ctx: { waitUntil(work: Promise<unknown>): void }) {
        return handler(request, ctx);
      },
    };
    let finished = false;
    wa.on("message", async () => {
      await new Promise((r) => setTimeout(r, 5));
      finished = true;
    });
    fake.messaging.receiveMessage(USER, { text: "hi" });
    const waited: Promise<unknown>[] = [];
    const [payload] = fake.webhooks.pending.splice(0);
    const request = fake.webhooks.request(payload);
    const res = await worker.fetch(
      new Request("http://127.0.0.1/webhook", {
        method: "POST",
        headers: request.headers,
        body: request.rawBody,
      }),
      {},
      { waitUntil: (p) => void waited.push(p) },
    );
    expect(res.status).toBe(200);
    expect(waited).toHaveLength(1);
    await Promise.all(waited);
    expect(finished).toBe(true);
  });

  it("fetchHandler() is a Next.js route handler as it is (type-checked)", async () => {
    const { wa } = connected({ client: { verifyToken: "next-token" } });
    const GET: NextRouteHandler = wa.webhooks.fetchHandler();
    const res = await GET(
      new Request("http://127.0.0.1/webhook?hub.mode=subscribe&hub.verify_token=next-token&hub.challenge=7"),
      { params: Promise.resolve({}) },
    );
    expect(res && (await res.text())).toBe("7");
  });
});
