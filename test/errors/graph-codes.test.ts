import { createRequire } from "node:module";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createGraphApiError } from "../../src/errors/graph.js";
import {
  AccountRestrictedError,
  AuthenticationError,
  BillingError,
  BlockListError,
  GRAPH_CODES,
  GraphApiError,
  graphCodeInfo,
  InvalidRequestError,
  isGraphApiError,
  isWhatsAppError,
  PermissionError,
  PhoneRegistrationError,
  RateLimitError,
  RecipientError,
  ServiceUnavailableError,
  TemplateError,
} from "../../src/index.js";

// Every code listed in the Cloud API fact sheet (§2.3), with the class a user should catch.
const TABLE: Array<[number, new (...args: never[]) => GraphApiError]> = [
  [0, AuthenticationError],
  [190, AuthenticationError],
  [3, PermissionError],
  [10, PermissionError],
  [200, PermissionError],
  [250, PermissionError],
  [299, PermissionError],
  [131005, PermissionError],
  [4, RateLimitError],
  [80007, RateLimitError],
  [130429, RateLimitError],
  [131056, RateLimitError],
  [368, AccountRestrictedError],
  [130497, AccountRestrictedError],
  [131031, AccountRestrictedError],
  [131048, AccountRestrictedError],
  [131063, AccountRestrictedError],
  [131064, AccountRestrictedError],
  [130403, RecipientError],
  [130472, RecipientError],
  [131021, RecipientError],
  [131026, RecipientError],
  [131030, RecipientError],
  [131047, RecipientError],
  [131049, RecipientError],
  [131050, RecipientError],
  [131062, RecipientError],
  [137000, RecipientError],
  [132000, TemplateError],
  [132001, TemplateError],
  [132005, TemplateError],
  [132007, TemplateError],
  [132008, TemplateError],
  [132012, TemplateError],
  [132015, TemplateError],
  [132016, TemplateError],
  [132018, TemplateError],
  [134100, TemplateError],
  [134101, TemplateError],
  [134102, TemplateError],
  [2388019, TemplateError],
  [2388039, TemplateError],
  [2388040, TemplateError],
  [2388047, TemplateError],
  [2388072, TemplateError],
  [2388073, TemplateError],
  [2388293, TemplateError],
  [2388299, TemplateError],
  [200005, TemplateError],
  [200006, TemplateError],
  [200007, TemplateError],
  [1, InvalidRequestError],
  [33, InvalidRequestError],
  [100, InvalidRequestError],
  [131008, InvalidRequestError],
  [131009, InvalidRequestError],
  [131051, InvalidRequestError],
  [131052, InvalidRequestError],
  [131053, InvalidRequestError],
  [135000, InvalidRequestError],
  [2, ServiceUnavailableError],
  [131000, ServiceUnavailableError],
  [131016, ServiceUnavailableError],
  [131057, ServiceUnavailableError],
  [133004, ServiceUnavailableError],
  [139100, BlockListError],
  [139101, BlockListError],
  [139102, BlockListError],
  [139103, BlockListError],
  [131037, PhoneRegistrationError],
  [131045, PhoneRegistrationError],
  [133000, PhoneRegistrationError],
  [133005, PhoneRegistrationError],
  [133006, PhoneRegistrationError],
  [133008, PhoneRegistrationError],
  [133009, PhoneRegistrationError],
  [133010, PhoneRegistrationError],
  [133015, PhoneRegistrationError],
  [133016, PhoneRegistrationError],
  [2388012, PhoneRegistrationError],
  [2388091, PhoneRegistrationError],
  [2388093, PhoneRegistrationError],
  [2388103, PhoneRegistrationError],
  [2494100, PhoneRegistrationError],
  [2593107, PhoneRegistrationError],
  [2593108, PhoneRegistrationError],
  [131042, BillingError],
  [134011, BillingError],
];
const GENERIC = [
  132068, 132069, 139000, 139004, 138000, 138018, 613, 147001, 147005, 131020, 131041, 131059, 131201, 131215,
];
const RETRYABLE = new Set([2, 4, 80007, 130429, 131000, 131016, 131057, 133004, 139103]);

