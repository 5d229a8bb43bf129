/**
 * Issue 16 ("Campaign early warning"): the verdict is taken only when an opt-out or a status
 * arrives, and not at all before `minSent` (50) sends. Opt-outs that arrive early — 5 of the
 * first 12 recipients reply STOP — are counted, but when the 50th send makes them count (5 of 50:
 * 10 %, over the 2 % threshold and the 3 opt-outs minimum) nothing looks again: the campaign sends
 * its whole list unless another webhook happens to arrive.
 */
import { describe, expect, it } from "vitest";
import { BODY, world } from "../attack4/world.js";

const to = (i: number) => `+1416555${String(1000 + i)}`;

describe("attack5: opt-outs before minSent never stop the campaign", () => {
  it("a run whose first recipients opt out past the threshold stops once minSent is reached", async () => {
    const w = world([BODY, { type: "FOOTER", text: "Reply STOP to opt out" }], {
      messagingLimit: { tier: "unlimited" },
    });
    const wa = w.client();
    const recipients = Array.from({ length: 200 }, (_, i) => to(i));
    for (const r of recipients) await wa.consent.grant(r, { scope: "marketing", source: "form" });
    async function* source() {
      for (let i = 0; i < recipients.length; i++) {
        if (i === 16) {
          for (let j = 0; j < 5; j++) w.fake.messaging.receiveMessage(recipients[j]!, { text: "STOP" });
          await w.fake.webhooks.deliver(wa);
        }
        yield recipients[i]!;
      }
    }
    const run = wa.campaigns.run({
      id: "early",
      template: { name: "promo", language: "en_US" },
      recipients: source(),
      concurrency: 2,
    });
    const report = await run.report();
    expect(report.signals?.optOuts).toBe(5);
    expect(report.stopped?.code).toBe("early-warning");
    expect(report.sent).toBeLessThan(200);
  });
});
