/**
 * `npm run demo`: wa-guard against the in-memory fake of the Cloud API — no credentials, no
 * network. Compliant sends go through; what Meta would punish is refused locally with a typed
 * error and never reaches it; Meta's own answers (a throttle, a dropped connection) are handled
 * without duplicates.
 */
import {
  isGraphApiError,
  isPolicyViolation,
  isTransportError,
  isValidationError,
  WhatsAppClient,
} from "wa-guard";
import { FakeClock, FakeCloudApi, fakeTransport } from "wa-guard/testing";

const clock = new FakeClock({ start: new Date("2026-11-21T09:00:00Z") });
const fake = new FakeCloudApi({ clock });
const wa = new WhatsAppClient({
  accessToken: fake.accessToken,
  phoneNumberId: fake.phoneNumberId,
  wabaId: fake.wabaId,
  appSecret: fake.webhooks.appSecret, // webhooks from the fake are signed with it
  transport: fakeTransport(fake),
  clock,
  policy: { content: { allowDomains: ["shop.example"] } },
});
let waits = 0;
wa.on("retry", (e) => line("  ↻", `Meta said ${e.error.code}; retry #${e.attempt + 1} in ${e.delayMs} ms`));
wa.on("throttle.wait", () => waits++);

const ana = "+351 912 345 678";
const ben = "+1 604 555 0100";

function line(mark: string, text: string) {
  console.log(`${mark} ${text}`);
}

async function step(title: string, run: () => Promise<string>) {
  try {
    line("✔", `${title}: ${await run()}`);
  } catch (error) {
    if (isPolicyViolation(error)) line("✘", `${title}: refused locally [${error.rule}] — ${error.reason}`);
    else if (isValidationError(error)) line("✘", `${title}: invalid, nothing sent — ${error.message}`);
    else if (isGraphApiError(error))
      line("✘", `${title}: Meta said ${error.graphCode} (${error.code}) — ${error.details}`);
    else if (isTransportError(error))
      line(
        "?",
        `${title}: outcome ${error.outcome}, not re-sent; reconcile by correlation id ${error.correlationId}`,
      );
    else throw error;
  }
}

wa.on("optOut", (e) => line("  ⊘", `webhook: ${e.recipient} opted out of ${e.scope} (${e.source})`));
wa.on("templateUpdate", (e) => line("  ⚑", `webhook: template ${e.name} is now ${e.event}`));
wa.on("status", (e) => {
  if (e.reconciled) line("  ✓", `webhook: the unknown send ${e.correlationId} was in fact ${e.status}`);
});

/** Meta's signed webhooks (statuses, inbound messages, …) reach the client's handler. */
async function webhooks() {
  for (const payload of fake.webhooks.pending.splice(0)) {
    const result = await wa.webhooks.handle(fake.webhooks.request(payload));
    await result.delivered;
  }
}

/** A user writes: Meta delivers it as a webhook, which opens the window and records STOP-like words. */
async function userWrites(who: string, text: string) {
  line("←", `${who} writes "${text}"`);
  fake.messaging.receiveMessage(who, { text });
  await webhooks();
}

console.log("wa-guard demo — the policy layer in front of FakeCloudApi\n");
console.log(
  `guards, in order: ${wa.policy
    .describe()
    .map((g) => g.name)
    .join(" → ")}\n`,
);

fake.templates.add({
  name: "spring_sale",
  language: "en_US",
  category: "MARKETING",
  components: [
    { type: "FOOTER", text: "Reply STOP to opt out" },
    { type: "BODY", text: "Hi {{1}}, {{2}} off everything this week!" },
    { type: "FOOTER", text: "Reply STOP to opt out" },
  ],
});
fake.templates.add({
  name: "order_update",
  language: "en_US",
  category: "UTILITY",
  components: [{ type: "BODY", text: "Hi {{1}}, your order {{2}} has shipped." }],
});

