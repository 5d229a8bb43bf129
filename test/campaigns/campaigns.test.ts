import { describe, expect, it } from "vitest";
import {
  type CampaignProgress,
  type CampaignResult,
  ConfigError,
  isValidationError,
  MemoryCampaignCheckpointStore,
  TemplateNotSendableError,
  ValidationError,
} from "../../src/index.js";
import { FakeClock } from "../../src/testing/index.js";
import { busiestWindow } from "../helpers.js";
import { campaignWorld, number } from "./world.js";

/** A mixed audience: 6 eligible, and one of each kind of refusal, plus a bad row and a duplicate. */
async function mixedAudience(w: ReturnType<typeof campaignWorld>) {
  const eligible = [1, 2, 3, 4, 5, 6].map(number);
  for (const to of eligible) await w.optIn(to);
  const optedOut = number(7);
  await w.optIn(optedOut);
  await w.wa.consent.revoke(optedOut, { source: "STOP keyword" });
  const blocked = number(8);
  await w.optIn(blocked);
  await w.wa.policy.pipeline!.stores.blockMirror.add([blocked.slice(1)]);
  const noConsent = number(9);
  const recipients = [
    ...eligible,
    optedOut,
    blocked,
    noConsent,
    "+999 555 0100", // no country uses calling code 999
    "not a number",
    eligible[0]!,
  ];
  return { eligible, recipients };
}

describe("wa.campaigns.plan", () => {
  it("counts what a run would do, by reason, and sends nothing", async () => {
    const w = campaignWorld();
    const { recipients } = await mixedAudience(w);
    const plan = await w.wa.campaigns.plan({ template: w.template, recipients });
    expect(plan).toMatchObject({
      total: 12,
      send: 6,
      refused: 4,
      refusedBy: { "opted-out": 1, blocked: 1, "no-consent": 1, "invalid-recipient": 1 },
      invalid: 1,
      duplicates: 1,
      deferred: 0,
      perSecond: 80,
    });
    expect(plan.estimatedMs).toBe(Math.ceil((6 / 80) * 1000));
    expect(w.seen.sends).toBe(0);
  });

  it("defers the users over the messaging limit's budget", async () => {
    const w = campaignWorld({ policy: { messagingLimit: { tier: 250 } } });
    const recipients = Array.from({ length: 300 }, (_, i) => number(i));
    for (const to of recipients) await w.optIn(to);
    // Ten users wrote in: a template inside their open window does not count toward the limit.
    for (const to of recipients.slice(0, 10)) await w.wa.sessions.recordInbound(to);
    const plan = await w.wa.campaigns.plan({ template: w.template, recipients });
    expect(plan.messagingLimit).toEqual({ tier: 250, reached: 0, newlyReached: 250 });
    expect(plan.send).toBe(260);
    expect(plan.deferredBy).toEqual({ "messaging-limit": 40 });
  });

  it("refuses a template that is not approved before reading any recipient", async () => {
    const w = campaignWorld();
    w.fake.templates.setStatus("spring_sale", "PAUSED");
    let read = 0;
    async function* source() {
      read++;
      yield number(1);
    }
    await expect(w.wa.campaigns.plan({ template: w.template, recipients: source() })).rejects.toBeInstanceOf(
      TemplateNotSendableError,
    );
    await expect(
      w.wa.campaigns.run({ id: "c1", template: w.template, recipients: source() }).report(),
    ).rejects.toBeInstanceOf(TemplateNotSendableError);
    expect(read).toBe(0);
  });
});

