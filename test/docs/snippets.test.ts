import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join, relative, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { extractSnippets, markdownLine, type Snippet } from "./extract.js";

// Every ```ts block of README.md and docs/ is compiled under the repository's strict tsconfig,
// with `wa-guard`, `wa-guard/stores`, `wa-guard/testing`, `wa-guard/redis` and `wa-guard/postgres` mapped to the
// built declarations in dist/ (what the published package ships; `npm test` builds first). A block that is deliberately partial is marked ```ts partial (used sparingly); one that
// goes on from the page's previous block is marked ```ts continued (compiled with it).
// Free names a snippet uses without defining (`wa`, `to`, …) are declared in GLOBALS (below: kept
// out of the repository's own compilation, where they would be globals of every test).
const ROOT = resolve(import.meta.dirname, "../..");

function markdownFiles(): string[] {
  const out = ["README.md"];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".md")) out.push(path);
    }
  };
  walk("docs");
  return out.sort();
}

const GLOBALS = `
// What the prose around the snippets in README.md and docs/ says is in scope without showing it:
// the client, its settings, a recipient and a text. A snippet that defines one of these names
// itself shadows it (each snippet is a module).
declare const WhatsAppClient: typeof import("wa-guard").WhatsAppClient;
type WhatsAppClient = import("wa-guard").WhatsAppClient;
/** A client built as the page shows. */
declare const wa: WhatsAppClient;
declare const accessToken: string;
declare const phoneNumberId: string;
declare const wabaId: string;
/** A recipient: a phone number in international format, or a BSUID. */
declare const to: string;
declare const body: string;

// The application's own code the snippets call (its database, its CRM, its logs).
declare function customers(): AsyncIterable<string>;
declare const db: {
  cursor(sql: string): AsyncIterable<{ to: string }>;
  markSent(to: string, messageId: string): Promise<void>;
};
declare const names: { get(to: string): Promise<string> };
declare const numbers: string[];
declare const inboundWamid: string;
declare const crm: { unsubscribe(recipient: string, scope: string, source: string): Promise<void> };
declare function log(...values: unknown[]): void;
/** An ioredis client, connected as docs/deployment.md shows. */
declare const redis: import("ioredis").Redis;
declare function deliveredAccordingToYourLogs(correlationId: string): Promise<boolean>;
`;

const snippets = markdownFiles().flatMap((f) => extractSnippets(f, readFileSync(join(ROOT, f), "utf8")));
mkdirSync(join(ROOT, ".tmp"), { recursive: true });
const dir = mkdtempSync(join(ROOT, ".tmp", "doc-snippets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("TypeScript snippets in README.md and docs/", () => {
  it("the extractor finds blocks, honours `partial`, and keeps line numbers", () => {
    const md = [
      "# t",
      "```ts",
      "const a = 1;",
      "```",
      "",
      "```ts partial",
      "x.y;",
      "```",
      "```typescript",
      "1",
      "```",
    ];
    expect(extractSnippets("t.md", md.join("\n"))).toEqual([
      { file: "t.md", line: 3, code: "const a = 1;" },
      { file: "t.md", line: 10, code: "1" },
    ]);
    const continued = [
      "```ts",
      "const a = 1;",
      "```",
      "text",
      "```ts continued",
      "const b = a;",
      "b;",
      "```",
    ];
    const [one] = extractSnippets("c.md", continued.join("\n"));
    expect(one?.code).toBe("const a = 1;\n{\nconst b = a;\nb;\n}");
    expect(one && [1, 3, 4].map((n) => markdownLine(one, n))).toEqual([2, 6, 7]);
    expect(snippets.length).toBeGreaterThan(30);
  });

  it("every snippet compiles under strict", () => {
    const names = new Map<string, Snippet>();
    snippets.forEach((s, i) => {
      const name = `s${String(i).padStart(3, "0")}_${s.file.replace(/[^\w]+/g, "_")}.ts`;
      names.set(name, s);
      // A module of its own: top-level await, and its names shadow the declared globals.
      writeFileSync(join(dir, name), `${s.code}\nexport {};\n`);
    });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(join(dir, "snippet-globals.d.ts"), GLOBALS);
    const dist = (p: string) => join(ROOT, "dist", p);
    if (!existsSync(dist("index.d.ts"))) throw new Error("dist/ is not built: run `npm run build` first");
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        extends: join(ROOT, "tsconfig.json"),
        compilerOptions: {
          noEmit: true,
          paths: {
            "wa-guard": [dist("index.d.ts")],
            "wa-guard/testing": [dist("testing.d.ts")],
            "wa-guard/stores": [dist("stores.d.ts")],
            "wa-guard/redis": [dist("redis.d.ts")],
            "wa-guard/postgres": [dist("postgres.d.ts")],
          },
        },
        include: ["*.ts"],
      }),
    );
    let output = "";
    try {
      execFileSync(
        join(ROOT, "node_modules/.bin/tsc"),
        ["-p", join(dir, "tsconfig.json"), "--pretty", "false"],
        {
          cwd: ROOT,
          encoding: "utf8",
        },
      );
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    // Point each error at the Markdown line it comes from.
    const located = output
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => {
        const m = /^(.*?)\((\d+),(\d+)\): (.*)$/.exec(l);
        const s = m && names.get(relative(dir, resolve(ROOT, m[1] ?? "")));
        return s && m ? `${s.file}:${markdownLine(s, Number(m[2]))}: ${m[4]}` : l;
      });
    expect(located).toEqual([]);
  }, 120_000);
});
