/**
 * "Every refusal stays on the error: error.violations" — except a custom guard's. When a built-in
 * guard refuses a send, the custom guards are not run, so their refusal is missing from the
 * thrown error's `violations` although `wa.policy.check()` lists it for the same message. A caller
 * that fixes what `violations` names (here: records consent) learns of the custom refusal only on
 * the next try. (Nothing reaches Meta: an information defect, low severity.)
 */
import { describe, expect, it } from "vitest";
import { type Guard, PolicyViolationError } from "../../../src/index.js";
import { BODY, CA, type Components, world } from "./world.js";

const OPT_OUT: Components = [BODY, { type: "FOOTER", text: "Reply STOP to opt out" }];

const quietHours: Guard = {
  name: "quiet-hours",
  check: (ctx) =>
    new PolicyViolationError({ rule: "quiet-hours", recipient: ctx.message.to, reason: "it is night there" }),
};

describe("attack4: error.violations and custom guards", () => {
  // Fixed: after a built-in refusal the custom guards that take nothing are asked too (dry).
  it("a send refused by consent and by a custom guard carries both refusals, as policy.check() does", async () => {
    const w = world(OPT_OUT, { guards: [quietHours] });
    const wa = w.client();
    const message = { type: "template", to: CA, name: "promo", language: "en_US" } as const;
    const verdict = await wa.policy.check(message as never);
    expect(verdict.violations.map((v) => v.rule).sort()).toEqual(["consent", "quiet-hours"]);
    const error = await wa.messages
      .sendTemplate({ to: CA, name: "promo", language: "en_US" })
      .catch((e) => e);
    expect(error).toBeInstanceOf(PolicyViolationError);
    expect((error as PolicyViolationError).violations.map((v) => v.rule).sort()).toEqual([
      "consent",
      "quiet-hours",
    ]);
    expect(w.sends()).toHaveLength(0);
  });

  it("a custom guard that throws after a built-in refusal does not hide it; none is asked to take capacity", async () => {
    let consumed = 0;
    const broken: Guard = {
      name: "broken",
      check: () => {
        throw new Error("store down");
      },
    };
    // A custom guard that takes capacity when asked to (take = true).
    const counting: Guard = {
      name: "counting",
      check: (_ctx, take) => {
        if (take) consumed++;
        return undefined;
      },
    };
    const w = world(OPT_OUT, { guards: [broken, counting] });
    const wa = w.client();
    const error = await wa.messages
      .sendTemplate({ to: CA, name: "promo", language: "en_US" })
      .catch((e) => e);
    expect(error).toBeInstanceOf(PolicyViolationError);
    expect((error as PolicyViolationError).rule).toBe("consent");
    expect(consumed).toBe(0);
    expect(w.sends()).toHaveLength(0);
  });
});
