/**
 * Attacks: the split of a health reading by entity (`levelsOf`). Meta's overall
 * `can_send_message` is the worst of the nodes. When the number is BLOCKED and the WABA LIMITED,
 * the overall status is BLOCKED; the WABA's LIMITED (which slows marketing for every number of
 * the WABA) must still reach the WABA-wide state, so the WABA's other number is slowed.
 */
import { describe, expect, it } from "vitest";
import { SECOND, twoNumbers } from "./two.js";

describe("a reading with the number BLOCKED and the WABA LIMITED", () => {
  it("the other number of the WABA gets the WABA's marketing slowdown", async () => {
    const w = twoNumbers();
    const first = w.client({ transport: w.transport });
    const second = first.withOptions({ phoneNumberId: SECOND });
    w.fake.setHealth("PHONE_NUMBER", {
      canSendMessage: "BLOCKED",
      errors: [{ code: 141010, description: "x" }],
    });
    w.fake.setHealth("WABA", { canSendMessage: "LIMITED", additionalInfo: ["Marketing limited"] });
    const health = await first.account.health({ refresh: true });
    expect(health.status?.canSendMessage).toBe("BLOCKED");
    const now = w.clock.now();
    // The number's own hold is there.
    expect((await first.policy.pipeline!.health.active(now)).map((r) => r.scope)).toContain("all");
    // The WABA's LIMITED: the second number's marketing slowed as if it had read it itself.
    expect((await second.policy.pipeline!.health.active(now)).map((r) => r.scope)).toContain(
      "marketing_slow",
    );
  });

  it("control: the second number reading the same health itself is slowed", async () => {
    const w = twoNumbers();
    const first = w.client({ transport: w.transport });
    const second = first.withOptions({ phoneNumberId: SECOND });
    w.fake.setHealth("WABA", { canSendMessage: "LIMITED", additionalInfo: ["Marketing limited"] });
    await first.account.health({ refresh: true });
    expect((await second.policy.pipeline!.health.active(w.clock.now())).map((r) => r.scope)).toContain(
      "marketing_slow",
    );
  });
});