await userWrites(ana, "Where is my order?");
await step("Reply to Ana", async () => {
  const r = await wa.messages.sendText({ to: ana, body: "It ships today!" });
  return `accepted as ${r.messageId.slice(0, 16)}… (correlation ${r.correlationId.slice(0, 12)}…)`;
});
await step("Text to a number too short to exist", () =>
  wa.messages.sendText({ to: "+1 555 01", body: "Hi" }).then(() => "sent"),
);
await step("Free-form text to Ben (never wrote)", () =>
  wa.messages.sendText({ to: ben, body: "Hello!" }).then(() => "sent"),
);
const sale = { to: ben, name: "spring_sale", language: "en_US", body: ["Ben", "20%"] };
await step("Marketing template to Ben, no opt-in", () => wa.messages.sendTemplate(sale).then(() => "sent"));
await wa.consent.grant(ben, {
  scope: "marketing",
  source: "checkout-form",
  proof: "order A-1001, box ticked",
});
line("＋", "Ben opts in to marketing at checkout");
await step("Marketing template to Ben", () =>
  wa.messages.sendTemplate(sale).then((r) => `accepted (${r.messageStatus})`),
);
await step("The same promotion to Ben again", () => wa.messages.sendTemplate(sale).then(() => "sent"));
await step("Template missing a parameter", () =>
  wa.messages.sendTemplate({ ...sale, body: ["Ben"] }).then(() => "sent"),
);
await step("Template that does not exist", () =>
  wa.messages.sendTemplate({ ...sale, name: "winter_sale" }).then(() => "sent"),
);
await step("Link through a URL shortener", () =>
  wa.messages.sendText({ to: ana, body: "Track it: https://bit.ly/3xYz" }).then(() => "sent"),
);
await step("Link to another domain", () =>
  wa.messages.sendText({ to: ana, body: "Track it: https://tracker.example.net/A-1001" }).then(() => "sent"),
);
await step("A full card number in the text", () =>
  wa.messages.sendText({ to: ana, body: "Card on file: 4111 1111 1111 1111" }).then(() => "sent"),
);
await step("Four reply buttons", () =>
  wa.messages
    .sendButtons({
      to: ana,
      body: "Pick one",
      buttons: ["a", "b", "c", "d"].map((id) => ({ id, title: id.toUpperCase() })),
    })
    .then(() => "sent"),
);

await wa.consent.grant(ana, { scope: "marketing", source: "newsletter-form" });
await userWrites(ana, "¡Parar!");
await step("Marketing template to Ana after she said PARAR", () =>
  wa.messages.sendTemplate({ ...sale, to: ana, body: ["Ana", "20%"] }).then(() => "sent"),
);

await step("Block Ana", async () => {
  const { results } = await wa.blocklist.block([ana]);
  return results.map((r) => `${r.status}`).join(", ");
});
await step("Reply to Ana while blocked", () =>
  wa.messages.sendText({ to: ana, body: "Hi" }).then(() => "sent"),
);
await wa.blocklist.unblock([ana]);

await step("15 quick replies to Ana (pair rate: burst 10, then one per 6 s)", async () => {
  for (let i = 0; i < 15; i++) await wa.messages.sendText({ to: ana, body: `Update ${i + 1}` });
  return `all 15 accepted; ${waits} waited for capacity instead of hitting Meta's 131056`;
});

fake.failNext(1, {
  code: 130429,
  details: "Cloud API message throughput has been reached.",
  retryAfterSeconds: 1,
});
await step("Reply while Meta says 130429 once", () =>
  wa.messages
    .sendText({ to: ana, body: "Tracking: https://shop.example/t/A-1001" })
    .then(() => "accepted after the retry"),
);
fake.dropNext(1, "after_request");
await step("Reply whose connection drops after Meta got it", () =>
  wa.messages.sendText({ to: ana, body: "Anything else?" }).then(() => "sent"),
);
await webhooks();

fake.setTemplateStatus("spring_sale", "en_US", "PAUSED");
await webhooks();
await step("Marketing template to Ben while it is paused", () =>
  wa.messages.sendTemplate({ ...sale, body: ["Ben", "30%"] }).then(() => "sent"),
);

clock.advance(25 * 60 * 60 * 1000);
line("⏱", "25 hours pass");
await step("Reply to Ana now", () =>
  wa.messages.sendText({ to: ana, body: "Still there?" }).then(() => "sent"),
);
await step("Utility template to Ben (no utility opt-in)", () =>
  wa.messages
    .sendTemplate({ to: ben, name: "order_update", language: "en_US", body: ["Ben", "A-1001"] })
    .then(() => "sent"),
);

