import { defineConfig } from "tsup";

// zod and eventemitter3 are bundled (and tree-shaken) into dist: importing them
// unbundled from node_modules costs 80-100 ms (zod) and ~20 ms (eventemitter3) of
// cold start, which serverless users pay on every cold start. undici stays an
// external dependency and is loaded lazily on the first request.
export default defineConfig({
  entry: { index: "src/index.ts", testing: "src/testing/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  platform: "node",
  splitting: true,
  treeshake: true,
  noExternal: ["zod", "eventemitter3"],
  // Whitespace and syntax only: identifiers keep their names in stack traces (sourcemaps map back),
  // and the smaller file parses faster on a cold start.
  esbuildOptions(options) {
    options.minifyWhitespace = true;
    options.minifySyntax = true;
  },
});
