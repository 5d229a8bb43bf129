import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// What keeps `import "wa-guard"` cheap, checked on the source and on the build (`npm run build`
// first). The costs are measured in docs/performance.md, "Where a cold start goes".
const ROOT = resolve(import.meta.dirname, "../..");
const DIST = join(ROOT, "dist");
const SRC = join(ROOT, "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** Every regular-expression literal of a TypeScript file, as written. */
function regexLiterals(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) found.push(node.getText(source));
    node.forEachChild(visit);
  };
  visit(source);
  return found;
}

describe("cold start", () => {
  it("no regex literal in src uses a Unicode property escape (V8 checks those while parsing the module)", () => {
    // A `\p{…}` literal builds its character set from ICU's tables when the module is parsed,
    // even inside a function that never runs; `lazyRegExp` builds it on first use instead.
    const offenders = sourceFiles(SRC).flatMap((file) =>
      regexLiterals(file)
        .filter((re) => /\\[pP]\{/.test(re))
        .map((re) => `${file.slice(SRC.length + 1)}: ${re}`),
    );
    expect(offenders).toEqual([]);
  });

  it("the check finds such a literal when there is one", () => {
    // The test above must be able to fail: the same walk over a file with one.
    const probe = import.meta.filename;
    expect(regexLiterals(probe).some((re) => /\\[pP]\{/.test(re))).toBe(true);
    expect(/\p{L}/u.test("a")).toBe(true); // the literal the walk above finds
  });

  it("every JavaScript file of dist is ASCII (a non-ASCII character makes V8 read the whole module at two bytes a character)", () => {
    const files = readdirSync(DIST).filter((f) => /\.c?js$/.test(f));
    expect(files).toContain("index.js");
    expect(files).toContain("index.cjs");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range, on purpose
    const nonAscii = files.filter((f) => /[^\x00-\x7f]/.test(readFileSync(join(DIST, f), "utf8")));
    expect(nonAscii).toEqual([]);
  });

  it("importing the root entry loads no Node built-in module beyond what the ES-module loader needs", async () => {
    const { execFileSync } = await import("node:child_process");
    const script = `const before = new Set(process.moduleLoadList);
      await import(${JSON.stringify(join(DIST, "index.js"))});
      await import(${JSON.stringify(join(DIST, "testing.js"))});
      console.log(JSON.stringify(process.moduleLoadList.filter((m) => !before.has(m))));`;
    const loaded: string[] = JSON.parse(
      execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }),
    );
    // node:crypto, node:http (with net and streams) and perf_hooks cost milliseconds each; they
    // load on first use (webhooks, the fake's HTTP server, the Redis client).
    const heavy = loaded.filter((m) => /\b(crypto|http|net|stream|perf_hooks|undici)\b/.test(m));
    expect(heavy).toEqual([]);
  });

  it("the built package's slim phone metadata gives the recipient guard the same verdicts as the source", async () => {
    // dist bundles libphonenumber-js's metadata without formatting rules (scripts/phone-metadata.mjs).
    const { execFileSync } = await import("node:child_process");
    const script = `const { WhatsAppClient } = await import(${JSON.stringify(join(DIST, "index.js"))});
      const { FakeCloudApi, fakeTransport } = await import(${JSON.stringify(join(DIST, "testing.js"))});
      const fake = new FakeCloudApi();
      const wa = new WhatsAppClient({ accessToken: fake.accessToken, phoneNumberId: fake.phoneNumberId, transport: fakeTransport(fake) });
      const out = {};
      for (const to of ["+1 416 555 123", "+999 1234 5678", "+351 91 234 567", "+44 7911 1234567", "+44 7911 123456", "5215512345678", "+351 912 345 678", "+86 138 0013 8000"])
        out[to] = (await wa.policy.check({ type: "text", to, body: "hi" })).violations.some((v) => v.rule === "recipient");
      console.log(JSON.stringify(out));`;
    const refused = JSON.parse(
      execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }),
    );
    expect(refused).toEqual({
      "+1 416 555 123": true,
      "+999 1234 5678": true,
      "+351 91 234 567": true,
      "+44 7911 1234567": true,
      "+44 7911 123456": false,
      "5215512345678": false,
      "+351 912 345 678": false,
      "+86 138 0013 8000": false,
    });
    const chunk = readdirSync(DIST).find((f) => /^phone-lib-.*\.js$/.test(f));
    expect(chunk).toBeDefined();
    // A national format rule of the published metadata ("$1 $2") is not in the built chunk.
    expect(readFileSync(join(DIST, chunk as string), "utf8")).not.toContain('"$1 $2"');
  });
});
