import fc from "fast-check";
import { expect, it } from "vitest";
import type { CampaignResult } from "../../src/index.js";
import { campaignWorld, number } from "./world.js";

// Model-based test of campaigns: one campaign id run several times over a source with
// duplicates, while consent changes between runs and Meta answers some sends with errors,
// connection drops (before the request was written, or after it was processed) and aborts, and
// the status webhooks Meta queued arrive at once or rounds later (settling unknown sends).
// The fake counts what each person received. Invariants:
// - every run gives exactly one result per recipient it read, and reads all of them unless stopped;
// - nobody ever gets the campaign twice (the frequency guard is off: the checkpoint alone);
// - every `sent` result is a message the fake accepted, and only eligible people get one;
// - a recipient once reported `unknown` is never sent again (its delivered status makes later
//   runs skip it as already sent);
// - a final undisturbed run leaves every eligible person either sent or `unknown`.

const PEOPLE = 8;
type Fault =
  | { kind: "graph"; person: number; code: 131026 | 130429 | 131000 }
  | { kind: "drop"; person: number; mode: "before_write" | "after_request" };
interface Round {
  consent: Array<{ person: number; grant: boolean }>;
  faults: Fault[];
  /** Abort after this many results (undefined: run to the end). */
  abortAfter: number | undefined;
  tickMs: number;
  /** Deliver the status webhooks queued so far (they settle sends whose outcome was unknown). */
  webhooks: boolean;
}

const person = fc.integer({ min: 0, max: PEOPLE - 1 });
const round: fc.Arbitrary<Round> = fc.record({
  consent: fc.array(fc.record({ person, grant: fc.boolean() }), { maxLength: 4 }),
  faults: fc.array(
    fc.oneof(
      fc.record({
        kind: fc.constant("graph" as const),
        person,
        code: fc.constantFrom(131026 as const, 130429 as const, 131000 as const),
      }),
      fc.record({
        kind: fc.constant("drop" as const),
        person,
        mode: fc.constantFrom("before_write" as const, "after_request" as const),
      }),
    ),
    { maxLength: 3 },
  ),
  abortAfter: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }),
  tickMs: fc.integer({ min: 0, max: 120_000 }),
  webhooks: fc.boolean(),
});

it("campaign runs and resumes: one result per recipient, nobody twice, unknown never resent", async () => {
  // What the generated cases covered, so a generator that stopped reaching a case fails loudly.
  const covered = {
    sent: 0,
    unknown: 0,
    failed: 0,
    alreadySent: 0,
    duplicate: 0,
    stopped: 0,
    refused: 0,
    webhooks: 0,
    settled: 0,
  };
  await fc.assert(
    fc.asyncProperty(
      fc.array(person, { minLength: 1, maxLength: 16 }),
      fc.array(fc.boolean(), { minLength: PEOPLE, maxLength: PEOPLE }),
      fc.array(round, { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 1, max: 4 }),
      async (sourceIdx, initialConsent, rounds, concurrency) => {
        const w = campaignWorld(
          { policy: { messagingLimit: { tier: "unlimited" }, disable: ["frequency"] } },
          undefined,
          true,
        );
        const consented = new Set<number>();
        const setConsent = async (p: number, grant: boolean) => {
          if (grant) await w.optIn(number(p));
          else await w.wa.consent.revoke(number(p), { source: "STOP keyword" });
          if (grant) consented.add(p);
          else consented.delete(p);
        };
        for (let p = 0; p < PEOPLE; p++) if (initialConsent[p]) await setConsent(p, true);
        const source = sourceIdx.map(number);
        const digits = (p: number) => number(p).slice(1);
        const everUnknown = new Set<string>();
        const runOnce = async (r: Round | undefined) => {
          const controller = new AbortController();
          const results: CampaignResult[] = [];
          const run = w.wa.campaigns.run({
            id: "model",
            template: w.template,
            recipients: source,
            concurrency,
            signal: controller.signal,
          });
          const eligibleNow = new Set([...consented].map(digits));
          for await (const result of run) {
            results.push(result);
            if (r?.abortAfter !== undefined && results.length >= r.abortAfter) controller.abort();
          }
          const report = await run.report();
          if (report.stopped) covered.stopped++;
          for (const x of results) {
            if (
              x.status === "sent" ||
              x.status === "unknown" ||
              x.status === "failed" ||
              x.status === "refused"
            )
              covered[x.status]++;
            if (x.status === "skipped") covered[x.reason === "duplicate" ? "duplicate" : "alreadySent"]++;
          }
          // One result per recipient read; all of them unless the run stopped.
          const indexes = results.map((x) => x.index).sort((a, b) => a - b);
          expect(indexes).toEqual(Array.from({ length: report.read }, (_, i) => i));
          if (!report.stopped) expect(report.read).toBe(source.length);
          expect(report.done).toBe(report.read);
          for (const x of results) {
            const d = x.to.slice(1);
            if (x.status === "sent") {
              expect(eligibleNow.has(d)).toBe(true);
              expect(everUnknown.has(d)).toBe(false);
            }
            if (x.status === "unknown") everUnknown.add(d);
            if (x.status === "skipped" && x.reason === "already-sent" && everUnknown.has(d))
              covered.settled++;
          }
          return results;
        };
        for (const r of rounds) {
          for (const c of r.consent) await setConsent(c.person, c.grant);
          for (const f of r.faults) {
            const match = (req: { url: string; body?: unknown }) =>
              req.url.endsWith("/messages") && String(req.body).includes(digits(f.person));
            if (f.kind === "graph") w.fake.failNext(1, f.code, { match });
            else w.fake.dropNext(1, f.mode, { match });
          }
          await runOnce(r);
          // Meta's statuses arrive now, or later (they stay queued, as Meta retries for days).
          if (r.webhooks) {
            for (const d of await w.fake.webhooks.deliver(w.wa)) expect(d.status).toBe(200);
            covered.webhooks++;
          }
          w.clock.advance(r.tickMs);
          // Nobody ever got it twice.
          const per = w.sentPerUser();
          for (const n of per.values()) expect(n).toBe(1);
        }
        // A last, undisturbed run (a lingering 130429 pause has lifted by then), after every
        // status has arrived.
        w.fake.clearFaults();
        for (const d of await w.fake.webhooks.deliver(w.wa)) expect(d.status).toBe(200);
        w.clock.advance(60_000);
        const last = await runOnce(undefined);
        const per = w.sentPerUser();
        const byPerson = new Map(last.map((x) => [x.to.slice(1), x]));
        for (const p of new Set(sourceIdx)) {
          const d = digits(p);
          const x = byPerson.get(d)!;
          if (consented.has(p)) {
            // Eligible now: sent (now or before), or its fate is unknown and it stays unsent by us.
            expect(per.get(d) === 1 || everUnknown.has(d), `${d}: ${x.status}`).toBe(true);
          }
          if (x.status === "sent" || (x.status === "skipped" && x.reason === "already-sent"))
            expect(per.get(d)).toBe(1);
        }
        for (const n of per.values()) expect(n).toBe(1);
      },
    ),
    { numRuns: 100 },
  );
  for (const [what, n] of Object.entries(covered))
    expect(n, `${what} (almost) never happened`).toBeGreaterThanOrEqual(3);
}, 120_000);
