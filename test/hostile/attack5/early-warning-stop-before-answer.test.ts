/**
 * Issue 16 ("Campaign early warning"): a run counts a send in its window only after Meta's answer
 * is read and its checkpoint settled (`EarlyWarning.sent`). An opt-out webhook handled in between
 * — the user taps STOP the moment the message lands, while the answer is slow — finds no entry
 * for that recipient and is dropped for good: five such STOPs among the first sends never count,
 * and the campaign runs to the end although later status webhooks give it every chance to decide.
 */
import { describe, expect, it } from "vitest";
import type { ClientOptions, WhatsAppClient } from "../../../src/index.js";
import { fakeTransport } from "../../../src/testing/index.js";
import { BODY, world } from "../attack4/world.js";

const to = (i: number) => `+1416555${String(1000 + i)}`;
const digits = (i: number) => to(i).slice(1);

describe("attack5: a STOP handled before the send's answer is read", () => {
  it("still counts toward the early warning", async () => {
    const w = world([BODY, { type: "FOOTER", text: "Reply STOP to opt out" }], {
      messagingLimit: { tier: "unlimited" },
    });
    const inner = fakeTransport(w.fake);
    let wa: WhatsAppClient | undefined;
    let stops = 0;
    const transport: ClientOptions["transport"] = async (req) => {
      const res = await inner(req);
      const body = typeof req.body === "string" ? req.body : "";
      // The first five recipients reply STOP at once; their webhook is handled before the answer.
      const i = Number(/"to":"\+?1416555(\d{4})"/.exec(body)?.[1] ?? Number.NaN) - 1000;
      if (req.url.endsWith("/messages") && i >= 0 && i < 5 && wa) {
        stops++;
        await w.deliver(wa, w.inbound(`wamid.stop${i}`, "STOP", { waId: digits(i) }));
      }
      return res;
    };
    wa = w.client({ transport });
    const recipients = Array.from({ length: 200 }, (_, i) => to(i));
    for (const r of recipients) await wa.consent.grant(r, { scope: "marketing", source: "form" });
    async function* source() {
      for (let i = 0; i < recipients.length; i++) {
        // Status webhooks keep arriving during the run: the verdict is taken again and again.
        if (i > 60 && i % 10 === 0) await w.fake.webhooks.deliver(wa!);
        yield recipients[i]!;
      }
    }
    const run = wa.campaigns.run({
      id: "fast-stop",
      template: { name: "promo", language: "en_US" },
      recipients: source(),
      concurrency: 2,
    });
    const report = await run.report();
    expect(stops).toBe(5);
    expect(report.signals?.optOuts).toBe(5);
    expect(report.stopped?.code).toBe("early-warning");
  });
});
