/**
 * A campaign with a live progress line: one approved template to 3,000 people streamed from an
 * async source (as from a database cursor), in real time against the in-memory fake at 1,000
 * messages/second. Ctrl-C stops it cleanly; running it again with the same id would resume.
 *
 *   npx tsx --tsconfig examples/tsconfig.json examples/campaign.ts
 */
import { WhatsAppClient } from "wa-guard";
import { FakeCloudApi, fakeTransport } from "wa-guard/testing";

const fake = new FakeCloudApi({ throughputPerSecond: 1_000, webhooks: false });
fake.templates.add({
  name: "spring_sale",
  language: "en_US",
  category: "MARKETING",
  components: [
    { type: "FOOTER", text: "Reply STOP to opt out" },
    { type: "BODY", text: "Hi {{first_name}}, 20% off everything this week!" },
    { type: "FOOTER", text: "Reply STOP to opt out" },
  ],
  parameterFormat: "NAMED",
});
const wa = new WhatsAppClient({
  accessToken: fake.accessToken,
  phoneNumberId: fake.phoneNumberId,
  wabaId: fake.wabaId,
  transport: fakeTransport(fake),
  policy: { throughput: { perSecond: 1_000 }, messagingLimit: { tier: 100_000 } },
});

// The audience: 3,000 customers; nine in ten opted in at checkout, the rest never did.
const N = 3_000;
const phone = (i: number) => `+4420${String(79_460_000 + i)}`;
for (let i = 0; i < N; i++) {
  if (i % 10 !== 0) await wa.consent.grant(phone(i), { scope: "marketing", source: "checkout-form" });
}
async function* customers() {
  for (let i = 0; i < N; i++) yield { to: phone(i), params: { body: { first_name: `Customer ${i}` } } };
}

const template = { name: "spring_sale", language: "en_US" };
const plan = await wa.campaigns.plan({ template, recipients: customers() });
console.log(
  `plan: ${plan.send} to send, ${plan.refused} refused ${JSON.stringify(plan.refusedBy)}; at least ${(plan.estimatedMs / 1000).toFixed(1)} s at ${plan.perSecond}/s`,
);

const controller = new AbortController();
process.once("SIGINT", () => controller.abort(new Error("Ctrl-C")));
const run = wa.campaigns.run({
  id: "spring-sale-2026",
  template,
  recipients: customers(),
  total: N,
  signal: controller.signal,
  concurrency: 32,
  progressIntervalMs: 250,
});
const live = process.stdout.isTTY;
run.on("progress", (p) => {
  const eta = p.etaMs === undefined ? "" : `, ETA ${(p.etaMs / 1000).toFixed(1)} s`;
  const text = `${p.state}: ${p.done}/${p.total} done, ${p.sent} sent, ${p.refused} refused, ${p.perSecond}/s${eta}`;
  // A terminal gets one line rewritten in place; a log gets a line per update.
  if (live) process.stdout.write(`\r${text.padEnd(78)}`);
  else console.log(text);
});
const report = await run.report();
if (live) process.stdout.write("\n");
console.log(
  `report: ${report.sent} sent, ${report.held} held, refused ${JSON.stringify(report.refusedBy)}, ${report.failed} failed, ${report.unknown} unknown, complete: ${report.complete}${report.stopped ? ` (stopped, ${report.stopped.code}: ${report.stopped.reason})` : ""}`,
);
console.log(`the fake accepted ${fake.messaging.sent.length} messages, none refused by Meta's rules`);
