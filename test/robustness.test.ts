import { describe, expect, it } from "vitest";
import { createGraphApiError } from "../src/errors/graph.js";
import { ConfigError, RateLimitError, TemplateError, TransportError, WhatsAppClient } from "../src/index.js";
import { setup, USER } from "./helpers.js";

const json = (status: number, body: unknown) => async () => ({
  status,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

describe("robustness", () => {
  it("a throwing event listener never breaks a send that Meta accepted", async () => {
    const errors: string[] = [];
    const { fake, wa } = setup(
      {},
      { logger: { debug() {}, info() {}, warn() {}, error: (m) => errors.push(m) } },
    );
    fake.messaging.receiveMessage(USER);
    wa.on("response", () => {
      throw new Error("metrics down");
    });
    const r = await wa.messages.sendText({ to: USER, body: "hi" });
    expect(r.messageId).toMatch(/^wamid\./);
    expect(errors).toEqual(['wa-guard: a "response" listener threw']);
  });

  it("off() removes a listener registered with on()", async () => {
    const { fake, wa } = setup();
    fake.messaging.receiveMessage(USER);
    let n = 0;
    const listener = () => {
      n++;
    };
    wa.on("request", listener);
    await wa.messages.sendText({ to: USER, body: "1" });
    wa.off("request", listener);
    await wa.messages.sendText({ to: USER, body: "2" });
    expect(n).toBe(1);
  });

  it("reads a Graph error with null or odd fields as a Graph error, and retries it when retryable", async () => {
    let calls = 0;
    const wa = new WhatsAppClient({
      accessToken: "t",
      phoneNumberId: "1",
      policy: false,
      clock: { now: () => 0, sleep: async () => {} },
      transport: async () => {
        calls++;
        return json(400, {
          error: { code: 130429, error_data: null, error_subcode: null, fbtrace_id: null },
        })();
      },
    });
    await expect(wa.messages.sendText({ to: USER, body: "hi" })).rejects.toBeInstanceOf(RateLimitError);
    expect(calls).toBe(3);
  });

  it("prefers a template-management subcode over a generic 100", () => {
    expect(createGraphApiError({ body: { code: 100, error_subcode: 2388072 } })).toBeInstanceOf(
      TemplateError,
    );
  });

  it("does not take { success: false } as success", async () => {
    const wa = new WhatsAppClient({
      accessToken: "t",
      phoneNumberId: "1",
      policy: false,
      transport: json(200, { success: false }),
    });
    await expect(wa.messages.markAsRead("wamid.x")).rejects.toBeInstanceOf(TransportError);
  });

  it("downloads media byte for byte, whatever its type", async () => {
    const { wa } = setup();
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, 0x63, 0x61, 0x66, 0xe9, 0x0a]);
    const { id } = await wa.media.upload({ file: bytes, mimeType: "text/plain" });
    expect((await wa.media.download(id)).data).toEqual(bytes);
  });

  it("refuses plain http to a non-loopback host, user:password@, and never echoes a token given to the wrong option", () => {
    expect(() => new WhatsAppClient({ accessToken: "t", baseUrl: "http://graph.example.com" })).toThrow(
      ConfigError,
    );
    expect(() => new WhatsAppClient({ accessToken: "t", baseUrl: "https://u:p@graph.facebook.com" })).toThrow(
      ConfigError,
    );
    expect(() => new WhatsAppClient({ accessToken: "t", baseUrl: "http://127.0.0.1:8080" })).not.toThrow();
    const e = (() => {
      try {
        new WhatsAppClient({ accessToken: "EAAsecretvalue", phoneNumberId: "EAAsecretvalue" });
      } catch (x) {
        return x as Error;
      }
    })();
    expect(e?.message).toMatch(/phoneNumberId/);
    expect(e?.message).not.toContain("EAAsecretvalue");
    expect(() => new WhatsAppClient({ accessToken: "EAA secret\r\n" })).toThrow(/printable/);
  });

  it("keeps a status filter given in filters", async () => {
    const { fake, wa } = setup();
    fake.templates.add({
      name: "a",
      language: "en",
      category: "UTILITY",
      components: [{ type: "BODY", text: "x" }],
    });
    fake.templates.add({
      name: "b",
      language: "en",
      category: "UTILITY",
      status: "REJECTED",
      components: [{ type: "BODY", text: "x" }],
    });
    const page = await wa.templates.listPage({ filters: { status: "APPROVED" } });
    expect(page.templates.map((t) => t.name)).toEqual(["a"]);
  });

  it("the fake refuses what Meta refuses in message content", async () => {
    const { fake } = setup();
    fake.messaging.receiveMessage(USER);
    const post = (body: Record<string, unknown>) =>
      JSON.parse(
        String(fake.messaging.handlePost({ messaging_product: "whatsapp", to: USER, ...body }).body),
      ) as { error?: { code: number } };
    expect(post({ type: "image", image: {} }).error?.code).toBe(131008);
    expect(
      post({ type: "text", text: { body: "x" }, biz_opaque_callback_data: "x".repeat(513) }).error?.code,
    ).toBe(100);
    expect(
      post({
        type: "interactive",
        interactive: { type: "button", body: { text: "b" }, action: { buttons: [1, 2, 3, 4] } },
      }).error?.code,
    ).toBe(131009);
    expect(post({ type: "text", text: { body: "ok" } }).error).toBeUndefined();
  });
});
