// The phone-number metadata wa-guard bundles: libphonenumber-js's "min" metadata without the
// national formatting rules (`formats`), which only formatting reads. The recipient guard asks
// the library for a number's possible lengths and the marketing rule for its country; neither
// formats a number, and a test (test/policy/phone-metadata.test.ts) checks that both answer the
// same with and without the rules. The rules are 50 KB of the metadata's 83 KB, and the chunk
// holding it is loaded by the first send of a client with the recipient guard, so they were
// most of what that first send parsed for nothing (docs/performance.md, "Where a cold start goes").
//
// Used by tsup.config.ts as an esbuild plugin, so the source imports the library as published
// (tests and `tsx` read the whole metadata) and only the built package carries the slim copy.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

// Each country's entry is a list; its fifth item is the formats (the library's own layout, see
// its metadata.js: `formats` reads index 4 of a country in metadata version 4).
const FORMATS = 4;
const METADATA_VERSION = 4;

/** A copy of `metadata` without the formatting rules (each `formats` item null: the library reads a missing one as none). */
export function withoutFormats(metadata) {
  if (metadata.version !== METADATA_VERSION)
    throw new Error(
      `phone-metadata: libphonenumber-js metadata version ${metadata.version}, expected ${METADATA_VERSION}; check the layout before stripping`,
    );
  const strip = (entries) =>
    Object.fromEntries(
      Object.entries(entries ?? {}).map(([key, entry]) => {
        const copy = [...entry];
        if (copy.length > FORMATS) copy[FORMATS] = null;
        return [key, copy];
      }),
    );
  return {
    ...metadata,
    countries: strip(metadata.countries),
    ...(metadata.nonGeographic && { nonGeographic: strip(metadata.nonGeographic) }),
  };
}

/** The esbuild plugin: the library's "min" metadata (its JSON and its JS wrapper) loads slim. */
export const slimPhoneMetadata = {
  name: "slim-phone-metadata",
  setup(build) {
    const require = createRequire(import.meta.url);
    build.onLoad({ filter: /[\\/]libphonenumber-js[\\/]metadata\.min\.json(\.js)?$/ }, (args) => {
      const json = JSON.parse(readFileSync(require.resolve("libphonenumber-js/metadata.min.json"), "utf8"));
      const slim = JSON.stringify(withoutFormats(json));
      return args.path.endsWith(".js")
        ? { contents: `export default ${slim};`, loader: "js" }
        : { contents: slim, loader: "json" };
    });
  },
};
