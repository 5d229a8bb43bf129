import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";
import { systemClock } from "../../src/index.js";
import { FakeCloudApi, startFakeServer } from "../../src/testing/index.js";
import { extractSnippets } from "./extract.js";

// README.md's quick start, run as a new user would, against the fake over loopback HTTP: the ids
// come from the environment, as the snippet says; only the Graph origin is pointed at the fake.
const ROOT = resolve(import.meta.dirname, "../..");
mkdirSync(join(ROOT, ".tmp"), { recursive: true });
const dir = mkdtempSync(join(ROOT, ".tmp", "quick-start-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("the README quick start succeeds: the template is sent, nothing is refused", async () => {
  const [quickStart] = extractSnippets("README.md", readFileSync(join(ROOT, "README.md"), "utf8"));
  expect(quickStart?.code).toMatch(/sendTemplate/);
  const fake = new FakeCloudApi({ clock: systemClock, webhooks: false });
  fake.templates.add({
    name: "order_update",
    language: "en_US",
    category: "UTILITY",
    components: [{ type: "BODY", text: "Hi {{1}}, your order {{2}} has shipped." }],
  });
  const server = await startFakeServer(fake);
  try {
    const src = join(ROOT, "src/index.ts");
    // "wa-guard" as installed, except that the client talks to the fake.
    writeFileSync(
      join(dir, "wa-guard.ts"),
      `import * as real from ${JSON.stringify(src)};
export * from ${JSON.stringify(src)};
export class WhatsAppClient extends real.WhatsAppClient {
  constructor(options: real.ClientOptions = {}) {
    super({ baseUrl: ${JSON.stringify(server.url)}, ...options });
  }
}
`,
    );
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(
      join(dir, "quick-start.ts"),
      (quickStart?.code ?? "").replace(/from "wa-guard"/g, 'from "./wa-guard.ts"'),
    );
    const { stdout, stderr } = await promisify(execFile)(
      join(ROOT, "node_modules/.bin/tsx"),
      [join(dir, "quick-start.ts")],
      {
        cwd: dir,
        env: {
          ...process.env,
          WHATSAPP_ACCESS_TOKEN: fake.accessToken,
          WHATSAPP_PHONE_NUMBER_ID: fake.phoneNumberId,
          WHATSAPP_WABA_ID: fake.wabaId,
        },
      },
    );
    expect(stderr).toBe("");
    expect(stdout).toMatch(/^wamid\.\S+ \S+\n$/);
    expect(fake.messaging.sent.map((m) => m.waId)).toEqual(["14165551234"]);
  } finally {
    await server.close();
  }
}, 60_000);