describe("graph error table", () => {
  it.each(TABLE)("code %i maps to its class", (code, Cls) => {
    const error = createGraphApiError({ body: { code, message: "x" } });
    expect(error).toBeInstanceOf(Cls);
    expect(error.graphCode).toBe(code);
    expect(error.retryable).toBe(RETRYABLE.has(code));
  });

  it.each(GENERIC)(
    "code %i (flows, calling, groups, username) is a plain GraphApiError with a category",
    (code) => {
      const error = createGraphApiError({ body: { code } });
      expect(error.constructor).toBe(GraphApiError);
      expect(error.category).not.toBe("unknown");
    },
  );

  it("never retries a send whose outcome Meta did not refuse: 131047, 131050, 130403, 368, 100, 190", () => {
    for (const code of [131047, 131050, 130403, 368, 100, 190, 131049, 131026])
      expect(graphCodeInfo(code).retryable).toBe(false);
  });

  it("decides on the code alone, never the HTTP status or the message text", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TABLE.map(([c]) => c), ...GENERIC),
        fc.integer({ min: 100, max: 599 }),
        fc.string(),
        (code, status, message) => {
          const a = createGraphApiError({ body: { code, message }, status });
          const b = createGraphApiError({ body: { code, message: "(#1) Something else" }, status: 400 });
          expect(a.constructor).toBe(b.constructor);
          expect(a.code).toBe(b.code);
          expect(a.retryable).toBe(b.retryable);
        },
      ),
    );
  });

  it("treats codes outside the table as non-retryable unknown errors", () => {
    fc.assert(
      fc.property(fc.integer({ min: 3_000_000, max: 9_999_999 }), (code) => {
        const error = createGraphApiError({ body: { code } });
        expect(error.category).toBe("unknown");
        expect(error.retryable).toBe(false);
      }),
    );
  });

  it("falls back to a known error_subcode for template-creation errors", () => {
    const error = createGraphApiError({
      body: {
        code: 200002,
        error_subcode: 2388109,
        message: "HSM Template creation failed",
        error_user_msg: "This message template cannot be created.",
      },
    });
    expect(error).toBeInstanceOf(TemplateError);
    expect(error.graphCode).toBe(200002);
    expect(error.graphSubcode).toBe(2388109);
    expect(error.details).toBe("This message template cannot be created.");
  });

  it("accepts error_data as an object or a string", () => {
    expect(createGraphApiError({ body: { code: 100, error_data: { details: "bad param" } } }).details).toBe(
      "bad param",
    );
    expect(
      createGraphApiError({ body: { code: 100, error_data: "template details as a string" } }).details,
    ).toBe("template details as a string");
  });

  it("keeps fbtrace_id and puts the code and details in the message", () => {
    const e = createGraphApiError({
      body: {
        code: 130429,
        message: "(#130429) Rate limit hit",
        error_data: { details: "Cloud API message throughput has been reached." },
        fbtrace_id: "Az8or2",
      },
    });
    expect(e.fbtraceId).toBe("Az8or2");
    expect(e.message).toBe(
      "(#130429) Rate limit hit: Cloud API message throughput has been reached. [fbtrace_id Az8or2]",
    );
  });

  it("has an entry with a title for every exact code in GRAPH_CODES", () => {
    for (const [code, info] of Object.entries(GRAPH_CODES)) {
      expect(info.title.length, `title of ${code}`).toBeGreaterThan(0);
      expect(graphCodeInfo(Number(code))).toBe(info);
    }
  });
});

describe("error guards", () => {
  it("recognise errors by brand, so a second copy of wa-guard still matches", async () => {
    // The built CommonJS copy is a different module instance with its own classes.
    const other = createRequire(import.meta.url)(
      "../../dist/index.cjs",
    ) as typeof import("../../src/index.js");
    const foreign = new other.RateLimitError("x", { body: { code: 130429 } });
    expect(foreign).not.toBeInstanceOf(RateLimitError);
    expect(isWhatsAppError(foreign)).toBe(true);
    expect(isGraphApiError(foreign)).toBe(true);
    expect(foreign.code).toBe("graph_rate_limit");
  });

  it("reject look-alikes without the brand", () => {
    expect(isWhatsAppError({ code: "graph_rate_limit", family: "graph" })).toBe(false);
    expect(isGraphApiError(new Error("x"))).toBe(false);
    expect(isWhatsAppError(null)).toBe(false);
  });
});
