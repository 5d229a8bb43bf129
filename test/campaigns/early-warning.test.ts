import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/index.js";
import { campaignWorld, number } from "./world.js";

// A campaign watches its own recipients: when they start opting out, or its messages start
// failing, it stops itself before Meta's quality rating moves.
describe("campaign early warning", () => {
  it("stops a campaign whose recipients start opting out, and lists the signals", async () => {
    const w = campaignWorld({}, undefined, true);
    const recipients = Array.from({ length: 400 }, (_, i) => number(i));
    for (const r of recipients) await w.optIn(r);
    // While the campaign runs, one recipient in ten of those already sent replies STOP (the
    // source is read a bounded step ahead of sending, so the replies arrive mid-run).
    async function* source() {
      for (let i = 0; i < recipients.length; i++) {
        if (i >= 120 && i % 10 === 0) {
          w.fake.messaging.receiveMessage(recipients[i - 60]!, { text: "STOP" });
          await w.fake.webhooks.deliver(w.wa);
        }
        yield recipients[i]!;
      }
    }
    const run = w.wa.campaigns.run({
      id: "spring",
      template: w.template,
      recipients: source(),
      concurrency: 4,
    });
    const report = await run.report();
    expect(report.stopped).toMatchObject({
      code: "early-warning",
      reason: expect.stringMatching(/opted out/),
    });
    expect(report.signals).toMatchObject({ tripped: "opt-outs", optOuts: 3 });
    expect(report.signals!.optOutRate).toBeGreaterThanOrEqual(0.02);
    // Stopped early: most of the list was never sent, and is deferred for a later run.
    expect(report.sent).toBeLessThan(200);
    expect(report.deferred + report.sent + report.refused).toBeGreaterThan(0);
    expect(w.fake.messaging.sent.length).toBe(report.sent);
    expect(report.complete).toBe(false);
  });

  it("stops on failed deliveries reported by status webhooks (131049, 131026)", async () => {
    const w = campaignWorld({}, undefined, true);
    const recipients = Array.from({ length: 300 }, (_, i) => number(i));
    for (const r of recipients) await w.optIn(r);
    // Every fifth send is accepted, then fails in a status webhook.
    w.fake.failNext(40, 131049, {
      async: true,
      match: (req) => Number(/"to":"\+?(\d+)"/.exec(String(req.body))?.[1]?.slice(-2)) % 5 === 0,
    });
    async function* source() {
      for (let i = 0; i < recipients.length; i++) {
        if (i % 20 === 0) await w.fake.webhooks.deliver(w.wa);
        yield recipients[i]!;
      }
    }
    const run = w.wa.campaigns.run({
      id: "stale",
      template: w.template,
      recipients: source(),
      concurrency: 4,
    });
    const report = await run.report();
    expect(report.stopped?.code).toBe("early-warning");
    expect(report.signals).toMatchObject({ tripped: "failures", failedBy: { 131049: expect.any(Number) } });
    expect(report.sent).toBeLessThan(300);
  });

  it("a healthy campaign runs to the end and still reports its signals", async () => {
    const w = campaignWorld({}, undefined, true);
    const recipients = Array.from({ length: 120 }, (_, i) => number(i));
    for (const r of recipients) await w.optIn(r);
    const run = w.wa.campaigns.run({ id: "fine", template: w.template, recipients });
    const report = await run.report();
    // One STOP among 120: under the threshold (3 opt-outs and 2%).
    w.fake.messaging.receiveMessage(recipients[0]!, { text: "STOP" });
    await w.fake.webhooks.deliver(w.wa);
    expect(report).toMatchObject({ sent: 120, complete: true, signals: { sent: 120, optOuts: 0 } });
    expect(report.stopped).toBeUndefined();
  });

  it("earlyWarning: false turns it off; thresholds are validated", async () => {
    const w = campaignWorld({}, undefined, true);
    const recipients = Array.from({ length: 60 }, (_, i) => number(i));
    for (const r of recipients) await w.optIn(r);
    const run = w.wa.campaigns.run({ id: "off", template: w.template, recipients, earlyWarning: false });
    let sent = 0;
    for await (const r of run) {
      if (r.status === "sent" && ++sent % 2 === 0) {
        w.fake.messaging.receiveMessage(r.to, { text: "STOP" });
        await w.fake.webhooks.deliver(w.wa);
      }
    }
    const report = await run.report();
    expect(report).toMatchObject({ sent: 60, complete: true });
    expect(report.signals).toBeUndefined();
    expect(() =>
      w.wa.campaigns.run({ id: "x", template: w.template, recipients, earlyWarning: { maxOptOutRate: 2 } }),
    ).toThrow(ValidationError);
    expect(() =>
      w.wa.campaigns.run({ id: "x", template: w.template, recipients, earlyWarning: { windw: 10 } as never }),
    ).toThrow(/unknown option/);
  });
});
