import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// Every ```ts block of README.md and docs/ is compiled under the repository's strict tsconfig,
// with `wa-guard`, `wa-guard/testing`, `wa-guard/redis` and `wa-guard/postgres` mapped to the
// sources. A block that is deliberately partial is marked ```ts partial (used sparingly); one that
// goes on from the page's previous block is marked ```ts continued (compiled with it).
// Free names a snippet uses without defining (`wa`, `to`, …) are declared in snippet-globals.d.ts.
const ROOT = resolve(import.meta.dirname, "../..");

export interface Snippet {
  /** Where it is: the Markdown file (relative to the root) and the line of its first code line. */
  file: string;
  line: number;
  code: string;
  /** A snippet continued by later ones (```ts continued): where each part starts in `code`. */
  parts?: Array<{ at: number; line: number }>;
}

/** The Markdown line of line `n` (1-based) of a snippet's code. */
export function markdownLine(s: Snippet, n: number): number {
  const part = [...(s.parts ?? [{ at: 0, line: s.line }])].reverse().find((p) => n - 1 >= p.at);
  return part ? part.line + (n - 1 - part.at) : s.line + n - 1;
}

/** The ```ts / ```typescript blocks of one Markdown text, without those marked `partial`. */
export function extractSnippets(file: string, markdown: string): Snippet[] {
  const out: Snippet[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(ts|typescript)\b(.*)$/.exec(lines[i] ?? "");
    if (!open) continue;
    const [, indent = "", fence = "", , info = ""] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j] ?? "";
      if (l.trimStart().startsWith(fence) && l.trim() === l.trim().replace(/[^`~]/g, "")) break;
      body.push(l.startsWith(indent) ? l.slice(indent.length) : l);
    }
    const previous = out.at(-1);
    if (/\bcontinued\b/.test(info) && previous) {
      // Continues the page's previous snippet: sees its names, may define its own (a block).
      const offset = previous.code.split("\n").length + 1;
      previous.parts = [...(previous.parts ?? [{ at: 0, line: previous.line }]), { at: offset, line: i + 2 }];
      previous.code = `${previous.code}\n{\n${body.join("\n")}\n}`;
    } else if (!/\bpartial\b/.test(info)) out.push({ file, line: i + 2, code: body.join("\n") });
    i = j;
  }
  return out;
}

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
    writeFileSync(
      join(dir, "snippet-globals.d.ts"),
      readFileSync(join(import.meta.dirname, "snippet-globals.d.ts")),
    );
    const src = (p: string) => join(ROOT, "src", p);
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        extends: join(ROOT, "tsconfig.json"),
        compilerOptions: {
          noEmit: true,
          paths: {
            "wa-guard": [src("index.ts")],
            "wa-guard/testing": [src("testing/index.ts")],
            "wa-guard/redis": [src("redis/index.ts")],
            "wa-guard/postgres": [src("postgres/index.ts")],
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
