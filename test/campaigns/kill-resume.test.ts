import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join, resolve } from "node:path";
import { Redis } from "ioredis";
import { afterAll, expect, it } from "vitest";
import { type CampaignResult, systemClock, WhatsAppClient } from "../../src/index.js";
import { redisStores } from "../../src/redis/index.js";
import { FakeCloudApi, startFakeServer } from "../../src/testing/index.js";
import { REDIS_URL, whenRedis } from "../contracts/services.js";
import { number } from "./world.js";

// A campaign process killed with SIGKILL mid-run, then resumed under the same id by another
// client: the fake (which outlives both) proves nobody got two messages. Needs Redis.
const ROOT = resolve(import.meta.dirname, "../..");
const suite = await whenRedis("the campaign kill-and-resume test");
const redis = new Redis(REDIS_URL);
const prefix = `wa-guard-campaign:${randomUUID()}`;

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

suite("a campaign killed mid-run and resumed", () => {
  it("sends to nobody twice, reports the sends in flight at the kill as unknown, and settles them by hand", async () => {
    const N = 1_500;
    // Real time on both sides: the fake outlives the killed process.
    const fake = new FakeCloudApi({ clock: systemClock, throughputPerSecond: 1_000, webhooks: false });
    fake.templates.add({
      name: "spring_sale",
      language: "en_US",
      category: "MARKETING",
      components: [
        { type: "FOOTER", text: "Reply STOP to opt out" },
        { type: "BODY", text: "Hi {{1}}, 20% off" },
      ],
    });
    fake.setLatency(15); // so sends are in flight when the process dies
    const server = await startFakeServer(fake);
    const stores = redisStores(redis, { phoneNumberId: fake.phoneNumberId, prefix, timeoutMs: 2_000 });
    const wa = new WhatsAppClient({
      accessToken: fake.accessToken,
      phoneNumberId: fake.phoneNumberId,
      wabaId: fake.wabaId,
      baseUrl: server.url,
      maxRetries: 0,
      stores,
      // The frequency guard would also refuse a second identical promotion: off, so that the
      // checkpoint alone has to prevent it.
      policy: {
        messagingLimit: { tier: "unlimited" },
        throughput: { perSecond: 400 },
        disable: ["frequency"],
      },
    });
    try {
      const recipients = Array.from({ length: N }, (_, i) => number(i));
      for (const to of recipients) await wa.consent.grant(to, { scope: "marketing", source: "signup" });

      const child = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          join(ROOT, "test/campaigns/campaign-worker.ts"),
          server.url,
          prefix,
          "kill-me",
          String(N),
          fake.phoneNumberId,
          fake.wabaId,
        ],
        { cwd: ROOT, env: { ...process.env, REDIS_URL }, stdio: ["ignore", "pipe", "inherit"] },
      );
      let output = "";
      child.stdout.on("data", (d: Buffer) => {
        output += d.toString();
      });
      const exited = new Promise<NodeJS.Signals | null>((done) =>
        child.on("exit", (_, signal) => done(signal)),
      );
      // Kill it once a third of the campaign reached the fake.
      const deadline = Date.now() + 60_000;
      while (fake.messaging.sent.length < N / 3 && Date.now() < deadline && child.exitCode === null)
        await new Promise((r) => setTimeout(r, 5));
      child.kill("SIGKILL");
      expect(await exited).toBe("SIGKILL");
      expect(output).not.toContain("done");
      await new Promise((r) => setTimeout(r, 100)); // requests already on the wire land
      const before = new Set(fake.messaging.sent.map((m) => m.waId));
      expect(before.size).toBeGreaterThan(0);
      expect(before.size).toBeLessThan(N);

      const results: CampaignResult[] = [];
      const run = wa.campaigns.run({
        id: "kill-me",
        template: { name: "spring_sale", language: "en_US", body: ["friend"] },
        recipients,
      });
      for await (const r of run) results.push(r);
      const report = await run.report();

      // Exactly one result per recipient, and nobody got two messages.
      expect(results.map((r) => r.index).sort((a, b) => a - b)).toEqual(recipients.map((_, i) => i));
      const per = new Map<string, number>();
      for (const m of fake.messaging.sent) per.set(m.waId, (per.get(m.waId) ?? 0) + 1);
      expect(Math.max(...per.values())).toBe(1);
      // The resume sent only to people the killed run had not reached.
      for (const r of results) if (r.status === "sent") expect(before.has(r.to.slice(1))).toBe(false);
      // The sends the kill left without an answer: reported, not sent again.
      const unknown = results.filter((r) => r.status === "unknown");
      expect(unknown.length).toBeGreaterThan(0);
      expect(unknown.every((r) => r.status === "unknown" && r.earlierRun)).toBe(true);
      expect(report.skippedBy["already-sent"]).toBeGreaterThan(0);
      expect(report.sent + report.skipped + report.unknown).toBe(N);
      expect(report.failed + report.refused).toBe(0);
      // Everyone not left unknown has the message now.
      for (const r of results) if (r.status !== "unknown") expect(per.get(r.to.slice(1))).toBe(1);

      // The operator lists the unknown sends, checks each (here: the fake's record of what Meta
      // accepted) and settles it; a third run sends to those that never got it, and to no one else.
      const listed = await wa.campaigns.unknown("kill-me");
      expect(listed.map((u) => u.to).sort()).toEqual(unknown.map((r) => r.to).sort());
      let reached = 0;
      for (const u of listed) {
        const got = per.has(u.to.slice(1));
        if (got) reached++;
        await wa.campaigns.settle("kill-me", u.to, got ? "sent" : "not_sent");
      }
      expect(await wa.campaigns.unknown("kill-me")).toEqual([]);
      const third = await wa.campaigns
        .run({
          id: "kill-me",
          template: { name: "spring_sale", language: "en_US", body: ["friend"] },
          recipients,
        })
        .report();
      expect(third).toMatchObject({ sent: listed.length - reached, unknown: 0, failed: 0, refused: 0 });
      expect(third.skippedBy["already-sent"]).toBe(N - (listed.length - reached));
      const after = new Map<string, number>();
      for (const m of fake.messaging.sent) after.set(m.waId, (after.get(m.waId) ?? 0) + 1);
      expect(after.size).toBe(N);
      expect(Math.max(...after.values())).toBe(1);
      console.log(
        `kill-resume: ${listed.length} unknown after the kill (${reached} had reached Meta), settled; third run sent ${third.sent}`,
      );
    } finally {
      await server.close();
    }
  }, 120_000);
});
