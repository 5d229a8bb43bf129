// After `tsup`: merge the small shared ES-module chunks that the root entry (dist/index.js)
// loads into one module, dist/chunk-root.js, and point every ES module of dist at it.
//
// Why: esbuild gives each set of entries (index, stores, testing, redis, postgres) that reach a
// piece of code its own chunk, so `import "wa-guard"` loaded ten small chunks besides the entry,
// each one more module to resolve, read, compile and link (~3.5 ms of a cold import, measured:
// docs/performance.md, "Where a cold start goes"). Merged, the entry loads two modules.
//
// Every entry still shares one instance of each class and store: the merged chunks are deleted
// and every import of them (from any entry or chunk) now names chunk-root.js. The CommonJS
// build is left as tsup wrote it. A build with source maps (WA_GUARD_SOURCEMAP=1) is left
// unmerged, since the merged module would have none. esbuild is the one tsup builds with (its
// dependency, installed at the top of node_modules by the lock file), not a dependency of its own.
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const DIST = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");
const ROOT_CHUNK = "chunk-root.js";

if (process.env.WA_GUARD_SOURCEMAP === "1") process.exit(0);

// Static imports and re-exports of a local chunk: `import {…} from './chunk-X.js'`,
// `import './chunk-X.js'`, `export {…} from './chunk-X.js'` (esbuild writes them one a line).
const STATIC =
  /^(?:import|export)\s[^;]*?from\s*'\.\/(chunk-[A-Z0-9]+\.js)';|^import\s*'\.\/(chunk-[A-Z0-9]+\.js)';/gm;
const staticChunks = (file) =>
  [...readFileSync(join(DIST, file), "utf8").matchAll(STATIC)].map((m) => m[1] ?? m[2]);

// The chunks the root entry loads, transitively.
const merged = new Set();
const visit = (file) => {
  for (const chunk of staticChunks(file))
    if (!merged.has(chunk)) {
      merged.add(chunk);
      visit(chunk);
    }
};
visit("index.js");
if (merged.size < 2) process.exit(0);

// Each chunk's exports; two chunks exporting one name could not share a module.
const owner = new Map();
for (const chunk of merged) {
  const source = readFileSync(join(DIST, chunk), "utf8");
  for (const m of source.matchAll(/^export \{([^}]*)\};$/gm))
    for (const spec of m[1]
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)) {
      const name = spec.split(/\s+as\s+/).pop();
      if (owner.has(name))
        throw new Error(`merge-entry-chunks: ${name} is exported by ${owner.get(name)} and ${chunk}`);
      owner.set(name, chunk);
    }
}

await build({
  stdin: {
    contents: [...merged].map((c) => `export * from "./${c}";`).join("\n"),
    resolveDir: DIST,
    sourcefile: "merged-entry-chunks.js",
  },
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outfile: join(DIST, ROOT_CHUNK),
  // Packages (undici, loaded lazily) and anything outside the merged chunks stay imports.
  plugins: [
    {
      name: "only-merged-chunks",
      setup(b) {
        b.onResolve({ filter: /.*/ }, (args) => {
          if (args.kind === "entry-point") return undefined;
          const local = args.path.startsWith("./") ? args.path.slice(2) : undefined;
          return local !== undefined && merged.has(local) ? undefined : { path: args.path, external: true };
        });
      },
    },
  ],
  logLevel: "error",
});

// Point every ES module of dist at the merged chunk, then drop the merged chunks.
for (const file of readdirSync(DIST)) {
  if (!file.endsWith(".js") || file === ROOT_CHUNK || merged.has(file)) continue;
  const path = join(DIST, file);
  const source = readFileSync(path, "utf8");
  let seenBare = false;
  const out = source.replace(STATIC, (statement, a, b) => {
    const chunk = a ?? b;
    if (!merged.has(chunk)) return statement;
    if (b !== undefined) {
      // A bare `import './chunk-X.js'` (load for its effects): once is enough.
      if (seenBare) return "";
      seenBare = true;
      return `import './${ROOT_CHUNK}';`;
    }
    return statement.replace(`'./${chunk}'`, `'./${ROOT_CHUNK}'`);
  });
  if (out !== source) writeFileSync(path, out);
}
for (const chunk of merged) rmSync(join(DIST, chunk));
