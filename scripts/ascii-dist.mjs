// After `tsup` (and the chunk merge): make every JavaScript file of dist pure ASCII.
//
// Why: esbuild escapes non-ASCII characters in code (strings, regexes, identifiers) but keeps
// comments as written, and ours have dashes, arrows and ellipses. One such character anywhere
// makes the whole module a two-byte string: Node decodes the file to UTF-16 and V8 scans
// 400 KB of it at two bytes a character. That was about a tenth of the instructions of
// `import "wa-guard"` (docs/performance.md, "Where a cold start goes").
//
// Each non-ASCII character is written as its nearest ASCII (an em dash as `--`, an arrow as
// `->`, an accented letter without its accent, anything else as `\u{…}`). That is safe only in
// comments, so the script proves it: each file minified (which drops comments) before and after
// must be the same, byte for byte. If esbuild ever writes a non-ASCII character in code, the
// build fails here instead of shipping a changed program.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { transformSync } from "esbuild";

const DIST = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");

// A debugging build with source maps is left as written: a changed comment could move a column.
if (process.env.WA_GUARD_SOURCEMAP === "1") process.exit(0);

const NEAREST = {
  "\u2014": "--", // em dash
  "\u2013": "-", // en dash
  "\u2011": "-", // non-breaking hyphen
  "\u2026": "...",
  "\u2192": "->",
  "\u2190": "<-",
  "\u2194": "<->",
  "\u21D2": "=>",
  "\u2018": "'",
  "\u2019": "'",
  "\u201C": '"',
  "\u201D": '"',
  "\u00D7": "x",
  "\u2264": "<=",
  "\u2265": ">=",
  "\u2260": "!=",
  "\u2248": "~",
  "\u00B1": "+/-",
  "\u2022": "*",
  "\u00A0": " ",
  "\u00B5": "u", // micro sign
  "\u03BC": "u",
  "\u00A7": "S",
};

const nearest = (ch) =>
  NEAREST[ch] ??
  (() => {
    const bare = ch.normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
    return /^[\x20-\x7e]+$/.test(bare) ? bare : `\\u{${ch.codePointAt(0).toString(16)}}`;
  })();

const stripComments = (code, file) =>
  transformSync(code, {
    format: file.endsWith(".cjs") ? "cjs" : "esm",
    minify: true,
    legalComments: "none",
    charset: "ascii",
    logLevel: "silent",
  }).code;

let changed = 0;
for (const file of readdirSync(DIST)) {
  if (!/\.(c?js)$/.test(file)) continue;
  const path = join(DIST, file);
  const before = readFileSync(path, "utf8");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range, on purpose
  if (!/[^\x00-\x7f]/.test(before)) continue;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range, on purpose
  const after = before.replace(/[^\x00-\x7f]/gu, nearest);
  // A hashbang line is not JavaScript to esbuild's transform; compare what follows it.
  const body = (s) => s.replace(/^#!.*\n/, "");
  if (stripComments(body(before), file) !== stripComments(body(after), file))
    throw new Error(
      `ascii-dist: ${file} has non-ASCII characters outside comments; escaping them would change the program`,
    );
  writeFileSync(path, after);
  changed++;
}
console.log(`ascii-dist: ${changed} file(s) of dist made ASCII (comments only)`);