describe("wa.campaigns.run", () => {
  it("gives exactly one result per recipient, sends only to the eligible, and Meta refuses nothing", async () => {
    const w = campaignWorld();
    const { eligible, recipients } = await mixedAudience(w);
    const results: CampaignResult[] = [];
    const run = w.wa.campaigns.run({ id: "spring", template: w.template, recipients });
    for await (const r of run) results.push(r);
    const report = await run.report();
    expect(results.map((r) => r.index).sort((a, b) => a - b)).toEqual(recipients.map((_, i) => i));
    const byIndex = new Map(results.map((r) => [r.index, r]));
    expect(recipients.map((_, i) => byIndex.get(i)!.status)).toEqual([
      ...eligible.map(() => "sent"),
      "refused",
      "refused",
      "refused",
      "refused",
      "invalid",
      "skipped",
    ]);
    expect(byIndex.get(11)).toMatchObject({ status: "skipped", reason: "duplicate" });
    expect(report).toMatchObject({
      complete: true,
      read: 12,
      done: 12,
      sent: 6,
      refused: 4,
      refusedBy: { "opted-out": 1, blocked: 1, "no-consent": 1, "invalid-recipient": 1 },
      invalid: 1,
      skipped: 1,
    });
    expect(w.seen.errors).toEqual([]);
    expect([...w.sentPerUser().values()]).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it("sends each recipient their own parameters", async () => {
    const w = campaignWorld();
    for (const n of [1, 2, 3]) await w.optIn(number(n));
    const names = new Map([
      [number(1), "Ana"],
      [number(2), "Bo"],
    ]);
    const report = await w.wa.campaigns
      .run({
        id: "named",
        template: w.template,
        recipients: [number(1), number(2), { to: number(3), params: { body: ["Cy"] } }],
        params: (to) => ({ body: [names.get(to) ?? "friend"] }),
      })
      .report();
    expect(report.sent).toBe(3);
    const texts = w.fake.messaging.sent.map(
      (m) =>
        (m.payload as { template: { components: Array<{ parameters: Array<{ text: string }> }> } }).template
          .components[0]!.parameters[0]!.text,
    );
    expect(texts.sort()).toEqual(["Ana", "Bo", "Cy"]);
  });

  it("resumes after an abort: nobody gets two messages, and the rest are sent", async () => {
    const w = campaignWorld();
    const recipients = Array.from({ length: 200 }, (_, i) => number(i));
    for (const to of recipients) await w.optIn(to);
    const controller = new AbortController();
    const first = w.wa.campaigns.run({
      id: "resume",
      template: w.template,
      recipients,
      signal: controller.signal,
    });
    let seen = 0;
    for await (const r of first) {
      if (r.status === "sent" && ++seen === 50) controller.abort(new Error("deploy"));
    }
    const one = await first.report();
    expect(one.complete).toBe(false);
    expect(one.stopped?.reason).toMatch(/aborted: .*deploy/);
    expect(one.sent).toBeGreaterThanOrEqual(50);
    expect(one.sent).toBeLessThan(200);
    expect(one.done).toBe(one.read); // every recipient read has a result
    const two = await w.wa.campaigns.run({ id: "resume", template: w.template, recipients }).report();
    expect(two.complete).toBe(true);
    expect(two.skippedBy).toEqual({ "already-sent": one.sent });
    expect(two.sent).toBe(200 - one.sent);
    const per = w.sentPerUser();
    expect(per.size).toBe(200);
    expect(Math.max(...per.values())).toBe(1);
    expect(w.seen.errors).toEqual([]);
  });

  it("reports a send whose outcome is unknown, and never sends it again", async () => {
    const w = campaignWorld();
    const recipients = [1, 2, 3].map(number);
    for (const to of recipients) await w.optIn(to);
    w.fake.dropNext(1, "after_request", { match: (r) => String(r.body).includes(recipients[1]!.slice(1)) });
    const one = await w.wa.campaigns.run({ id: "unknown", template: w.template, recipients }).report();
    expect(one).toMatchObject({ sent: 2, unknown: 1 });
    const results: CampaignResult[] = [];
    for await (const r of w.wa.campaigns.run({ id: "unknown", template: w.template, recipients }))
      results.push(r);
    expect(results.find((r) => r.index === 1)).toMatchObject({ status: "unknown", earlierRun: true });
    expect(results.filter((r) => r.status === "skipped")).toHaveLength(2);
    // The fake processed the dropped request: the user got it once, and only once.
    expect(w.sentPerUser().get(recipients[1]!.slice(1))).toBe(1);
    expect(w.seen.sends).toBe(3);
  });

  it("stays within the messaging limit and reports the rest as deferred", async () => {
    const w = campaignWorld({ policy: { messagingLimit: { tier: 250 } } });
    const recipients = Array.from({ length: 300 }, (_, i) => number(i));
    for (const to of recipients) await w.optIn(to);
    const report = await w.wa.campaigns.run({ id: "tier", template: w.template, recipients }).report();
    expect(report).toMatchObject({
      sent: 250,
      deferred: 50,
      deferredBy: { "messaging-limit": 50 },
      complete: true,
    });
    expect(w.seen.errors).toEqual([]);
  });

  it("pauses through a 130429 storm and says so in the report", async () => {
    const w = campaignWorld();
    const recipients = Array.from({ length: 40 }, (_, i) => number(i));
    for (const to of recipients) await w.optIn(to);
    w.fake.failNext(3, { code: 130429 }, { match: (r) => r.url.endsWith("/messages") });
    const states: string[] = [];
    const run = w.wa.campaigns.run({ id: "storm", template: w.template, recipients, concurrency: 1 });
    run.on("progress", (p) => states.push(p.state));
    const report = await run.report();
    expect(report.failedBy).toEqual({ 130429: 3 });
    expect(report.sent).toBe(37);
    expect(report.pauses).toHaveLength(1);
    expect(report.pauses[0]!.reason).toMatch(/130429 storm/);
    expect(report.pauses[0]!.until - report.pauses[0]!.from).toBe(30_000);
    expect(states).toContain("paused");
    expect(states.at(-1)).toBe("finished");
  });

  it("stops on a long restriction (131048) and defers the rest to a later run", async () => {
    const w = campaignWorld();
    const recipients = Array.from({ length: 20 }, (_, i) => number(i));
    for (const to of recipients) await w.optIn(to);
    w.fake.failNext(1, { code: 131048 }, { match: (r) => r.url.endsWith("/messages") });
    const report = await w.wa.campaigns
      .run({ id: "spam", template: w.template, recipients, concurrency: 1 })
      .report();
    expect(report.failedBy).toEqual({ 131048: 1 });
    expect(report.complete).toBe(false);
    expect(report.stopped?.reason).toMatch(/restricted/);
    // The recipient refused by the restriction, and the few already read behind it.
    expect(report.deferredBy["account-restricted"]).toBe(1);
    expect(report.deferred).toBe(report.read - 1);
    expect(report.done).toBe(report.read);
    expect(report.sent).toBe(0);
    // An hour later the restriction has lifted: the same id sends to everyone not yet sent.
    w.clock.advance(60 * 60 * 1000 + 1);
    const again = await w.wa.campaigns.run({ id: "spam", template: w.template, recipients }).report();
    expect(again.sent).toBe(20);
    expect(Math.max(...w.sentPerUser().values())).toBe(1);
  });

  it("reads an async source lazily, a bounded step ahead of sending", async () => {
    const w = campaignWorld();
    for (let i = 0; i < 500; i++) await w.optIn(number(i));
    let read = 0;
    let maxAhead = 0;
    let sent = 0;
    async function* source() {
      for (let i = 0; i < 500; i++) {
        read++;
        maxAhead = Math.max(maxAhead, read - sent);
        yield number(i);
      }
    }
    const run = w.wa.campaigns.run({
      id: "lazy",
      template: w.template,
      recipients: source(),
      concurrency: 8,
    });
    for await (const r of run) if (r.status === "sent") sent++;
    expect(sent).toBe(500);
    expect(maxAhead).toBeLessThanOrEqual(2 * 8 + 1);
  });

  it("emits progress at a bounded rate, with pace and ETA", async () => {
    const w = campaignWorld();
    const recipients = Array.from({ length: 400 }, (_, i) => number(i));
    for (const to of recipients) await w.optIn(to);
    const progress: CampaignProgress[] = [];
    const run = w.wa.campaigns.run({
      id: "progress",
      template: w.template,
      recipients,
      progressIntervalMs: 1000,
    });
    run.on("progress", (p) => progress.push(p));
    const report = await run.report();
    // 400 sends at 80/s take five seconds of (fake) time: about one event a second, and the last.
    const elapsed = report.finishedAt - report.startedAt;
    expect(elapsed).toBeGreaterThanOrEqual(4000);
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(elapsed / 1000) + 1);
    expect(progress.length).toBeGreaterThanOrEqual(3);
    const middle = progress.find((p) => p.state === "running")!;
    expect(middle.total).toBe(400);
    expect(middle.perSecond).toBeGreaterThan(0);
    // Sends at both ends of an interval of exactly one second count: at most 80 + 1.
    expect(middle.perSecond).toBeLessThanOrEqual(81);
    expect(middle.etaMs).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ state: "finished", sent: 400 });
  });

  it("refuses malformed options with a typed error, at once", () => {
    const w = campaignWorld();
    const bad = [
      { id: "", template: w.template, recipients: [] },
      { id: "x y", template: w.template, recipients: [] },
      { id: "ok", template: w.template, recipients: 42 },
      { id: "ok", template: { ...w.template, name: "Bad Name" }, recipients: [] },
      { id: "ok", template: w.template, recipients: [], concurrency: 0 },
      { id: "ok", template: w.template, recipients: [], params: "x" },
    ];
    for (const options of bad) {
      let thrown: unknown;
      try {
        w.wa.campaigns.run(options as never);
      } catch (error) {
        thrown = error;
      }
      expect(isValidationError(thrown), JSON.stringify(options)).toBe(true);
    }
  });

  it("needs the policy on", () => {
    const w = campaignWorld({ policy: false });
    expect(() => w.wa.campaigns.run({ id: "x", template: w.template, recipients: [] })).toThrow(/policy on/);
  });
});

