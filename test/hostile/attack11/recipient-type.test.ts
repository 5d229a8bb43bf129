/**
 * The last commit says `wa.consent.processInbound` validates its input, and it does for `text`,
 * `buttonPayload`, `messageId`, `at` and `opensWindow` — but not `from`: a missing, null or
 * numeric sender (a JSON wa_id read as a number, `14165551234`) throws a bare `TypeError`
 * ("v.charCodeAt is not a function") from the recipient parser instead of the documented
 * `ValidationError`, so callers that catch validation errors to skip a bad record crash instead.
 * The same holds for `consent.status`, `consent.revoke` and `sessions.recordInbound`.
 *
 * Fixed: see README.md, "Status".
 */
import { describe, expect, it } from "vitest";
import { isValidationError } from "../../../src/index.js";
import { world } from "../world.js";

describe("a sender that is not a string", () => {
  it.each([
    ["a number", 14165551234],
    ["null", null],
    ["missing", undefined],
  ])("processInbound with from %s throws a ValidationError", async (_n, from) => {
    const w = world();
    const wa = w.client();
    const error = await wa.consent.processInbound({ from, text: "STOP" } as never).catch((e: unknown) => e);
    expect(isValidationError(error)).toBe(true);
  });

  it("consent.status / revoke and sessions.recordInbound with a number throw a ValidationError", async () => {
    const w = world();
    const wa = w.client();
    const errors = await Promise.all([
      wa.consent.status(14165551234 as never, "marketing").catch((e: unknown) => e),
      wa.consent.revoke(14165551234 as never, { source: "crm" }).catch((e: unknown) => e),
      wa.sessions.recordInbound(14165551234 as never).catch((e: unknown) => e),
    ]);
    expect(errors.map((e) => isValidationError(e))).toEqual([true, true, true]);
  });
});
