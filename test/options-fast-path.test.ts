import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ClientOptions, clientOptionsSchema, isCommonOptions, resolveOptions } from "../src/options.js";

// `new WhatsAppClient()` checks its options with a hand-written fast path before zod (cold
// start). zod stays the reference: whatever the fast path accepts, zod accepts and returns the
// same value (same references for functions and objects); over the options the fast path covers
// (all but `webhooks` and `stores`) it accepts exactly what zod accepts; anything else goes to
// zod, which then decides and words the error as before.

const fn = () => undefined;
const clock = { now: () => 0, sleep: async () => undefined };
const logger = { debug: fn, info: fn, warn: fn, error: fn };
const odd = fc.constantFrom<unknown>(
  undefined,
  null,
  0,
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  "",
  " ",
  "x y",
  {},
  [],
  fn,
  true,
  false,
);
// Mostly valid values, sometimes a near miss, sometimes anything.
const pick = <T>(valid: fc.Arbitrary<T>, near: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 40, arbitrary: valid }, { weight: 1, arbitrary: near }, { weight: 1, arbitrary: odd });
const secret = pick(
  fc.constantFrom("EAAJBsecret", "s3cr3t!~", "a"),
  fc.constantFrom("has space", "é", "tab\t"),
);
const digits = pick(
  fc.constantFrom("1", "200000000000000", "9".repeat(32)),
  fc.constantFrom("9".repeat(33), "+1", "1 2", "12a"),
);
const timeoutValue = pick(fc.constantFrom(1, 5_000, 600_000), fc.constantFrom(0, 600_001, 2.5, "5000"));

const fields = {
  accessToken: secret,
  phoneNumberId: digits,
  wabaId: digits,
  appSecret: fc.oneof(
    secret,
    fc.array(secret, { minLength: 0, maxLength: 6 }),
    // a sparse array: a hole is not a secret
    fc.constant(Object.assign(new Array(2), { 0: "abc" })),
  ),
  verifyToken: secret,
  apiVersion: pick(
    fc.constantFrom("v25.0", "v1.0", "v999.9"),
    fc.constantFrom("25.0", "v25", "v1000.0", "v25.0 "),
  ),
  baseUrl: pick(
    fc.constantFrom(
      "https://graph.facebook.com",
      "http://127.0.0.1:8080/x",
      "http://localhost",
      "http://[::1]:1/",
    ),
    fc.constantFrom("http://example.com", "https://u:p@host", "graph.facebook.com", "https://h/a?b"),
  ),
  timeouts: fc.oneof(
    {
      weight: 10,
      arbitrary: fc.record(
        { connectMs: timeoutValue, headersMs: timeoutValue, bodyMs: timeoutValue },
        { requiredKeys: [] },
      ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom<unknown>({ connectMs: 1, headersMs: 1, bodyMs: 1, other: 1 }, [], null, 5),
    },
  ),
  maxRetries: pick(fc.integer({ min: 0, max: 10 }), fc.constantFrom(11, -1, 1.5, "2")),
  maxRetryAfterMs: pick(fc.integer({ min: 0, max: 3_600_000 }), fc.constantFrom(3_600_001, -1, 0.5)),
  transport: pick(fc.constant(fn), fc.constantFrom({ request: fn }, "undici")),
  clock: pick(fc.constant(clock), fc.constantFrom({ now: fn }, fn)),
  logger: pick(fc.constant(logger), fc.constantFrom({ ...logger, error: 1 }, console.log)),
  policy: pick(
    fc.constantFrom<unknown>(false, {}, { disable: ["content"] }, { anything: 1 }),
    fc.constantFrom(true, "off"),
  ),
};
// What resolveOptions passes on always has these (it fills in defaults); sometimes they are missing.
const always = ["accessToken", "apiVersion", "baseUrl", "timeouts", "maxRetries", "maxRetryAfterMs"] as const;
const candidate = fc.oneof(
  { weight: 9, arbitrary: fc.record(fields, { requiredKeys: [...always] }) },
  { weight: 1, arbitrary: fc.record(fields, { requiredKeys: [] }) },
);
// Keys the fast path leaves to zod, and keys nobody knows.
const extra = fc.record(
  {
    webhooks: fc.constantFrom<unknown>({}, { dedupTtlMs: 1 }, 5),
    stores: fc.constantFrom<unknown>({}, { consent: 1 }),
    acessToken: fc.constant("x"),
  },
  { requiredKeys: [] },
);

describe("client options fast path", () => {
  it("accepts exactly what zod accepts over the options it covers, with the same value", () => {
    const seen = { fast: 0, refused: 0 };
    fc.assert(
      fc.property(candidate, (c) => {
        const zod = clientOptionsSchema.safeParse(c);
        const fast = isCommonOptions(c);
        expect(fast).toBe(zod.success);
        if (fast) {
          // The fast path hands back the input itself: zod's copy must equal it, with the same
          // references for functions and objects zod passes through. zod copies arrays and
          // nested plain objects (appSecret, timeouts); resolveOptions never hands those on as
          // they are (it concatenates appSecret into a new array and builds timeouts itself).
          expect(zod.data).toEqual(c);
          for (const [key, value] of Object.entries(c))
            if (key !== "timeouts" && key !== "appSecret")
              expect((zod.data as Record<string, unknown>)[key]).toBe(value);
        }
        seen[fast ? "fast" : "refused"]++;
      }),
      { numRuns: 4000 },
    );
    // Both sides must be common, or the property proves nothing.
    expect(seen.fast).toBeGreaterThan(200);
    expect(seen.refused).toBeGreaterThan(200);
  });

  it("never accepts webhooks, stores or an unknown key: zod decides those", () => {
    fc.assert(
      fc.property(candidate, extra, (c, e) => {
        fc.pre(Object.keys(e).length > 0);
        expect(isCommonOptions({ ...c, ...e })).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it("takes the usual construction options, and resolves them as before", () => {
    const given = { accessToken: "EAAJBsecret", phoneNumberId: "200000000000000", transport: fn };
    const resolved = resolveOptions(given as unknown as ClientOptions);
    expect(resolved).toMatchObject({
      accessToken: "EAAJBsecret",
      phoneNumberId: "200000000000000",
      apiVersion: "v25.0",
      baseUrl: "https://graph.facebook.com",
      timeouts: { connectMs: 5_000, headersMs: 30_000, bodyMs: 30_000 },
      maxRetries: 2,
      maxRetryAfterMs: 30_000,
      appSecrets: [],
      transport: fn,
    });
    // What resolveOptions hands the schema for these options (defaults filled in) takes the fast path.
    expect(
      isCommonOptions({
        ...given,
        apiVersion: "v25.0",
        baseUrl: "https://graph.facebook.com",
        timeouts: { connectMs: 5_000, headersMs: 30_000, bodyMs: 30_000 },
        maxRetries: 2,
        maxRetryAfterMs: 30_000,
      }),
    ).toBe(true);
  });
});
