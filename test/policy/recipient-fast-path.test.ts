import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  distinctRecipientKeys,
  isBsuid,
  PHONE_DIGITS,
  parseRecipient,
  phoneDigits,
  plainDigits,
} from "../../src/internal/recipients.js";
import { fakeIdentity } from "../../src/testing/fake-send-rules.js";

// The send path reads recipients without patterns when they are digits alone (`plainDigits`),
// and links a send's answer only when it names more than one key (`distinctRecipientKeys`). The
// patterns below are the reference: the rules as they were written before the fast paths.
const PHONE_CHARS = /^\+?[\d\s\-().]{5,30}$/;
function referencePhoneDigits(v: string): string | undefined {
  if (!PHONE_CHARS.test(v)) return undefined;
  const digits = v.replace(/\D/g, "");
  return digits.length >= PHONE_DIGITS.min && digits.length <= PHONE_DIGITS.max ? digits : undefined;
}
function referenceFakeIdentity(recipient: string): string | undefined {
  if (isBsuid(recipient)) return recipient;
  if (!/^\+?[\d\s\-().]+$/.test(recipient)) return undefined;
  const digits = recipient.replace(/\D/g, "");
  return digits.length >= 5 && digits.length <= 15 ? digits : undefined;
}
function referenceDistinctKeys(ids: ReadonlyArray<string | undefined>): string[] | undefined {
  const keys = new Set<string>();
  for (const id of ids) {
    const key = typeof id === "string" ? parseRecipient(id)?.key : undefined;
    if (key !== undefined) keys.add(key);
  }
  return keys.size < 2 ? undefined : [...keys];
}

/** Recipient spellings: digits with and without `+`, every length around the bounds, separators,
 * non-ASCII digits and spaces, BSUIDs, national variants, and arbitrary strings. */
const digit = fc.constantFrom(..."0123456789");
const odd = fc.constantFrom(" ", "-", "(", ")", ".", "+", "\u00a0", "\u2007", "٣", "１", "a", "\n", "");
/** `n` of `chars`, every length from 0 to `max` equally likely (fast-check favours short arrays). */
const run = (chars: fc.Arbitrary<string>, max: number) =>
  fc
    .integer({ min: 0, max })
    .chain((n) => fc.array(chars, { minLength: n, maxLength: n }).map((cs) => cs.join("")));
const spelling = fc.oneof(
  fc.tuple(fc.constantFrom("", "+"), run(digit, 32)).map(([plus, ds]) => plus + ds),
  run(fc.oneof(digit, digit, digit, odd), 34),
  fc.constantFrom(
    "US.13491208655302741918",
    "US.ENT.abc",
    "+5511987654321",
    "5511987654321",
    "+52 1 55 1234 5678",
  ),
  fc.string({ maxLength: 20 }),
);

describe("the recipient fast paths decide as the patterns do", () => {
  it("phoneDigits: the same digits (or none) for every spelling", () => {
    fc.assert(
      fc.property(spelling, (v) => {
        expect(phoneDigits(v)).toBe(referencePhoneDigits(v));
        const plain = plainDigits(v);
        if (plain !== undefined) expect(plain).toBe(referencePhoneDigits(v));
      }),
      { numRuns: 20_000 },
    );
  });

  it("the fake's identity: the same for every spelling", () => {
    fc.assert(
      fc.property(spelling, (v) => {
        expect(fakeIdentity(v)).toBe(referenceFakeIdentity(v));
      }),
      { numRuns: 20_000 },
    );
  });

  it("distinctRecipientKeys: the keys a link needs, in the same order, or none", () => {
    const id = fc.oneof(spelling, fc.constant(undefined), fc.constantFrom("+14165550000", "14165550000"));
    fc.assert(
      fc.property(fc.array(id, { maxLength: 5 }), (ids) => {
        expect(distinctRecipientKeys(ids)).toEqual(referenceDistinctKeys(ids));
      }),
      { numRuns: 20_000 },
    );
  });
});