describe("wa.campaigns.run: edges", () => {
  it("remembers every campaign: a re-run after 150 others still skips those it sent", async () => {
    const w = campaignWorld({ policy: { messagingLimit: { tier: "unlimited" }, disable: ["frequency"] } });
    await w.optIn(number(1));
    expect(
      (await w.wa.campaigns.run({ id: "first", template: w.template, recipients: [number(1)] }).report())
        .sent,
    ).toBe(1);
    for (let i = 0; i < 150; i++)
      await w.wa.campaigns.run({ id: `other-${i}`, template: w.template, recipients: [number(2)] }).report();
    const again = await w.wa.campaigns
      .run({ id: "first", template: w.template, recipients: [number(1)] })
      .report();
    expect(again.skippedBy).toEqual({ "already-sent": 1 });
    expect(w.sentPerUser().get(number(1).slice(1))).toBe(1);
  });

  it("leaving the loop while the run is paused stops at once, without waiting for the pause", async () => {
    const w = campaignWorld({}, new FakeClock({ autoAdvance: false }));
    for (let i = 0; i < 5; i++) await w.optIn(number(i));
    await w.wa.account.restrict({
      scope: "throughput",
      source: "graph:130429 storm",
      since: w.clock.now(),
      until: w.clock.now() + 30_000,
    });
    const run = w.wa.campaigns.run({
      id: "paused",
      template: w.template,
      recipients: ["not a number", ...Array.from({ length: 5 }, (_, i) => number(i))],
    });
    for await (const r of run) {
      expect(r.status).toBe("invalid");
      break; // the five others are waiting for the 30 s pause (a clock nobody advances)
    }
    const report = await run.report();
    expect(report).toMatchObject({ read: report.done, complete: false, sent: 0 });
    expect(report.stopped?.reason).toMatch(/iterator was closed/);
    expect(w.seen.sends).toBe(0);
  });

  it("awaiting report() inside the loop does not deadlock", async () => {
    const w = campaignWorld({ policy: { messagingLimit: { tier: "unlimited" }, disable: ["consent"] } });
    const recipients = Array.from({ length: 1_200 }, (_, i) => number(i));
    const run = w.wa.campaigns.run({ id: "inside", template: w.template, recipients });
    let seen = 0;
    for await (const _ of run) {
      if (++seen === 1) expect((await run.report()).sent).toBe(1_200);
    }
    expect(seen).toBe(1_200);
  });

  it("serves next() calls made at once, each with its own result", async () => {
    const w = campaignWorld();
    for (const n of [1, 2]) await w.optIn(number(n));
    const it = w.wa.campaigns
      .run({ id: "two", template: w.template, recipients: [number(1), number(2)] })
      [Symbol.asyncIterator]();
    const [a, b] = await Promise.all([it.next(), it.next()]);
    expect([a.value?.index, b.value?.index].sort()).toEqual([0, 1]);
    expect((await it.next()).done).toBe(true);
  });

  it("a source that throws: what was read finishes, the report keeps the counts, the loop gets the error last", async () => {
    const w = campaignWorld();
    for (let i = 0; i < 30; i++) await w.optIn(number(i));
    const lost = new Error("cursor lost");
    async function* source() {
      for (let i = 0; i < 30; i++) yield number(i);
      throw lost;
    }
    const run = w.wa.campaigns.run({ id: "cursor", template: w.template, recipients: source() });
    const results: CampaignResult[] = [];
    await expect(
      (async () => {
        for await (const r of run) results.push(r);
      })(),
    ).rejects.toBe(lost);
    const report = await run.report();
    expect(results).toHaveLength(30);
    // It stops the run like an abort: sends under way finish, the rest read are deferred.
    expect(report).toMatchObject({ read: 30, done: 30, complete: false });
    expect(report.sent).toBeGreaterThan(0);
    expect(report.sent + (report.deferredBy["stopped"] ?? 0)).toBe(30);
    expect(report.sent).toBe(w.fake.messaging.sent.length);
    expect(report.stopped?.error).toBe(lost);
  });

  it("unusable items and a params() that throws are `invalid` in both plan and run", async () => {
    const w = campaignWorld();
    for (const n of [1, 2, 3]) await w.optIn(number(n));
    const recipients = [number(1), { to: Object.create(null) }, number(2), number(3)] as never[];
    const params = (to: string) => {
      if (to === number(3)) throw new Error("CRM lookup failed");
      return { body: ["friend"] };
    };
    const plan = await w.wa.campaigns.plan({ template: w.template, recipients, params });
    expect(plan).toMatchObject({ send: 2, invalid: 2 });
    const results: CampaignResult[] = [];
    for await (const r of w.wa.campaigns.run({ id: "bad", template: w.template, recipients, params }))
      results.push(r);
    const invalid = results.filter((r) => r.status === "invalid");
    expect(invalid.map((r) => r.index).sort()).toEqual([1, 3]);
    expect(invalid.find((r) => r.index === 3)).toMatchObject({
      error: { message: /params\(\) threw.*CRM lookup failed/ },
    });
  });

  it("a repeat of someone refused earlier in the run is a duplicate, as plan() counts it", async () => {
    const w = campaignWorld();
    const recipients = [number(1), number(2), number(1)]; // number(1) never opted in
    await w.optIn(number(2));
    const plan = await w.wa.campaigns.plan({ template: w.template, recipients });
    expect(plan).toMatchObject({ send: 1, refused: 1, duplicates: 1 });
    const report = await w.wa.campaigns
      .run({ id: "dup", template: w.template, recipients, concurrency: 1 })
      .report();
    expect(report).toMatchObject({ sent: 1, refused: 1, skippedBy: { duplicate: 1 } });
    // A later run tries the refused person again (consent may have been given since).
    await w.optIn(number(1));
    expect((await w.wa.campaigns.run({ id: "dup", template: w.template, recipients }).report()).sent).toBe(1);
  });

  it("plan() counts a short restriction as a pause, as run() would", async () => {
    const w = campaignWorld();
    for (const n of [1, 2]) await w.optIn(number(n));
    await w.wa.account.restrict({
      scope: "throughput",
      source: "graph:130429 storm",
      since: w.clock.now(),
      until: w.clock.now() + 30_000,
    });
    const plan = await w.wa.campaigns.plan({ template: w.template, recipients: [number(1), number(2)] });
    expect(plan).toMatchObject({ send: 2, deferred: 0, pauseMs: 30_000 });
    const report = await w.wa.campaigns
      .run({ id: "p", template: w.template, recipients: [number(1), number(2)] })
      .report();
    expect(report).toMatchObject({ sent: 2, complete: true });
    expect(report.pauses).toHaveLength(1);
  });
});

