import { defineConfig } from "tsup";
import { slimPhoneMetadata } from "./scripts/phone-metadata.mjs";

// zod, eventemitter3, p-queue and libphonenumber-js are bundled (and tree-shaken) into dist:
// importing them unbundled from node_modules costs 80-100 ms (zod), ~20 ms
// (eventemitter3) and 50-130 ms (libphonenumber-js, hundreds of small ES modules) of
// cold start, which serverless users pay on every cold start. libphonenumber-js sits
// in its own chunk, loaded when a client with the recipient guard is built. undici
// stays an external dependency and is loaded lazily on the first request.
// After tsup, `scripts/merge-entry-chunks.mjs` (part of `npm run build`) merges the small shared
// ES-module chunks the root entry loads into one, dist/chunk-root.js: ten modules fewer to load
// on `import "wa-guard"` (docs/performance.md, "Where a cold start goes").
// Then `scripts/ascii-dist.mjs` writes the non-ASCII characters of comments as ASCII: one such
// character made V8 read a whole module as a two-byte string.
// libphonenumber-js's metadata is bundled without its formatting rules, which nothing here reads
// (`scripts/phone-metadata.mjs`): 50 KB less for the first send to parse.
export default defineConfig({
  entry: {
    index: "src/index.ts",
    stores: "src/state/index.ts",
    testing: "src/testing/index.ts",
    redis: "src/redis/index.ts",
    postgres: "src/postgres/index.ts",
    // The `wa-guard` command (package.json `bin`). It has a hashbang, so tsup marks it executable.
    cli: "src/cli/main.ts",
  },
  format: ["esm", "cjs"],
  // No declarations for the command: it is run, not imported.
  dts: {
    entry: {
      index: "src/index.ts",
      stores: "src/state/index.ts",
      testing: "src/testing/index.ts",
      redis: "src/redis/index.ts",
      postgres: "src/postgres/index.ts",
    },
  },
  // Source maps are built only on request (WA_GUARD_SOURCEMAP=1 npm run build): the published
  // JavaScript is not minified, so stack traces already name real lines of readable code.
  sourcemap: process.env["WA_GUARD_SOURCEMAP"] === "1",
  clean: true,
  target: "node20",
  platform: "node",
  splitting: true,
  treeshake: true,
  noExternal: ["zod", "eventemitter3", "libphonenumber-js", "p-queue", "p-timeout"],
  esbuildPlugins: [slimPhoneMetadata],
  // No minification: a stack trace points at a readable line, and an uncaught error prints that
  // line, not the whole bundle.
});
