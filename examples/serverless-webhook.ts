/**
 * A fetch-style webhook handler for serverless runtimes: a Next.js route handler, Hono, Cloudflare
 * Workers, Bun or Deno. The 200 goes back as soon as the delivery is verified and the policy
 * state updated; handlers finish through the platform's `waitUntil`.
 *
 * In a Next.js app (app/api/webhook/route.ts):
 *   export const GET = handler; export const POST = handler;
 * In a Worker:
 *   export default { fetch: (request, env, ctx) => handler(request, ctx) };
 *
 * Run as is, it is invoked the way a platform would, with webhooks from the in-memory fake:
 * `npx tsx --tsconfig examples/tsconfig.json examples/serverless-webhook.ts`.
 */
import { WhatsAppClient } from "wa-guard";
import { FakeCloudApi, fakeTransport } from "wa-guard/testing";

const fake = new FakeCloudApi();
// Serverless: one client per instance, created at module load and reused across invocations.
// Share state between instances with Redis-backed stores (docs/webhooks.md, de-duplication).
const wa = new WhatsAppClient({
  accessToken: fake.accessToken,
  phoneNumberId: fake.phoneNumberId,
  appSecret: fake.webhooks.appSecret,
  verifyToken: "choose-a-long-random-string",
  transport: fakeTransport(fake),
});

wa.on("message", async (m) => {
  await wa.messages.sendText({ to: m.from, body: `Got it: "${m.text}"` });
  console.log(`handler replied to ${m.from}`);
});

export const handler = wa.webhooks.fetchHandler();

// --- Invoked as a platform would ------------------------------------------------------------
const pending: Promise<unknown>[] = [];
const ctx = { waitUntil: (work: Promise<unknown>) => void pending.push(work) };

const challenge = await handler(
  new Request(
    "https://bot.example/api/webhook?hub.mode=subscribe&hub.challenge=31337&hub.verify_token=choose-a-long-random-string",
  ),
  ctx,
);
console.log(`GET → ${challenge.status} ${await challenge.text()}`);

fake.messaging.receiveMessage("+5511987654321", { text: "Olá! Vocês entregam em São Paulo?" });
const [delivery] = fake.webhooks.pending.splice(0);
const signed = fake.webhooks.request(delivery);
for (let i = 1; i <= 3; i++) {
  // Meta redelivers when it does not hear back in time; the handler runs once.
  const res = await handler(
    new Request("https://bot.example/api/webhook", {
      method: "POST",
      headers: signed.headers,
      body: signed.rawBody,
    }),
    ctx,
  );
  console.log(`POST #${i} → ${res.status}`);
}
await Promise.all(pending); // what the platform does before freezing the instance
console.log(`replies sent: ${fake.messaging.sent.length}`);