describe("wa.campaigns.run: quality", () => {
  it("YELLOW quality paces a marketing campaign at a quarter of the throughput, and the report says so", async () => {
    const w = campaignWorld();
    const recipients = Array.from({ length: 100 }, (_, i) => number(i));
    for (const to of recipients) await w.optIn(to);
    await w.wa.account.restrict({ scope: "marketing_slow", source: "quality:YELLOW" });
    const plan = await w.wa.campaigns.plan({ template: w.template, recipients });
    expect(plan.perSecond).toBe(20);
    const report = await w.wa.campaigns.run({ id: "yellow", template: w.template, recipients }).report();
    expect(report.sent).toBe(100);
    expect(report.slowdowns).toEqual([
      { reason: expect.stringMatching(/quality:YELLOW/), at: expect.any(Number) },
    ]);
    const worst = busiestWindow(w.fake.messaging.sent.map((m) => m.at));
    expect(worst).toBeLessThanOrEqual(20);
  });

  it("RED quality stops a marketing campaign and defers the rest", async () => {
    const w = campaignWorld();
    const recipients = Array.from({ length: 10 }, (_, i) => number(i));
    for (const to of recipients) await w.optIn(to);
    await w.wa.account.restrict({
      scope: "marketing",
      source: "quality:RED",
      until: w.clock.now() + 3_600_000,
    });
    const report = await w.wa.campaigns.run({ id: "red", template: w.template, recipients }).report();
    expect(report).toMatchObject({ sent: 0, complete: false });
    expect(report.stopped?.reason).toMatch(/quality:RED/);
    expect(report.deferred).toBe(report.read);
    expect(w.seen.sends).toBe(0);
  });
});

