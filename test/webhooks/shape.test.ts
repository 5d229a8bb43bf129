import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as schemas from "../../src/webhooks/schemas.js";
import type { Shape, Validator } from "../../src/webhooks/shape.js";

/**
 * Values that mostly fit `shape`, with a wrong type, a missing key or junk now and then: junk
 * with probability `junkRate` here, and spread over the fields below so that wide shapes (an
 * inbound message has 25 optional fields) are still accepted often.
 */
function near(shape: Shape, depth = 0, junkRate = 0.15): fc.Arbitrary<unknown> {
  const junk = fc.constantFrom(
    undefined,
    null,
    7,
    "x",
    "",
    "12",
    "17a",
    " 1",
    true,
    [],
    {},
    Number.NaN,
    Number.POSITIVE_INFINITY,
    -1.5,
  );
  const valid = (): fc.Arbitrary<unknown> => {
    if (typeof shape === "string") {
      switch (shape) {
        case "string":
          return fc.string({ maxLength: 4 });
        case "number":
          return fc.double({ noNaN: true, noDefaultInfinity: true });
        case "boolean":
          return fc.boolean();
        case "unknown":
          return fc.anything({ maxDepth: 1 });
        case "unixTime":
          return fc.oneof(fc.stringMatching(/^\d{1,10}$/), fc.integer({ min: 0 }));
        case "numberOrString":
          return fc.oneof(fc.integer(), fc.string({ maxLength: 3 }));
        case "nullableString":
          return fc.oneof(fc.constant(null), fc.string({ maxLength: 3 }));
      }
    }
    if ("array" in shape) return fc.array(near(shape.array, depth + 1, junkRate / 2), { maxLength: 3 });
    const fieldCount = Math.max(1, Object.keys(shape.object).length);
    const entries = Object.entries(shape.object).map(([key, field]) => {
      const optional = typeof field === "object" && "optional" in field;
      const inner = optional ? (field as { optional: Shape }).optional : (field as Shape);
      return [key, depth > 3 ? junk : near(inner, depth + 1, (2 * junkRate) / fieldCount), optional] as const;
    });
    return fc
      .tuple(
        fc.record(Object.fromEntries(entries.map(([k, a]) => [k, a])), {
          requiredKeys: entries.filter(([, , optional]) => !optional).map(([k]) => k),
        }),
        fc.dictionary(fc.constantFrom("extra", "future_field"), fc.anything({ maxDepth: 1 })),
      )
      .map(([declared, extra]) => ({ ...extra, ...declared }));
  };
  const junkWeight = Math.max(1, Math.round(10_000 * junkRate));
  return fc.oneof(
    { weight: 10_000 - junkWeight, arbitrary: valid() },
    { weight: junkWeight, arbitrary: junk },
  );
}

const validators = Object.entries(schemas as Record<string, unknown>).filter(
  (e): e is [string, Validator<unknown>] => typeof e[1] === "object" && e[1] !== null && "accepts" in e[1],
);

describe("webhook shapes: the fast check and the zod schema agree", () => {
  it("covers every payload validator", () => {
    expect(validators.map(([name]) => name).sort()).toEqual(
      [
        "accountUpdate",
        "callEvent",
        "callStatus",
        "contact",
        "inboundMessage",
        "messageStatus",
        "metadata",
        "phoneQualityUpdate",
        "templateCategoryUpdate",
        "templateQualityUpdate",
        "templateStatusUpdate",
        "userIdUpdate",
        "userPreference",
      ].sort(),
    );
  });

  it.each(validators)("%s", (_name, v) => {
    const shape = v.shape;
    const seen = { accepted: 0, rejected: 0 };
    fc.assert(
      fc.property(near(shape), (value) => {
        const ok = v.zod.safeParse(value).success;
        expect(v.accepts(value)).toBe(ok);
        if (!ok) expect(v.explain(value)).not.toBe("");
        seen[ok ? "accepted" : "rejected"]++;
      }),
      { numRuns: 2000 },
    );
    // Both outcomes must be common, or the property proves little.
    expect(seen.accepted).toBeGreaterThan(100);
    expect(seen.rejected).toBeGreaterThan(100);
  });
});

describe("webhook shapes: parse repairs what only optional fields spoil", () => {
  it.each(validators)("%s", (_name, v) => {
    const shape = v.shape;
    const required =
      typeof shape === "object" && "object" in shape
        ? Object.entries(shape.object)
            .filter(([, f]) => !(typeof f === "object" && "optional" in f))
            .map(([k]) => k)
        : [];
    const seen = { asIs: 0, repaired: 0, refused: 0 };
    fc.assert(
      fc.property(near(shape), (value) => {
        const before = structuredClone(value);
        const parsed = v.parse(value);
        if (v.accepts(value)) {
          // What fits is never copied.
          expect(parsed).toBe(value);
          seen.asIs++;
          return;
        }
        // Never changes the input.
        expect(value).toEqual(before);
        if (parsed === undefined) {
          seen.refused++;
          return;
        }
        seen.repaired++;
        // What comes out fits, and keeps every required field (repaired inside, if need be).
        expect(v.accepts(parsed)).toBe(true);
        for (const key of required) expect((parsed as Record<string, unknown>)[key]).not.toBeUndefined();
      }),
      { numRuns: 2000 },
    );
    expect(seen.asIs).toBeGreaterThan(100);
    expect(seen.refused + seen.repaired).toBeGreaterThan(100);
  });

  it("leaves out the optional field that does not fit, keeps unknown keys, drops array elements that do not fit", () => {
    const raw = {
      id: "wamid.1",
      type: "text",
      from: "1",
      text: { body: "STOP" },
      context: { forwarded: "yes", id: "wamid.0" },
      errors: [{ code: 1 }, "junk", { code: null }],
      future_field: { a: 1 },
    };
    expect(schemas.inboundMessage.parse(raw)).toEqual({
      id: "wamid.1",
      type: "text",
      from: "1",
      text: { body: "STOP" },
      context: { id: "wamid.0" },
      errors: [{ code: 1 }],
      future_field: { a: 1 },
    });
    // A required field that does not fit cannot be left out.
    expect(schemas.inboundMessage.parse({ ...raw, id: 7 })).toBeUndefined();
    expect(schemas.userPreference.parse({ wa_id: "1", value: 1 })).toBeUndefined();
  });
});
