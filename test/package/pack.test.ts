import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Packs the built package (npm test builds first), installs the tarball into a temporary
// project and imports it the way users do.
const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "node_modules/.bin");
let dir: string;
let tarball: string;

const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, npm_config_loglevel: "error" },
  });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "wa-guard-pack-"));
  const out = run("npm", ["pack", "--json", "--pack-destination", dir], ROOT);
  tarball = join(dir, (JSON.parse(out.slice(out.indexOf("["))) as Array<{ filename: string }>)[0]!.filename);
  const app = join(dir, "app");
  execFileSync("mkdir", ["-p", app]);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, version: "1.0.0" }));
  run("npm", ["install", "--no-audit", "--no-fund", "--omit=dev", tarball], app);
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCRIPT = `
  const wa = new WhatsAppClient({ accessToken: "t", phoneNumberId: "1" });
  const fake = new FakeCloudApi();
  if (typeof wa.messages.sendText !== "function" || !fake.phoneNumberId) throw new Error("bad exports");
  if (!isWhatsAppError(new ValidationError("x"))) throw new Error("bad guard");
`;

describe("the packed tarball", () => {
  it("imports with ESM import", () => {
    const code = `import { WhatsAppClient, isWhatsAppError, ValidationError } from "wa-guard";
      import { FakeCloudApi } from "wa-guard/testing";
      import { memoryStores } from "wa-guard/stores";
      import { redisStores } from "wa-guard/redis";
      import { migrate } from "wa-guard/postgres"; ${SCRIPT}
      if (typeof redisStores !== "function" || typeof migrate !== "function") throw new Error("bad subpath export");
      if (typeof memoryStores().consent.append !== "function") throw new Error("bad stores export");
      console.log("esm ok");`;
    expect(run("node", ["--input-type=module", "-e", code], join(dir, "app"))).toContain("esm ok");
  });

  it("loads with CommonJS require, without loading undici until a request is made", () => {
    const code = `const { WhatsAppClient, isWhatsAppError, ValidationError } = require("wa-guard");
      const { FakeCloudApi } = require("wa-guard/testing"); ${SCRIPT}
      if (typeof require("wa-guard/redis").redisStores !== "function") throw new Error("bad redis export");
      if (typeof require("wa-guard/stores").MemoryConsentStore !== "function") throw new Error("bad stores export");
      if (typeof require("wa-guard/postgres").postgresConsentStore !== "function") throw new Error("bad postgres export");
      if (Object.keys(require.cache).some((k) => k.includes("/undici/"))) throw new Error("undici loaded at import");
      console.log("cjs ok");`;
    expect(run("node", ["-e", code], join(dir, "app"))).toContain("cjs ok");
  });

  it("runs a campaign under ESM and CommonJS (p-queue is bundled and loaded on the first run)", () => {
    const body = `
      const fake = new FakeCloudApi({ webhooks: false });
      fake.templates.add({ name: "sale", language: "en_US", category: "MARKETING", components: [{ type: "FOOTER", text: "Reply STOP to opt out" }, { type: "BODY", text: "Hi" }] });
      const wa = new WhatsAppClient({ accessToken: fake.accessToken, phoneNumberId: fake.phoneNumberId, wabaId: fake.wabaId,
        transport: fakeTransport(fake), policy: { messagingLimit: { tier: "unlimited" } } });
      await wa.consent.grant("+14165550001", { scope: "marketing", source: "form" });
      const report = await wa.campaigns.run({ id: "c1", template: { name: "sale", language: "en_US" },
        recipients: ["+14165550001", "+14165550002"] }).report();
      if (report.sent !== 1 || report.refused !== 1) throw new Error("bad campaign " + JSON.stringify(report));
      if (Object.keys(require("node:module")._cache ?? {}).some((k) => k.includes("/p-queue/"))) throw new Error("p-queue from node_modules");
      console.log("campaign ok");`;
    const esm = `import { WhatsAppClient } from "wa-guard"; import { FakeCloudApi, fakeTransport } from "wa-guard/testing";
      import { createRequire } from "node:module"; const require = createRequire(import.meta.url); ${body}`;
    expect(run("node", ["--input-type=module", "-e", esm], join(dir, "app"))).toContain("campaign ok");
    const cjs = `const { WhatsAppClient } = require("wa-guard"); const { FakeCloudApi, fakeTransport } = require("wa-guard/testing");
      (async () => { ${body} })().catch((e) => { console.error(e); process.exit(1); });`;
    expect(run("node", ["-e", cjs], join(dir, "app"))).toContain("campaign ok");
  });

  it("a fresh TypeScript project under tsc --strict: the guarantee holds through the tarball", () => {
    const app = join(dir, "app");
    const source = `import { isPolicyViolation, WhatsAppClient } from "wa-guard";
import { type ConsentStore, memoryStores } from "wa-guard/stores";
import { FakeCloudApi, fakeTransport } from "wa-guard/testing";

const fake = new FakeCloudApi();
fake.templates.add({ name: "promo", language: "en_US", category: "MARKETING", components: [{ type: "FOOTER", text: "Reply STOP to opt out" }, { type: "BODY", text: "{{1}} off" }] });
const stores = memoryStores();
let fail = true;
const consent: ConsentStore = {
  append: async (e) => {
    if (fail && e.action === "revoke") throw new Error("store stalled");
    return stores.consent.append(e);
  },
  history: (k) => stores.consent.history(k),
};
const wa = new WhatsAppClient({
  accessToken: fake.accessToken, phoneNumberId: fake.phoneNumberId, wabaId: fake.wabaId,
  appSecret: fake.webhooks.appSecret, transport: fakeTransport(fake), maxRetries: 0,
  stores: { ...stores, consent },
});
const user = "+14165551234";
await wa.consent.grant(user, { scope: "marketing", source: "form" });
// Five copies racing one promo: one is sent.
const copies = [wa, ...Array.from({ length: 4 }, () => wa.withOptions({}))];
const raced = await Promise.allSettled(copies.map((c) => c.messages.sendTemplate({ to: user, name: "promo", language: "en_US", body: ["5%"] })));
if (raced.filter((r) => r.status === "fulfilled").length !== 1) throw new Error("copies passed the cap");
// A STOP whose store fails answers 500; its redelivery records it.
const stop = { object: "whatsapp_business_account", entry: [{ id: fake.wabaId, changes: [{ field: "messages", value: {
  messaging_product: "whatsapp", messages: [{ from: "14165551234", id: "wamid.stop", timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: "ＳＴＯＰ" } }] } }] }] };
const first = await wa.webhooks.handle(fake.webhooks.request(stop));
fail = false;
const second = await wa.webhooks.handle(fake.webhooks.request(stop));
if (first.status !== 500 || second.status !== 200) throw new Error(\`statuses \${first.status} \${second.status}\`);
const refused = await wa.messages.sendTemplate({ to: user, name: "promo", language: "en_US", body: ["9%"] }).catch((e: unknown) => e);
if (!isPolicyViolation(refused) || refused.rule !== "consent") throw new Error("the STOP was lost");
console.log("guarantee ok");
`;
    writeFileSync(join(app, "guarantee.mts"), source);
    const tsc = join(BIN, "tsc");
    // No skipLibCheck: the declarations name nothing a project with only wa-guard lacks
    // (types.test.ts checks them on TypeScript 5 and 7, ESM, CommonJS and bundler).
    const flags = ["--strict", "--exactOptionalPropertyTypes", "--noUncheckedIndexedAccess"];
    run(
      tsc,
      [
        ...flags,
        ...["--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022"],
        ...["--types", "node", "--typeRoots", join(ROOT, "node_modules/@types"), "--outDir", app],
        join(app, "guarantee.mts"),
      ],
      app,
    );
    expect(run("node", [join(app, "guarantee.mjs")], app)).toContain("guarantee ok");
  }, 60_000);

  it("installs the wa-guard command: npx wa-guard fake-server --help", () => {
    const app = join(dir, "app");
    const help = run(join(app, "node_modules/.bin/wa-guard"), ["fake-server", "--help"], app);
    expect(help).toContain("Usage: wa-guard fake-server");
    expect(help).toContain("--webhook-url");
    expect(() => run(join(app, "node_modules/.bin/wa-guard"), ["fake-server", "--port", "x"], app)).toThrow(
      /--port must be a whole number/,
    );
  });

  it("ships only dist/ and package metadata", () => {
    const files = (
      JSON.parse(run("npm", ["pack", "--dry-run", "--json"], ROOT)) as Array<{
        files: Array<{ path: string }>;
      }>
    )[0]!.files.map((f) => f.path);
    expect(
      files.filter(
        (f) =>
          !f.startsWith("dist/") && !["package.json", "README.md", "CHANGELOG.md", "LICENSE"].includes(f),
      ),
    ).toEqual([]);
    expect(files).toContain("LICENSE");
    // Source maps stay out of the package (`npm run build:sourcemaps` in a clone builds them).
    expect(files.filter((f) => f.endsWith(".map"))).toEqual([]);
  });

  it("ships readable JavaScript: an uncaught error prints its own line and stack, not the bundle", () => {
    const app = join(dir, "app");
    for (const [args, entry] of [
      [
        ["-e", `const { WhatsAppClient } = require("wa-guard"); new WhatsAppClient({ phoneNumberId: "1" });`],
        "index.cjs",
      ],
      [
        [
          "--input-type=module",
          "-e",
          `import { WhatsAppClient } from "wa-guard"; new WhatsAppClient({ phoneNumberId: "1" });`,
        ],
        "index.js",
      ],
    ] as const) {
      const r = spawnSync("node", args, { cwd: app, encoding: "utf8" });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("ConfigError: Missing accessToken");
      // A few hundred bytes, where the minified bundle printed ~190 KB (its whole first line).
      expect(Buffer.byteLength(r.stderr)).toBeLessThan(4096);
      // The first frame names a line of the published file, and that line is the throw.
      const frame = new RegExp(`node_modules/wa-guard/dist/${entry.replace(".", "\\.")}:(\\d+):\\d+`).exec(
        r.stderr,
      );
      expect(frame).not.toBeNull();
      const line = readFileSync(join(app, "node_modules/wa-guard/dist", entry), "utf8").split("\n")[
        Number(frame![1]) - 1
      ];
      expect(line).toMatch(/throw new \S*ConfigError\(/);
    }
  });

  it("passes publint", () => {
    expect(run(join(BIN, "publint"), ["--strict", tarball], ROOT)).not.toMatch(/error|warning/i);
  });

  it("passes are-the-types-wrong for node16 (CJS and ESM) and bundler", () => {
    // The node16 profile ignores node10, which cannot see subpath exports. attw exits
    // non-zero (and execFileSync throws) on any problem in the other resolutions.
    const out = run(join(BIN, "attw"), [tarball, "--profile", "node16", "--format", "table-flipped"], ROOT);
    expect(out).toContain('"wa-guard/stores"');
    expect(out).toContain('"wa-guard/testing"');
    expect(out).toContain('"wa-guard/redis"');
    expect(out).toContain('"wa-guard/postgres"');
    expect(out).not.toMatch(/❌|🐛|⚠️|🎭|🥴/);
  });
});
