/**
 * Attacks: `withOptions({ phoneNumberId })` and `policy.warmUp.since`. The start date describes
 * one phone number ("when the phone number started sending (its registration)"); the copy for
 * another number — a new number added to the WABA — inherits it silently. The first number is
 * 20 days old, so the new number's copy has no warm-up at all and sends its first day at full
 * speed, the pattern the guard exists to prevent. (A copy's per-number stores are already left
 * behind for this reason; "first-send" is per number and held.)
 */
import { describe, expect, it } from "vitest";
import { SECOND, twoNumbers } from "./two.js";

const DAY = 24 * 60 * 60 * 1000;
const to = (i: number) => `+1416555${String(2000 + i)}`;

describe("warm-up on a withOptions() copy for another number", () => {
  it("a start date given for the first number does not exempt a new second number", async () => {
    const w = twoNumbers();
    const first = w.client({
      transport: w.transport,
      policy: { warmUp: { since: w.clock.now() - 20 * DAY } },
    });
    expect(await first.policy.pipeline!.warmUpNow()).toBeUndefined(); // the first number is past its ramp
    const second = first.withOptions({ phoneNumberId: SECOND });
    for (let i = 0; i < 30; i++) await first.consent.grant(to(i), { scope: "utility", source: "order" });
    let sent = 0;
    for (let i = 0; i < 30; i++) {
      w.clock.advance(1_000);
      if (
        (await w.outcome(second.messages.sendTemplate({ to: to(i), name: "notice", language: "en_US" }))) ===
        "sent"
      )
        sent++;
    }
    // A new number on its first day: at most the first step's 20 (30 s apart: fewer here).
    expect(sent).toBeLessThanOrEqual(20);
  });

  it('held: with since "first-send", the copy for the second number starts its own ramp', async () => {
    const w = twoNumbers();
    const first = w.client({ transport: w.transport, policy: { warmUp: { since: "first-send" } } });
    await first.consent.grant(to(0), { scope: "utility", source: "order" });
    await first.consent.grant(to(1), { scope: "utility", source: "order" });
    expect(
      await w.outcome(first.messages.sendTemplate({ to: to(0), name: "notice", language: "en_US" })),
    ).toBe("sent");
    w.clock.advance(20 * DAY);
    expect(await first.policy.pipeline!.warmUpNow()).toBeUndefined();
    const second = first.withOptions({ phoneNumberId: SECOND });
    expect((await second.policy.pipeline!.warmUpNow())?.step.perDay).toBe(20);
  });
});
