import { createRequire } from "node:module";
import { parsePhoneNumberFromString, validatePhoneNumberLength } from "libphonenumber-js/core";
import { describe, expect, it } from "vitest";
import { withoutFormats } from "../../scripts/phone-metadata.mjs";

// The built package bundles libphonenumber-js's metadata without its formatting rules
// (scripts/phone-metadata.mjs). The policy asks the library two things: a number's possible
// length (the recipient guard) and its country (the US marketing rule). Both must answer the same
// with the slim metadata as with the published one, for every calling code.
const require = createRequire(import.meta.url);
const full = require("libphonenumber-js/metadata.min.json");
// As bundled: through JSON, so what is checked is byte for byte what ships.
const slim = JSON.parse(JSON.stringify(withoutFormats(full)));

/** A small deterministic generator: the same numbers on every run. */
function digits(seed: number, length: number): string {
  let x = seed >>> 0 || 1;
  let out = "";
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out += String((x >>> 0) % 10);
  }
  return out;
}

describe("the slim phone-number metadata", () => {
  it("has no formatting rules left, and is much smaller", () => {
    for (const entry of Object.values(slim.countries) as unknown[][]) expect(entry[4] ?? null).toBeNull();
    expect(JSON.stringify(slim).length).toBeLessThan(JSON.stringify(full).length / 2);
  });

  it("gives the same length verdict and country as the published metadata, for every calling code", () => {
    const codes = Object.keys(full.country_calling_codes);
    expect(codes.length).toBeGreaterThan(200);
    let compared = 0;
    const differ: string[] = [];
    for (const [i, code] of codes.entries())
      for (let length = 1; length <= 15; length++)
        for (const [j, lead] of ["", "0", "1", "9"].entries()) {
          const number = `+${code}${lead}${digits(i * 1_000 + length * 10 + j, length)}`;
          const a = validatePhoneNumberLength(number, full);
          const b = validatePhoneNumberLength(number, slim);
          const pa = parsePhoneNumberFromString(number, full);
          const pb = parsePhoneNumberFromString(number, slim);
          compared++;
          if (a !== b || pa?.country !== pb?.country || pa?.nationalNumber !== pb?.nationalNumber)
            differ.push(`${number}: ${a}/${b} ${pa?.country}/${pb?.country}`);
        }
    expect(compared).toBeGreaterThan(10_000);
    expect(differ).toEqual([]);
  });

  it("the library reads the metadata it is given: changing an item it uses (possible lengths) changes the verdict", () => {
    const broken = JSON.parse(JSON.stringify(full));
    for (const entry of Object.values(broken.countries) as unknown[][]) entry[3] = [2];
    expect(validatePhoneNumberLength("+447911123456", full)).toBeUndefined();
    expect(validatePhoneNumberLength("+447911123456", broken)).toBe("TOO_LONG");
  });

  it("refuses a metadata layout it does not know", () => {
    expect(() => withoutFormats({ ...full, version: 5 })).toThrow(/version 5/);
  });
});
