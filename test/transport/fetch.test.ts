import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { fetchTransport, RateLimitError, TransportError, WhatsAppClient } from "../../src/index.js";

// msw intercepts globalThis.fetch; no request leaves the process.
const BASE = "http://127.0.0.1:9";
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const wa = () =>
  new WhatsAppClient({
    accessToken: "test-token",
    phoneNumberId: "123",
    baseUrl: BASE,
    transport: fetchTransport(),
    policy: false,
    clock: { now: () => Date.now(), sleep: async () => {} },
  });

describe("fetch transport", () => {
  it("sends JSON with the bearer token and parses the response", async () => {
    let seen: { auth: string | null; body: unknown } | undefined;
    server.use(
      http.post(`${BASE}/v25.0/123/messages`, async ({ request }) => {
        seen = { auth: request.headers.get("authorization"), body: await request.json() };
        return HttpResponse.json({
          messaging_product: "whatsapp",
          contacts: [{ input: "+14165551234", wa_id: "14165551234" }],
          messages: [{ id: "wamid.X" }],
        });
      }),
    );
    const r = await wa().messages.sendText({ to: "+14165551234", body: "hi" });
    expect(r.messageId).toBe("wamid.X");
    expect(seen?.auth).toBe("Bearer test-token");
    expect(seen?.body).toMatchObject({ to: "+14165551234", type: "text", text: { body: "hi" } });
  });

  it("maps a Graph error body to its class and retries 130429", async () => {
    let calls = 0;
    server.use(
      http.post(`${BASE}/v25.0/123/messages`, () => {
        calls++;
        return HttpResponse.json(
          { error: { code: 130429, message: "(#130429) Rate limit hit" } },
          { status: 429 },
        );
      }),
    );
    const e = await wa()
      .messages.sendText({ to: "+14165551234", body: "hi" })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RateLimitError);
    expect(calls).toBe(3);
  });

  it("reports a network error as a TransportError that is not re-sent", async () => {
    let calls = 0;
    server.use(
      http.post(`${BASE}/v25.0/123/messages`, () => {
        calls++;
        return HttpResponse.error();
      }),
    );
    const e = await wa()
      .messages.sendText({ to: "+14165551234", body: "hi" })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TransportError);
    expect((e as TransportError).outcome).toBe("unknown");
    expect(calls).toBe(1);
  });
});
