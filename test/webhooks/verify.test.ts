import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isWebhookVerificationError, signWebhookBody, verifyWebhookSignature } from "../../src/index.js";
import { encodeLikeMeta } from "../../src/testing/index.js";

const SECRET = "app-secret-1";
const payload = {
  object: "whatsapp_business_account",
  entry: [
    {
      id: "102290129340398",
      changes: [
        {
          field: "messages",
          value: {
            messages: [
              {
                from: "5511987654321",
                id: "wamid.HBgN/abc+def==",
                timestamp: "1750000000",
                type: "text",
                text: { body: "Olá! Preço €20 😀 para joão@example.com — https://shop.example/a/b?c=d" },
              },
            ],
          },
        },
      ],
    },
  ],
};
const body = encodeLikeMeta(payload);
const sig = signWebhookBody(body, SECRET);

function reason(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isWebhookVerificationError(error)) return error.reason;
    throw error;
  }
  return "accepted";
}

describe("webhook signature verification", () => {
  it("accepts Meta's bytes: escaped unicode, emoji as surrogate pairs, \\/ and @", () => {
    expect(body).toContain("\\u00e1");
    expect(body).toContain("\\ud83d\\ude00");
    expect(body).toContain("\\/");
    expect(body).toContain("@");
    expect(reason(() => verifyWebhookSignature(body, sig, [SECRET]))).toBe("accepted");
    expect(reason(() => verifyWebhookSignature(Buffer.from(body), sig, [SECRET]))).toBe("accepted");
    expect(reason(() => verifyWebhookSignature(new TextEncoder().encode(body).buffer, sig, [SECRET]))).toBe(
      "accepted",
    );
  });

  it("accepts a body whose escapes were decoded on the way, since Meta signed the escaped form", () => {
    const decoded = JSON.stringify(payload); // plain UTF-8 and unescaped slashes
    expect(decoded).not.toBe(body);
    expect(reason(() => verifyWebhookSignature(decoded, sig, [SECRET]))).toBe("accepted");
    // …and a body signed over its plain UTF-8 bytes verifies too.
    expect(reason(() => verifyWebhookSignature(decoded, signWebhookBody(decoded, SECRET), [SECRET]))).toBe(
      "accepted",
    );
  });

  it("accepts any of several secrets during a rotation", () => {
    expect(reason(() => verifyWebhookSignature(body, sig, ["new-secret", SECRET]))).toBe("accepted");
    expect(
      reason(() => verifyWebhookSignature(body, signWebhookBody(body, "new-secret"), ["new-secret", SECRET])),
    ).toBe("accepted");
  });

  const hex = sig.slice(7);
  const tampering: Array<[string, () => unknown, string]> = [
    ["missing header", () => verifyWebhookSignature(body, undefined, [SECRET]), "missing_signature"],
    ["empty header", () => verifyWebhookSignature(body, "", [SECRET]), "missing_signature"],
    ["header given twice", () => verifyWebhookSignature(body, [sig, sig], [SECRET]), "duplicate_signature"],
    [
      "header joined by Node",
      () => verifyWebhookSignature(body, `${sig}, ${sig}`, [SECRET]),
      "duplicate_signature",
    ],
    ["sha1 prefix", () => verifyWebhookSignature(body, `sha1=${hex}`, [SECRET]), "malformed_signature"],
    ["no prefix", () => verifyWebhookSignature(body, hex, [SECRET]), "malformed_signature"],
    [
      "upper-case prefix",
      () => verifyWebhookSignature(body, `SHA256=${hex}`, [SECRET]),
      "malformed_signature",
    ],
    [
      "non-hex digest",
      () => verifyWebhookSignature(body, `sha256=${"z".repeat(64)}`, [SECRET]),
      "malformed_signature",
    ],
    ["short digest", () => verifyWebhookSignature(body, sig.slice(0, -2), [SECRET]), "malformed_signature"],
    ["long digest", () => verifyWebhookSignature(body, `${sig}00`, [SECRET]), "malformed_signature"],
    [
      "wrong secret",
      () => verifyWebhookSignature(body, signWebhookBody(body, "other"), [SECRET]),
      "signature_mismatch",
    ],
    [
      "digest of another body",
      () => verifyWebhookSignature(body, signWebhookBody(`${body} `, SECRET), [SECRET]),
      "signature_mismatch",
    ],
    ["parsed object", () => verifyWebhookSignature(payload, sig, [SECRET]), "not_raw_body"],
    ["empty body", () => verifyWebhookSignature("", sig, [SECRET]), "empty_body"],
    ["no body", () => verifyWebhookSignature(undefined, sig, [SECRET]), "empty_body"],
    ["no secret configured", () => verifyWebhookSignature(body, sig, []), "no_app_secret"],
  ];
  it.each(tampering)("refuses: %s", (_name, run, expected) => {
    expect(reason(run)).toBe(expected);
  });

  it("refuses the body with any single byte flipped", () => {
    const bytes = Buffer.from(body);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const copy = Buffer.from(bytes);
        copy[i] = (copy[i] as number) ^ x;
        expect(reason(() => verifyWebhookSignature(copy, sig, [SECRET]))).not.toBe("accepted");
      }),
      { numRuns: 500 },
    );
  });

  it("never says why in a way that leaks the secret or the expected digest", () => {
    const expected = createHmac("sha256", SECRET).update(body).digest("hex");
    try {
      verifyWebhookSignature(body, `sha256=${"0".repeat(64)}`, [SECRET]);
    } catch (error) {
      const text = JSON.stringify((error as Error & { toJSON(): unknown }).toJSON()) + String(error);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(expected);
      return;
    }
    throw new Error("expected a refusal");
  });
});