describe("wa.campaigns: status webhooks settle unknown sends", () => {
  it("status webhooks settle the checkpoint: an unknown send delivered is done; a failed one is tried again", async () => {
    const { fake, wa } = campaignWorld(
      { policy: { messagingLimit: { tier: "unlimited" }, disable: ["frequency"] } },
      undefined,
      true, // the fake queues signed status webhooks
    );
    const [ana, ben, cy] = [number(1), number(2), number(3)];
    for (const to of [ana, ben, cy]) await wa.consent.grant(to, { scope: "marketing", source: "form" });
    const template = { name: "spring_sale", language: "en_US", body: ["friend"] };
    // Ana's and Ben's connections break after Meta got the requests; Ben's then fails to deliver.
    for (const who of [ana, ben])
      fake.dropNext(1, "after_request", { match: (r) => String(r.body).includes(who.slice(1)) });
    const one = await wa.campaigns.run({ id: "settle", template, recipients: [ana, ben, cy] }).report();
    expect(one).toMatchObject({ sent: 1, unknown: 2 });
    for (const p of fake.webhooks.pending) {
      const statuses = (
        p as { entry: Array<{ changes: Array<{ value: { statuses?: Array<Record<string, unknown>> } }> }> }
      ).entry[0]!.changes[0]!.value.statuses;
      for (const s of statuses ?? []) {
        // Ben's (outcome unknown) fails outright; Cy's (sent) is "sent", then fails to deliver.
        const fails =
          s["recipient_id"] === ben.slice(1) ||
          (s["recipient_id"] === cy.slice(1) && s["status"] === "delivered");
        if (fails) {
          s["status"] = "failed";
          s["errors"] = [{ code: 131026, title: "Message undeliverable" }];
        }
      }
    }
    for (const d of await fake.webhooks.deliver(wa)) expect(d.status).toBe(200);
    const results: CampaignResult[] = [];
    for await (const r of wa.campaigns.run({ id: "settle", template, recipients: [ana, ben, cy] }))
      results.push(r);
    const byTo = new Map(results.map((r) => [r.to, r]));
    expect(byTo.get(ana)).toMatchObject({ status: "skipped", reason: "already-sent" });
    // Ben's and Cy's messages never arrived: the re-run sends them.
    expect(byTo.get(ben)).toMatchObject({ status: "sent" });
    expect(byTo.get(cy)).toMatchObject({ status: "sent" });
  });
});

