/** Finding the TypeScript snippets of a Markdown page (for snippets.test.ts). */
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
