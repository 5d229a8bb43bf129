import { expect, it } from "vitest";
import { FakeClock } from "../../src/testing/index.js";
import { busiestWindow } from "../helpers.js";
import { campaignWorld, number } from "./world.js";

// The campaign issue's acceptance run: 100,000 recipients of mixed eligibility, streamed from an
// async source, at the default 80 messages/second on a fake clock.
it("100,000 mixed recipients at 80 msg/s: one result each, no Meta error, never over 80 in a second", async () => {
  const N = 100_000;
  const w = campaignWorld({}, new FakeClock());
  const kind = (i: number) =>
    i % 1000 === 999
      ? "duplicate"
      : (["ok", "ok", "ok", "ok", "ok", "ok", "none", "out", "blocked", "bad"] as const)[i % 10]!;
  const to = (i: number) =>
    kind(i) === "bad" ? `+999 555 ${i}` : kind(i) === "duplicate" ? number(i - 505) : number(i);
  const blocked: string[] = [];
  for (let i = 0; i < N; i++) {
    const k = kind(i);
    if (k === "ok" || k === "out" || k === "blocked") await w.optIn(to(i));
    if (k === "out") await w.wa.consent.revoke(to(i), { source: "STOP keyword" });
    if (k === "blocked") {
      blocked.push(to(i).slice(1));
      w.fake.messaging.blocked.add(to(i).slice(1)); // Meta would refuse them (130403)
    }
  }
  await w.wa.policy.pipeline!.stores.blockMirror.add(blocked);

  let read = 0;
  let done = 0;
  let maxAhead = 0;
  async function* source() {
    for (let i = 0; i < N; i++) {
      read++;
      maxAhead = Math.max(maxAhead, read - done);
      yield to(i);
    }
  }
  const seen = new Uint8Array(N);
  const run = w.wa.campaigns.run({ id: "100k", template: w.template, recipients: source() });
  for await (const r of run) {
    seen[r.index]! += 1;
    done++;
  }
  const report = await run.report();

  expect(seen.every((n) => n === 1)).toBe(true);
  expect(report).toMatchObject({ read: N, done: N, complete: true, failed: 0, unknown: 0 });
  // Every tenth is each kind, except that one in a thousand repeats an earlier eligible number.
  expect(report.refusedBy).toEqual({
    "no-consent": 10_000,
    "opted-out": 10_000,
    blocked: 10_000,
    "invalid-recipient": 9_900,
  });
  expect(report.skippedBy).toEqual({ duplicate: 100 });
  expect(report.sent).toBe(60_000);
  expect(w.seen.errors).toEqual([]);
  expect(w.fake.messaging.sent).toHaveLength(report.sent);
  // No 1,000 ms window of the fake's clock holds more than 80 accepted sends.
  const worst = busiestWindow(w.fake.messaging.sent.map((m) => m.at));
  expect(worst).toBeLessThanOrEqual(80);
  expect(worst).toBeGreaterThanOrEqual(70); // and the run used the throughput it had
  // Streamed: the source was read a bounded step ahead of the results, never all at once.
  expect(maxAhead).toBeLessThanOrEqual(2 * 16 + 1 + 1024);
}, 120_000);
