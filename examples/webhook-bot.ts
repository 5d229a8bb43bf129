/**
 * A WhatsApp bot on node:http: one route takes Meta's webhooks, wa-guard verifies and
 * de-duplicates them and keeps the policy state true, and the bot answers inside the 24-hour
 * window. With Express it is the same handler: `app.all("/webhook", wa.webhooks.nodeHandler())`
 * (no express.json() on that route).
 *
 * Run as is, it talks to the in-memory fake of the Cloud API (no credentials, no network beyond
 * loopback): `npx tsx --tsconfig examples/tsconfig.json examples/webhook-bot.ts`.
 * Against Meta: give the client real credentials and expose the server over HTTPS.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { isPolicyViolation, WhatsAppClient } from "wa-guard";
import { FakeCloudApi, fakeTransport } from "wa-guard/testing";

const fake = new FakeCloudApi();
const wa = new WhatsAppClient({
  accessToken: fake.accessToken,
  phoneNumberId: fake.phoneNumberId,
  appSecret: fake.webhooks.appSecret,
  verifyToken: "choose-a-long-random-string",
  transport: fakeTransport(fake),
});

let answered = 0;
let statuses = 0;

// The bot. By the time a handler runs, the window is open and any STOP is recorded.
wa.on("message", async (m) => {
  console.log(`← ${m.profileName ?? m.from}: ${m.text ?? `[${m.type}]`}`);
  await wa.messages.markAsRead(m.id);
  try {
    const reply =
      m.consent === "optOut"
        ? "You will not receive promotions from us any more." // one confirmation, nothing else
        : m.text?.toLowerCase().includes("order")
          ? "Your order ships today."
          : "Thanks! How can we help?";
    await wa.messages.sendText({ to: m.from, body: reply, replyTo: m.id });
    console.log(`→ replied: ${reply}`);
  } catch (error) {
    if (isPolicyViolation(error)) console.log(`✘ not sent [${error.rule}]: ${error.reason}`);
    else throw error;
  } finally {
    answered++;
  }
});
wa.on("optOut", (o) =>
  console.log(`⊘ ${o.recipient} opted out (${o.source}); marketing to them is now refused`),
);
wa.on("status", (s) => {
  statuses++;
  console.log(`  status ${s.status} for ${s.id.slice(0, 14)}…`);
});
wa.on("webhook.rejected", ({ error }) => console.log(`✘ webhook refused: ${error.reason}`));

const handler = wa.webhooks.nodeHandler();
const server = createServer((req, res) => {
  if (req.url?.startsWith("/webhook")) handler(req, res);
  else res.writeHead(404).end();
});
server.listen(0, "127.0.0.1");
await new Promise((resolve) => server.once("listening", resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
console.log(`bot listening on ${url}`);

// --- What Meta would do, played by the fake -------------------------------------------------
const handshake = await fetch(
  `${url}?hub.mode=subscribe&hub.challenge=8675309&hub.verify_token=choose-a-long-random-string`,
);
console.log(`GET handshake → ${handshake.status} ${await handshake.text()}`);

fake.messaging.receiveMessage("+14165551234", { text: "Where is my order? 📦", profileName: "Ana" });
await fake.webhooks.deliver(url); // the inbound message, signed
await until(() => answered === 1); // handlers run after the 200
await fake.webhooks.deliver(url); // statuses of the bot's reply
await until(() => statuses === 2);

const forged = await fetch(url, {
  method: "POST",
  headers: { "content-type": "application/json", "x-hub-signature-256": `sha256=${"0".repeat(64)}` },
  body: JSON.stringify({ object: "whatsapp_business_account", entry: [] }),
});
console.log(`forged POST → ${forged.status}`);

fake.messaging.receiveMessage("+14165551234", { text: "STOP" });
await fake.webhooks.deliver(url);
await until(() => answered === 2);

console.log(`Meta (the fake) accepted ${fake.messaging.sent.length} message(s) from the bot.`);
server.close();

/** Wait (up to 10 s) for the bot's handlers, which run after the 200 went back. */
async function until(done: () => boolean) {
  for (let waited = 0; !done(); waited += 5) {
    if (waited > 10_000) throw new Error("the bot did not answer in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
