import { describe, expect, expectTypeOf, it } from "vitest";
import {
  type ConsentRequiredError,
  type ConsentSupersededError,
  type GraphApiError,
  isWhatsAppError,
  type PolicyViolationError,
  type RateLimitError,
  type StoreUnavailableError,
  ValidationError,
  type WhatsAppErrorCode,
} from "../../src/index.js";

// `code` is a union of literals, as narrow as each class allows (checked by `npm run typecheck`),
// and still a string wherever users compare or store it.
describe("error codes are typed as literals", () => {
  it("each class narrows its code", () => {
    expectTypeOf<ConsentRequiredError["code"]>().toEqualTypeOf<"policy_consent_required">();
    expectTypeOf<RateLimitError["code"]>().toEqualTypeOf<"graph_rate_limit">();
    expectTypeOf<StoreUnavailableError["code"]>().toEqualTypeOf<"store_unavailable">();
    expectTypeOf<ConsentSupersededError["code"]>().toEqualTypeOf<"consent_superseded">();
    expectTypeOf<PolicyViolationError["code"]>().toExtend<`policy_${string}`>();
    expectTypeOf<GraphApiError["code"]>().toExtend<`graph_${string}`>();
    expectTypeOf<ValidationError["code"]>().toEqualTypeOf<
      "validation_failed" | "consent_withdrawn_by_user" | "consent_superseded"
    >();
    expectTypeOf<WhatsAppErrorCode>().toExtend<string>();
  });

  it("a guard narrows to the union; a misspelt code is a compile error", () => {
    const e: unknown = new ValidationError("x");
    if (!isWhatsAppError(e)) throw new Error("not a wa-guard error");
    expectTypeOf(e.code).toEqualTypeOf<WhatsAppErrorCode>();
    const stored: string = e.code;
    expect(stored).toBe("validation_failed");
    // @ts-expect-error "validation_faild" is no code wa-guard uses
    expect(e.code === "validation_faild").toBe(false);
  });
});
