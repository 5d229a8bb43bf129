import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/*
 * The published declarations stand alone: the packed tarball, installed by itself into a fresh
 * project, type-checks under `strict` with `skipLibCheck: false` on TypeScript 5.x and 7, for
 * ESM and CommonJS consumers (node16/nodenext) and bundler resolution; and a misspelt field
 * fails to compile, for that reason. The compilers are the repository's own (no download).
 */
const ROOT = resolve(import.meta.dirname, "../..");
const COMPILERS = {
  "TypeScript 5.9": join(ROOT, "node_modules/typescript/bin/tsc"),
  "TypeScript 7": join(ROOT, "node_modules/typescript7/bin/tsc"),
};
let dir: string;
let app: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "wa-guard-types-"));
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", dir], {
    cwd: ROOT,
    encoding: "utf8",
  });
  const tarball = join(
    dir,
    (JSON.parse(out.slice(out.indexOf("["))) as Array<{ filename: string }>)[0]!.filename,
  );
  app = join(dir, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, version: "1.0.0" }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--omit=dev", tarball], {
    cwd: app,
    stdio: "ignore",
    env: { ...process.env, npm_config_loglevel: "error" },
  });
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Uses the public types the way a first-hour user does; must compile everywhere. */
const GOOD = `
import {
  ConsentRequiredError, isWhatsAppError, WhatsAppClient,
  type SendTextParams, type SendResult, type OutboundMessage, type ClientEvents,
} from "wa-guard";
import { memoryStores, MemoryConsentStore, type ConsentStore, type PolicyStores } from "wa-guard/stores";
import { FakeCloudApi, fakeTransport } from "wa-guard/testing";
import { redisStores, type NodeRedisLike, type IoredisLike } from "wa-guard/redis";

export async function main(): Promise<string> {
  const fake = new FakeCloudApi();
  const wa = new WhatsAppClient({
    accessToken: fake.accessToken, phoneNumberId: fake.phoneNumberId, wabaId: fake.wabaId,
    transport: fakeTransport(fake), stores: memoryStores(),
  });
  const params: SendTextParams = { to: "+14165551234", body: "hi", previewUrl: false };
  const message: OutboundMessage = { type: "text", ...params };
  wa.on("response", (e) => { const s: number = e.status; void s; });
  const listener: ClientEvents["retry"] = (e) => void e.delayMs;
  wa.off("retry", listener);
  try {
    const sent: SendResult = await wa.messages.sendText(params);
    await wa.messages.send(message);
    return sent.messageId;
  } catch (e) {
    if (e instanceof ConsentRequiredError && e.code === "policy_consent_required") return "consent";
    if (isWhatsAppError(e)) {
      const code: string = e.code;
      return code;
    }
    throw e;
  }
}
export const shared: PolicyStores = { ...memoryStores(), consent: new MemoryConsentStore() satisfies ConsentStore };
export function stores(io: IoredisLike, nr: NodeRedisLike) {
  return [redisStores(io, { phoneNumberId: "1", wabaId: "2" }), redisStores(nr, { phoneNumberId: "1", prefix: "app:" })];
}
export async function newNumber(wa: WhatsAppClient, picture: Uint8Array): Promise<string> {
  const warm = new WhatsAppClient({ accessToken: "t", phoneNumberId: "1", policy: { warmUp: { since: "first-send" } } });
  const now = await warm.policy.pipeline?.warmUpNow();
  const { handle } = await wa.uploads.upload(picture, { appId: "1", type: "image/png" });
  return \`\${now?.leftToday ?? "over"} \${handle}\`;
}
`;

/** The one mistake: `bdy` for `body`. */
const BAD = `
import { WhatsAppClient } from "wa-guard";
const wa = new WhatsAppClient({ accessToken: "t", phoneNumberId: "1" });
export const sent = wa.messages.sendText({ to: "+14165551234", bdy: "typo" });
`;

/** Engine classes are types of the root entry, never values: a user reaches them through the client. */
const ENGINE_VALUE = `
import { Policy, Webhooks, type Messages } from "wa-guard";
export const engines: unknown[] = [Policy, Webhooks];
export type M = Messages;
`;

const CONSUMERS = [
  { name: "ESM, nodenext", ext: "mts", module: "nodenext", moduleResolution: "nodenext" },
  { name: "CommonJS, node16", ext: "cts", module: "node16", moduleResolution: "node16" },
  { name: "bundler", ext: "ts", module: "esnext", moduleResolution: "bundler" },
] as const;

function tsc(compiler: string, consumer: (typeof CONSUMERS)[number], source: string, name: string) {
  const file = `${name}.${consumer.ext}`;
  // A CommonJS file cannot use top-level await or import.meta; the sources use neither.
  writeFileSync(join(app, file), source);
  const tsconfig = `tsconfig.${name}.${consumer.ext}.json`;
  writeFileSync(
    join(app, tsconfig),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        skipLibCheck: false,
        noEmit: true,
        target: "es2022",
        lib: ["es2023"],
        module: consumer.module,
        moduleResolution: consumer.moduleResolution,
        types: ["node"],
        typeRoots: [join(ROOT, "node_modules/@types")],
      },
      files: [file],
    }),
  );
  const r = spawnSync(process.execPath, [compiler, "-p", tsconfig], { cwd: app, encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe.each(Object.entries(COMPILERS))("the packed declarations under %s", (_, compiler) => {
  it.each(CONSUMERS)(
    "compile alone under strict, skipLibCheck false ($name)",
    (consumer) => {
      const r = tsc(compiler, consumer, GOOD, "good");
      expect(r.output).toBe("");
      expect(r.status).toBe(0);
    },
    120_000,
  );

  it.each(CONSUMERS)(
    "refuse a misspelt field, for that reason ($name)",
    (consumer) => {
      const r = tsc(compiler, consumer, BAD, "bad");
      expect(r.status).not.toBe(0);
      // Exactly one error, in the user's file, naming the misspelt property.
      const errors = r.output.split("\n").filter((l) => /error TS\d+/.test(l));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(new RegExp(`^bad\\.${consumer.ext}\\(4,`));
      expect(errors[0]).toMatch(/TS2353|TS2561/);
      expect(errors[0]).toContain("'bdy'");
    },
    120_000,
  );
});

describe("the root entry's engine classes", () => {
  it("are types, not values (TypeScript 5.9, bundler resolution)", () => {
    const r = tsc(COMPILERS["TypeScript 5.9"], CONSUMERS[2], ENGINE_VALUE, "engine");
    const errors = r.output.split("\n").filter((l) => /error TS\d+/.test(l));
    expect(errors).toHaveLength(2);
    for (const e of errors) expect(e).toMatch(/TS1361|TS1362|TS2693/);
  }, 120_000);
});
