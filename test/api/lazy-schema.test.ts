import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { check, lazy, withFastPath } from "../../src/internal/validate.js";

// Schemas are built on first use (cold start). A lazy stand-in must behave exactly like the
// schema it builds: parsed alone, composed into other schemas, and behind a fast path.
const build = () =>
  z.strictObject({
    to: z.string().check(z.minLength(3, "too short")),
    n: z.optional(z.number().check(z.int(), z.maximum(9))),
  });

describe("lazy schemas", () => {
  it("build nothing until used, then once", () => {
    let builds = 0;
    const schema = lazy(() => {
      builds++;
      return build();
    });
    const outer = lazy(() => z.array(schema));
    expect(builds).toBe(0);
    expect(check(outer, [{ to: "abc" }]).ok).toBe(true);
    expect(check(schema, { to: "abcd", n: 3 }).ok).toBe(true);
    expect(builds).toBe(1);
  });

  it("answer as the eager schema does, alone and composed (same values, same issues)", () => {
    const eager = build();
    const stand = lazy(build);
    const eagerOuter = z.strictObject({ item: eager, items: z.array(eager) });
    const lazyOuter = lazy(() => z.strictObject({ item: stand, items: z.array(stand) }));
    const value = fc.oneof(
      fc.record(
        { to: fc.string({ maxLength: 5 }), n: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.double()) },
        { requiredKeys: [] },
      ),
      fc.anything(),
    );
    fc.assert(
      fc.property(value, fc.array(value, { maxLength: 3 }), (one, many) => {
        expect(check(stand, one)).toEqual(check(eager, one));
        const input = { item: one, items: many };
        expect(check(lazyOuter, input)).toEqual(check(eagerOuter, input));
      }),
    );
  });

  it("keep a fast path without building the schema", () => {
    let builds = 0;
    const schema = withFastPath(
      lazy(() => {
        builds++;
        return build();
      }),
      (v) => typeof v === "object" && v !== null && (v as { to?: unknown }).to === "fast",
    );
    expect(check(schema, { to: "fast" })).toEqual({ ok: true, value: { to: "fast" } });
    expect(builds).toBe(0);
    const refused = check(schema, { to: "x" });
    expect(refused.ok).toBe(false);
    expect(builds).toBe(1);
    if (!refused.ok) expect(refused.issues[0]?.path).toEqual(["to"]);
  });
});
