/**
 * Campaigns under Meta's template pacing, driven end to end by the fake: held sends are reported
 * `held` (not sent) until Meta releases or fails them, and a paused template stops the run with a
 * typed reason; running the same id again after the template is unpaused finishes the campaign
 * without sending anyone a second message.
 */
import { describe, expect, it } from "vitest";
import { type CampaignResult, WhatsAppClient } from "../../src/index.js";
import { memoryStores } from "../../src/state/memory.js";
import { FakeClock, fakeTransport } from "../../src/testing/index.js";
import { campaignWorld, number } from "./world.js";

const NAME = "spring_sale";
const LANG = "en_US";

// The frequency guard remembers a send that Meta later failed (132015) as sent, and would refuse
// the same promotion to those users when the campaign is resumed: off, so these tests see what
// the checkpoint does.
const POLICY = { messagingLimit: { tier: "unlimited" as const }, disable: ["frequency" as const] };

async function pacedWorld(n: number, clock = new FakeClock()) {
  const stores = memoryStores();
  const w = campaignWorld({ stores, policy: POLICY }, clock, true);
  const recipients = Array.from({ length: n }, (_, i) => number(i));
  for (const to of recipients) await w.optIn(to);
  return { ...w, recipients, stores };
}

/** Per recipient digits: the messages the fake holds or sent, and how many of them did not fail. */
function delivered(w: Awaited<ReturnType<typeof pacedWorld>>) {
  const per = new Map<string, number>();
  for (const m of w.fake.messaging.sent) if (!m.failed) per.set(m.waId, (per.get(m.waId) ?? 0) + 1);
  return per;
}