describe("wa.campaigns: listing and settling unknown sends by hand", () => {
  it("unknown() lists them; settled sent is never sent again, settled not sent is sent on the next run", async () => {
    const w = campaignWorld();
    const recipients = [1, 2, 3, 4].map(number);
    for (const to of recipients) await w.optIn(to);
    // #1's request reached Meta but the answer was lost; #2 was claimed by a run that died
    // before sending (as a crash leaves it).
    w.fake.dropNext(1, "after_request", { match: (r) => String(r.body).includes(recipients[1]!.slice(1)) });
    const checkpoints = w.wa.policy.pipeline!.stores.campaigns;
    await checkpoints.claim("hand", recipients[2]!.slice(1), {
      state: "pending",
      correlationId: "wagc/hand/x/1",
      run: "crashed-run",
      at: w.clock.now(),
    });
    const one = await w.wa.campaigns.run({ id: "hand", template: w.template, recipients }).report();
    expect(one).toMatchObject({ sent: 2, unknown: 2 });

    const unknown = await w.wa.campaigns.unknown("hand");
    expect(unknown.map((u) => u.to).sort()).toEqual([recipients[1], recipients[2]].sort());
    expect(unknown.find((u) => u.to === recipients[2])).toMatchObject({
      correlationId: "wagc/hand/x/1",
      run: "crashed-run",
    });
    expect(await w.wa.campaigns.unknown("another")).toEqual([]);

    // Checked: #1 has the message (the fake accepted it), #2 does not.
    expect(w.sentPerUser().get(recipients[1]!.slice(1))).toBe(1);
    expect(w.sentPerUser().get(recipients[2]!.slice(1))).toBeUndefined();
    await w.wa.campaigns.settle("hand", recipients[1]!, "sent");
    await w.wa.campaigns.settle("hand", recipients[2]!, "not_sent");
    // Settling again the same way does nothing; un-sending a sent recipient is refused.
    await w.wa.campaigns.settle("hand", recipients[1]!, "sent");
    await expect(w.wa.campaigns.settle("hand", recipients[1]!, "not_sent")).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(w.wa.campaigns.settle("hand", recipients[0]!, "not_sent")).rejects.toThrow(
      /recorded as sent/,
    );
    await expect(w.wa.campaigns.settle("hand", number(99), "sent")).rejects.toThrow(/nothing is recorded/);
    await expect(
      w.wa.campaigns.settle("hand", recipients[2]!, "maybe" as unknown as "sent"),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await w.wa.campaigns.unknown("hand")).toEqual([]);

    const results: CampaignResult[] = [];
    for await (const r of w.wa.campaigns.run({ id: "hand", template: w.template, recipients }))
      results.push(r);
    const byIndex = new Map(results.map((r) => [r.index, r]));
    expect(byIndex.get(1)).toMatchObject({ status: "skipped", reason: "already-sent" });
    expect(byIndex.get(2)).toMatchObject({ status: "sent" });
    const per = w.sentPerUser();
    for (const to of recipients) expect(per.get(to.slice(1)), to).toBe(1);
    expect(await w.wa.campaigns.unknown("hand")).toEqual([]);
  });

  it("a checkpoint store of one's own without pending() gets a ConfigError naming what is missing", async () => {
    const store = new MemoryCampaignCheckpointStore();
    const w = campaignWorld({
      stores: {
        campaigns: {
          claim: (...a) => store.claim(...a),
          settle: (...a) => store.settle(...a),
          release: (...a) => store.release(...a),
          get: (...a) => store.get(...a),
        },
      },
    });
    await expect(w.wa.campaigns.unknown("x")).rejects.toBeInstanceOf(ConfigError);
    await expect(w.wa.campaigns.unknown("x")).rejects.toThrow(/pending\(campaign\)/);
  });
});
