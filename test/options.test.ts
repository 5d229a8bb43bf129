import { inspect } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { GUARD_NAMES } from "../src/errors/policy.js";
import { ConfigError, DEFAULT_API_VERSION, isConfigError, WhatsAppClient } from "../src/index.js";
import { setup } from "./helpers.js";

const TOKEN = "EAAJBsecret-token-value-123";

describe("client options", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("pins a default Graph version and uses it in every URL", async () => {
    const { wa, calls, fake } = setup();
    fake.messaging.receiveMessage("+14165551234");
    await wa.messages.sendText({ to: "+14165551234", body: "hi" });
    expect(DEFAULT_API_VERSION).toMatch(/^v\d+\.0$/);
    expect(calls[0]).toBe(`POST /${DEFAULT_API_VERSION}/${fake.phoneNumberId}/messages`);
  });

  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ["unknown key", { accessToken: TOKEN, acessToken: "x" }, /Unrecognized key: "acessToken"/],
    ["apiVersion", { accessToken: TOKEN, apiVersion: "25" }, /apiVersion: .*v25\.0.*\(got "25"\)/],
    [
      "baseUrl",
      { accessToken: TOKEN, baseUrl: "graph.facebook.com" },
      /baseUrl: .*\(got "graph.facebook.com"\)/,
    ],
    [
      "phoneNumberId",
      { accessToken: TOKEN, phoneNumberId: "+1 416 555" },
      /phoneNumberId: .*digits \(got "\+1 416 555"\)/,
    ],
    ["timeouts", { accessToken: TOKEN, timeouts: { connectMs: 0 } }, /timeouts.connectMs: .*\(got 0\)/],
    [
      "timeouts key",
      { accessToken: TOKEN, timeouts: { connect: 5 } },
      /timeouts: Unrecognized key: "connect"/,
    ],
    ["maxRetries", { accessToken: TOKEN, maxRetries: 1.5 }, /maxRetries/],
    ["transport", { accessToken: TOKEN, transport: "undici" }, /transport: expected a transport function/],
    ["logger", { accessToken: TOKEN, logger: { info() {} } }, /logger: expected a logger/],
    ["empty accessToken", { accessToken: "" }, /accessToken: expected a non-empty string/],
  ];
  it.each(bad)("rejects a bad %s with a ConfigError naming it", (_name, options, pattern) => {
    const error = (() => {
      try {
        new WhatsAppClient(options as never);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(isConfigError(error)).toBe(true);
    expect((error as Error).message).toMatch(pattern);
    expect((error as Error).message).not.toContain(TOKEN);
  });

  it("requires an access token from the options or the environment", () => {
    vi.stubEnv("WHATSAPP_ACCESS_TOKEN", "");
    expect(() => new WhatsAppClient({})).toThrow(/Missing accessToken.*WHATSAPP_ACCESS_TOKEN/);
  });

  it("falls back to environment variables, options winning", () => {
    vi.stubEnv("WHATSAPP_ACCESS_TOKEN", TOKEN);
    vi.stubEnv("WHATSAPP_PHONE_NUMBER_ID", "111");
    vi.stubEnv("WHATSAPP_WABA_ID", "222");
    const fromEnv = new WhatsAppClient().toJSON();
    expect(fromEnv).toMatchObject({ phoneNumberId: "111", wabaId: "222" });
    expect(new WhatsAppClient({ phoneNumberId: "333" }).toJSON()).toMatchObject({
      phoneNumberId: "333",
      wabaId: "222",
    });
  });

  it("names the missing id when a call needs it", async () => {
    const wa = new WhatsAppClient({
      policy: false,
      accessToken: TOKEN,
      transport: async () => ({ status: 200, headers: {}, body: "{}" }),
    });
    await expect(wa.messages.sendText({ to: "+14165551234", body: "hi" })).rejects.toThrow(
      /needs phoneNumberId/,
    );
    await expect(wa.templates.listPage()).rejects.toThrow(/needs wabaId/);
  });

  it("derives a client with withOptions without touching the original", async () => {
    const { wa, calls, fake } = setup();
    const events: string[] = [];
    wa.on("request", (e) => events.push(e.path));
    const v24 = wa.withOptions({ apiVersion: "v24.0" });
    fake.messaging.receiveMessage("+14165551234");
    await v24.messages.sendText({ to: "+14165551234", body: "hi" });
    await wa.messages.sendText({ to: "+14165551234", body: "hi" });
    expect(calls).toEqual([
      `POST /v24.0/${fake.phoneNumberId}/messages`,
      `POST /${DEFAULT_API_VERSION}/${fake.phoneNumberId}/messages`,
    ]);
    expect(events).toHaveLength(2); // listeners are shared
    expect(wa.toJSON()["apiVersion"]).toBe(DEFAULT_API_VERSION);
    expect(() => wa.withOptions({ apiVersion: "bad" })).toThrow(ConfigError);
  });
});

describe("policy option groups", () => {
  it("the guard names are one list: in the order the pipeline runs them, and each one can be disabled", () => {
    const wa = new WhatsAppClient({ accessToken: TOKEN, policy: { warmUp: { since: 0 } } });
    expect(wa.policy.describe().map((g) => g.name)).toEqual([...GUARD_NAMES]);
    for (const name of GUARD_NAMES) {
      const off = new WhatsAppClient({
        accessToken: TOKEN,
        policy: { warmUp: { since: 0 }, disable: [name] },
      });
      expect(off.policy.describe().map((g) => g.name)).toEqual(GUARD_NAMES.filter((n) => n !== name));
    }
    expect(
      () => new WhatsAppClient({ accessToken: TOKEN, policy: { disable: ["pairRate" as never] } }),
    ).toThrow(/policy\.disable/);
  });

  it("an option group given with undefined fields takes the defaults, and the window margin is one default", async () => {
    const { wa, fake, clock } = setup(
      {},
      { policy: { sessionWindow: { safetyMarginMs: undefined as never } } },
    );
    fake.messaging.receiveMessage("+14165551234");
    await fake.webhooks.deliver(wa);
    // The window closes 60 s early for both the guard and wa.sessions.
    clock.advance(24 * 3_600_000 - 60_000);
    expect((await wa.sessions.status("+14165551234")).open).toBe(false);
    expect(
      (await wa.policy.check({ type: "text", to: "+14165551234", body: "hi" })).violations.map((v) => v.rule),
    ).toEqual(["session-window"]);
  });
});

describe("secrets never leak", () => {
  it("masks the token and app secret in toJSON, JSON.stringify and inspect", () => {
    const wa = new WhatsAppClient({ accessToken: TOKEN, appSecret: "app-secret-value-xyz" });
    for (const text of [JSON.stringify(wa), inspect(wa), String(JSON.stringify(wa.toJSON()))]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain("app-secret-value-xyz");
      expect(text).toContain("[redacted]");
    }
  });

  it("keeps the token out of errors, their JSON and log lines, even when Meta echoes it", async () => {
    const lines: string[] = [];
    const log = (m: string, d?: unknown) => lines.push(m + JSON.stringify(d ?? {}));
    const wa = new WhatsAppClient({
      accessToken: TOKEN,
      phoneNumberId: "123",
      logger: { debug: log, info: log, warn: log, error: log },
      maxRetries: 1,
      policy: false,
      clock: { now: () => 0, sleep: async () => {} },
      transport: async (req) => ({
        status: 400,
        headers: {},
        body: JSON.stringify({
          error: { code: 130429, message: `(#130429) token ${req.headers["authorization"]} rejected` },
        }),
      }),
    });
    const error = await wa.messages.sendText({ to: "+14165551234", body: "hi" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ graphCode: 130429 });
    for (const text of [String(error), JSON.stringify(error), inspect(error), ...lines])
      expect(text).not.toContain(TOKEN);
    expect(lines.length).toBeGreaterThan(0);
  });
});