describe("campaigns under template pacing", () => {
  it("reports held sends as held, then as sent once Meta releases them", async () => {
    const w = await pacedWorld(5);
    w.fake.paceTemplate(NAME, LANG);
    const run = w.wa.campaigns.run({
      id: "paced-release",
      template: w.template,
      recipients: w.recipients,
      waitForHeldMs: 3_600_000,
    });
    const updates: CampaignResult[] = [];
    run.on("update", (u) => {
      updates.push(u);
    });
    const results: CampaignResult[] = [];
    for await (const r of run) {
      results.push(r);
      if (results.length === 5) {
        // Meta's assessment was good: the held messages go out.
        w.fake.releasePacedTemplate(NAME, LANG);
        await w.fake.webhooks.deliver(w.wa);
      }
    }
    expect(results.map((r) => r.status)).toEqual(["held", "held", "held", "held", "held"]);
    const report = await run.report();
    expect(report).toMatchObject({ sent: 5, held: 0, failed: 0, complete: true });
    expect(report.stopped).toBeUndefined();
    expect(updates.map((u) => [u.index, u.status]).sort()).toEqual([0, 1, 2, 3, 4].map((i) => [i, "sent"]));
  });

  it("without a decision, the report says held (not sent), and progress counts them as held", async () => {
    const w = await pacedWorld(4);
    w.fake.paceTemplate(NAME, LANG);
    const run = w.wa.campaigns.run({ id: "paced-undecided", template: w.template, recipients: w.recipients });
    const progress: number[][] = [];
    run.on("progress", (p) => {
      progress.push([p.sent, p.held]);
    });
    const report = await run.report();
    expect(report).toMatchObject({ sent: 0, held: 4, done: 4, complete: true });
    expect(progress.at(-1)).toEqual([0, 4]);
  });

  it("a pause during the run: held sends fail with 132015, the run stops with template-paused, and a run after unpausing finishes without repeats", async () => {
    // Time moves only by hand: the run waits for its held messages while the fake delivers.
    const w = await pacedWorld(40, new FakeClock({ autoAdvance: false }));
    const run = w.wa.campaigns.run({
      id: "paced-pause",
      template: w.template,
      recipients: w.recipients,
      concurrency: 1,
      waitForHeldMs: 3_600_000,
    });
    const updates: CampaignResult[] = [];
    run.on("update", (u) => {
      updates.push(u);
    });
    const results: CampaignResult[] = [];
    for await (const r of run) {
      results.push(r);
      // Two go out normally, then Meta starts pacing the template…
      if (results.length === 2) w.fake.paceTemplate(NAME, LANG);
      // …holds three, and pauses it: the PAUSED update and the three 132015 failures follow.
      if (results.length === 5) {
        w.fake.pausePacedTemplate(NAME, LANG);
        await w.fake.webhooks.deliver(w.wa);
      }
    }
    const report = await run.report();
    expect(results.slice(0, 5).map((r) => r.status)).toEqual(["sent", "sent", "held", "held", "held"]);
    expect(report.stopped).toMatchObject({ code: "template-paused" });
    expect(report.complete).toBe(false);
    expect(report).toMatchObject({ sent: 2, held: 0, failed: 3, failedBy: { 132015: 3 } });
    expect(updates.map((u) => [u.index, u.status])).toEqual([
      [2, "failed"],
      [3, "failed"],
      [4, "failed"],
    ]);
    // It stopped sending the template: Meta accepted nothing after the pause, and at most the
    // one send in flight while the webhooks were on their way got Meta's 132015.
    expect(w.fake.messaging.sent).toHaveLength(5);
    expect(w.seen.errors.length).toBeLessThanOrEqual(1);
    expect(w.seen.errors.every((code) => code === 132015)).toBe(true);

    // While the template is paused a new run refuses before sending anything.
    await expect(
      w.wa.campaigns.run({ id: "paced-pause", template: w.template, recipients: w.recipients }).report(),
    ).rejects.toMatchObject({ rule: "template" });

    // The user unpauses it and runs the same id again: the two sent are skipped, the three that
    // failed and everyone after them are sent, nobody gets a second message.
    w.fake.setTemplateStatus(NAME, LANG, "REINSTATED");
    await w.fake.webhooks.deliver(w.wa);
    const again = await w.wa.campaigns
      .run({ id: "paced-pause", template: w.template, recipients: w.recipients })
      .report();
    expect(again).toMatchObject({ skipped: 2, skippedBy: { "already-sent": 2 }, complete: true });
    expect(again.sent).toBe(38);
    const per = delivered(w);
    expect(per.size).toBe(40);
    expect([...per.values()].every((n) => n === 1)).toBe(true);
  });

  it("a 132015 failure alone (the PAUSED update not yet delivered) stops the run", async () => {
    const w = await pacedWorld(30);
    const run = w.wa.campaigns.run({
      id: "paced-132015",
      template: w.template,
      recipients: w.recipients,
      concurrency: 1,
    });
    const results: CampaignResult[] = [];
    for await (const r of run) {
      results.push(r);
      if (results.length === 1) w.fake.paceTemplate(NAME, LANG);
      if (results.length === 3) {
        w.fake.pausePacedTemplate(NAME, LANG);
        // Deliver the held messages' failures but drop the template update, as if it came late.
        const queued = w.fake.webhooks.pending;
        const update = queued.findIndex((p) => JSON.stringify(p).includes("message_template_status_update"));
        expect(update).toBeGreaterThanOrEqual(0);
        queued.splice(update, 1);
        await w.fake.webhooks.deliver(w.wa);
      }
    }
    const report = await run.report();
    expect(report.stopped).toMatchObject({ code: "template-paused" });
    expect(report.stopped?.reason).toMatch(/132015/);
    expect(report.failedBy).toEqual({ 132015: 2 });
    expect(w.fake.messaging.sent.length).toBeLessThanOrEqual(4);
  });

  it("another process handles the webhooks (shared stores): the run's next send gets Meta's 132015 and stops; resume by id", async () => {
    const clock = new FakeClock();
    const w = await pacedWorld(30, clock);
    // The webhook endpoint: another client on the same stores (another process, in production).
    const hooks = new WhatsAppClient({
      accessToken: w.fake.accessToken,
      phoneNumberId: w.fake.phoneNumberId,
      wabaId: w.fake.wabaId,
      clock,
      appSecret: w.fake.webhooks.appSecret,
      transport: fakeTransport(w.fake),
      policy: POLICY,
      stores: w.stores,
    });
    const run = w.wa.campaigns.run({
      id: "paced-remote",
      template: w.template,
      recipients: w.recipients,
      concurrency: 1,
    });
    const results: CampaignResult[] = [];
    for await (const r of run) {
      results.push(r);
      if (results.length === 1) w.fake.paceTemplate(NAME, LANG);
      if (results.length === 4) {
        w.fake.pausePacedTemplate(NAME, LANG);
        await w.fake.webhooks.deliver(hooks);
      }
    }
    const report = await run.report();
    expect(report.stopped).toMatchObject({ code: "template-paused" });
    // This process never heard the 132015s: what it reported held stays held in its report.
    expect(report).toMatchObject({ sent: 1, held: 3, deferredBy: { "template-paused": 1 } });
    expect(report.stopped?.reason).toMatch(/132015/);
    expect(w.fake.messaging.sent).toHaveLength(4);

    // The checkpoint knows better: the three that failed are sent again after the unpause.
    w.fake.setTemplateStatus(NAME, LANG, "REINSTATED");
    await w.fake.webhooks.deliver(hooks);
    const again = await w.wa.campaigns
      .run({ id: "paced-remote", template: w.template, recipients: w.recipients })
      .report();
    expect(again).toMatchObject({ skipped: 1, sent: 29, complete: true });
    const per = delivered(w);
    expect(per.size).toBe(30);
    expect([...per.values()].every((n) => n === 1)).toBe(true);
  });

  it("the template guard seeing the template paused (the list refreshed elsewhere) stops the run instead of refusing everyone", async () => {
    const w = await pacedWorld(20);
    const run = w.wa.campaigns.run({
      id: "guard-paused",
      template: w.template,
      recipients: w.recipients,
      concurrency: 1,
    });
    let n = 0;
    for await (const _ of run) {
      if (++n === 3)
        await w.wa.policy.pipeline!.templates.applyUpdate({ name: NAME, language: LANG, status: "PAUSED" });
    }
    const report = await run.report();
    expect(report.stopped).toMatchObject({ code: "template-paused" });
    expect(report.stopped?.reason).toMatch(/template guard/);
    expect(report.refused).toBe(0);
    expect(report.deferredBy["template-paused"]).toBe(1);
    expect(w.seen.errors).toEqual([]);
  });

  it("a DISABLED template update stops the run with template-disabled", async () => {
    const w = await pacedWorld(20);
    const run = w.wa.campaigns.run({
      id: "disabled",
      template: w.template,
      recipients: w.recipients,
      concurrency: 1,
    });
    let n = 0;
    for await (const _ of run) {
      if (++n === 3) {
        w.fake.setTemplateStatus(NAME, LANG, "DISABLED");
        await w.fake.webhooks.deliver(w.wa);
      }
    }
    const report = await run.report();
    expect(report.stopped).toMatchObject({ code: "template-disabled" });
    expect(report.sent).toBeLessThan(20);
  });

  it("a run you abort does not wait for its held messages", async () => {
    // Time moves only by hand: were the run to wait for Meta's decision, report() would never end.
    const w = await pacedWorld(10, new FakeClock({ autoAdvance: false }));
    w.fake.paceTemplate(NAME, LANG);
    const controller = new AbortController();
    const run = w.wa.campaigns.run({
      id: "paced-abort",
      template: w.template,
      recipients: w.recipients,
      concurrency: 1,
      signal: controller.signal,
      waitForHeldMs: 3_600_000,
    });
    let n = 0;
    for await (const _ of run) if (++n === 2) controller.abort(new Error("deploy"));
    const report = await run.report();
    expect(report.stopped).toMatchObject({ code: "aborted" });
    expect(report.held).toBeGreaterThanOrEqual(2);
  });
});
