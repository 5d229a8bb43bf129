/**
 * Issue 16 ("Campaign early warning"): `earlyWarning: { window: 40 }` — a narrower window, to react
 * sooner — is accepted, but no verdict is taken before `minSent` (default 50) sends are in the
 * window, and the window never holds more than 40: the early warning is silently off. Half of the
 * recipients reply STOP, status webhooks keep arriving, and all 200 are sent. Either the options
 * are refused (`ValidationError`: window < minSent) or the run must stop.
 */
import { describe, expect, it } from "vitest";
import { type CampaignReport, ValidationError } from "../../../src/index.js";
import { BODY, world } from "../attack4/world.js";

const to = (i: number) => `+1416555${String(1000 + i)}`;

describe("attack5: a window narrower than minSent turns the early warning off", () => {
  it("earlyWarning { window: 40 } is refused or still stops a campaign half of whose recipients opt out", async () => {
    const w = world([BODY, { type: "FOOTER", text: "Reply STOP to opt out" }], {
      messagingLimit: { tier: "unlimited" },
    });
    const wa = w.client();
    const recipients = Array.from({ length: 200 }, (_, i) => to(i));
    for (const r of recipients) await wa.consent.grant(r, { scope: "marketing", source: "form" });
    async function* source() {
      for (let i = 0; i < recipients.length; i++) {
        if (i >= 10 && i % 2 === 0) {
          w.fake.messaging.receiveMessage(recipients[i - 6]!, { text: "STOP" });
          await w.fake.webhooks.deliver(wa);
        }
        yield recipients[i]!;
      }
    }
    let report: CampaignReport;
    try {
      const run = wa.campaigns.run({
        id: "narrow",
        template: { name: "promo", language: "en_US" },
        recipients: source(),
        concurrency: 2,
        earlyWarning: { window: 40 },
      });
      report = await run.report();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return;
    }
    expect(report.stopped?.code).toBe("early-warning");
    expect(report.sent).toBeLessThan(200);
  });
});
