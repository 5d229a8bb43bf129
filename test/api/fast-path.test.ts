import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isValidTextMessage, outboundMessageSchema } from "../../src/api/schemas/outbound.js";
import { isSendMessageResponse, sendMessageResponse } from "../../src/api/schemas/responses.js";

// The send response has a hand-written fast check; zod stays the reference. They must agree.
// Mostly valid values, with an occasional wrong type, so both outcomes are common.
const str = fc.oneof(
  { weight: 8, arbitrary: fc.string({ maxLength: 5 }) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null, 7) },
);
const message = fc.oneof(
  { weight: 8, arbitrary: fc.record({ id: str, message_status: str }, { requiredKeys: ["id"] }) },
  { weight: 1, arbitrary: fc.constantFrom("x", null, {}) },
);
const contact = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      { input: str, wa_id: str, user_id: str, extra: fc.anything() },
      { requiredKeys: ["input"] },
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(1, null, {}) },
);
const response = fc.oneof(
  fc.record(
    {
      messaging_product: str,
      messages: fc.oneof(
        { weight: 8, arbitrary: fc.array(message, { maxLength: 3 }) },
        { weight: 1, arbitrary: fc.constantFrom(undefined, "x") },
      ),
      contacts: fc.oneof(
        { weight: 8, arbitrary: fc.array(contact, { maxLength: 3 }) },
        { weight: 1, arbitrary: fc.constantFrom(undefined, {}) },
      ),
      other: fc.anything(),
    },
    { requiredKeys: ["messages"] },
  ),
  fc.anything(),
);

describe("send response fast path", () => {
  it("accepts exactly what the zod schema accepts", () => {
    const seen = { accepted: 0, rejected: 0 };
    fc.assert(
      fc.property(response, (value) => {
        // zod treats a present key holding undefined like a missing one; so does the fast path.
        const ok = sendMessageResponse.safeParse(value).success;
        expect(isSendMessageResponse(value)).toBe(ok);
        seen[ok ? "accepted" : "rejected"]++;
      }),
      { numRuns: 5000 },
    );
    // The generator must exercise both sides, or the property proves nothing. About 12% are
    // accepted (600 of 5000), so the bound holds for any seed with a wide margin.
    expect(seen.accepted).toBeGreaterThan(200);
    expect(seen.rejected).toBeGreaterThan(200);
  });
});

describe("text message fast path", () => {
  const text = fc.record(
    {
      type: fc.oneof(
        { weight: 9, arbitrary: fc.constant("text") },
        { weight: 1, arbitrary: fc.constantFrom("image", 1) },
      ),
      to: fc.oneof(
        {
          weight: 6,
          arbitrary: fc.constantFrom(
            "+14165551234",
            "+1 (416) 555-1234",
            "14165551234",
            "US.13491208655302741918",
            "US.ENT.123",
          ),
        },
        { weight: 2, arbitrary: fc.stringMatching(/^\+?[\d\s\-().]{0,32}$/) },
        { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
        { weight: 1, arbitrary: fc.constant(undefined) },
      ),
      body: fc.oneof(
        { weight: 6, arbitrary: fc.string({ minLength: 0, maxLength: 20 }) },
        { weight: 1, arbitrary: fc.constantFrom("x".repeat(4096), "x".repeat(4097), 5, undefined) },
      ),
      previewUrl: fc.oneof(
        { weight: 4, arbitrary: fc.boolean() },
        { weight: 1, arbitrary: fc.constantFrom(undefined, "yes") },
      ),
      replyTo: fc.oneof(
        { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 3 }) },
        { weight: 1, arbitrary: fc.constantFrom("", "x".repeat(256), "x".repeat(257), undefined) },
      ),
      bizOpaqueCallbackData: fc.oneof(
        { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 3 }) },
        { weight: 1, arbitrary: fc.constantFrom("", "x".repeat(512), "x".repeat(513), undefined) },
      ),
    },
    { requiredKeys: ["type", "to", "body"] },
  );
  // An unknown key makes a message invalid; add one to about one message in ten.
  const withStray = fc
    .tuple(text, fc.integer({ min: 0, max: 9 }))
    .map(([m, n]) => (n === 0 ? { ...m, stray: "x" } : m));

  it("accepts exactly the text messages the zod schema accepts", () => {
    const seen = { accepted: 0, rejected: 0 };
    fc.assert(
      fc.property(withStray, (m) => {
        const ok = outboundMessageSchema.safeParse(m).success;
        if (m.type === "text") expect(isValidTextMessage(m)).toBe(ok);
        else expect(isValidTextMessage(m)).toBe(false);
        seen[ok ? "accepted" : "rejected"]++;
      }),
      { numRuns: 5000 },
    );
    // Both sides must be exercised; with these weights roughly 30% are accepted, so the
    // bound holds for any seed with a wide margin.
    expect(seen.accepted).toBeGreaterThan(200);
    expect(seen.rejected).toBeGreaterThan(200);
  });
});