// A small campaign: one template to a list, planned first, then run, then run again as if the
// process had crashed half-way — nobody gets it twice.
console.log("\nA small campaign: the autumn sale to a list of eight");
fake.templates.add({
  name: "autumn_sale",
  language: "en_US",
  category: "MARKETING",
  components: [
    { type: "FOOTER", text: "Reply STOP to opt out" },
    { type: "BODY", text: "Hi {{1}}, the autumn sale starts today!" },
    { type: "FOOTER", text: "Reply STOP to opt out" },
  ],
});
const list = ["+44 7700 900001", "+44 7700 900002", "+44 7700 900003", "+44 7700 900004"];
for (const to of list) await wa.consent.grant(to, { scope: "marketing", source: "newsletter-form" });
const audience = [
  ...list,
  ana /* said PARAR */,
  "+1 604 555 0199" /* never opted in */,
  "+999 1234",
  list[0]!,
];
const autumn = { name: "autumn_sale", language: "en_US", body: ["friend"] };
const plan = await wa.campaigns.plan({ template: autumn, recipients: audience });
line(
  "📋",
  `plan: ${plan.send} to send, ${plan.refused} refused ${JSON.stringify(plan.refusedBy)}, ${plan.duplicates} duplicate; about ${plan.estimatedMs} ms at ${plan.perSecond}/s`,
);
const campaign = wa.campaigns.run({ id: "autumn-sale-2026", template: autumn, recipients: audience });
campaign.on("progress", (p) => {
  if (p.state === "finished") line("  ▸", `progress: ${p.done}/${p.total} done, ${p.sent} sent`);
});
for await (const r of campaign) {
  const why = r.status === "refused" ? ` [${r.reason}]` : r.status === "skipped" ? ` (${r.reason})` : "";
  line(r.status === "sent" ? "  ✔" : "  ✘", `#${r.index} ${r.to}: ${r.status}${why}`);
}
const again = await wa.campaigns
  .run({ id: "autumn-sale-2026", template: autumn, recipients: audience })
  .report();
line(
  "↺",
  `the same campaign again (as after a crash): ${again.sent} sent, ${again.skippedBy["already-sent"] ?? 0} skipped as already sent`,
);

console.log("\nSeeing enforcement coming: account health and the business profile");
fake.setHealth("PHONE_NUMBER", {
  canSendMessage: "LIMITED",
  additionalInfo: ["The display name is in review; the messaging limit stays low until it is approved"],
});
wa.on("health.change", (e) => line("🩺", e.summary));
await wa.account.health({ refresh: true }); // one Graph call; LIMITED slows marketing for now
const profile = await wa.account.profile.check();
line(profile.ok ? "✔" : "⚠", `business profile check: ${profile.findings.length} finding(s)`);
for (const f of profile.findings) line(f.severity === "error" ? "  ✘" : "  ·", `${f.field}: ${f.message}`);

console.log("\nA campaign that starts to annoy its recipients stops itself (early warning)");
const winter = Array.from({ length: 120 }, (_, i) => `+44 7700 9${String(10_000 + i)}`);
for (const to of winter) await wa.consent.grant(to, { scope: "marketing", source: "newsletter-form" });
// Recipients reply STOP while the campaign runs: one in eight of those already sent.
async function* winterList() {
  for (const [i, to] of winter.entries()) {
    if (i >= 60 && i % 8 === 0) {
      fake.messaging.receiveMessage(winter[i - 40]!, { text: "STOP" });
      await fake.webhooks.deliver(wa);
    }
    yield to;
  }
}
const winterRun = await wa.campaigns
  .run({ id: "winter-sale-2026", template: autumn, recipients: winterList(), concurrency: 4 })
  .report();
line(
  "⛔",
  `campaign stopped — ${winterRun.stopped?.reason}; ${winterRun.sent} sent, ${winterRun.deferred} deferred for a later run`,
);

console.log(
  `\nMessages Meta (the fake) accepted: ${fake.messaging.sent.length}; every refusal above cost nothing and risked nothing.`,
);
