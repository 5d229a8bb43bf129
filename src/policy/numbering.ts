import { BoundedMap } from "../internal/bounded-map.js";
import { lazyImport } from "../internal/lazy-import.js";

/**
 * Phone-number plausibility from libphonenumber-js (its "min" metadata: country calling codes
 * and possible lengths). The library is loaded on first use — or in the background when a client
 * with the recipient guard is built — so `import "wa-guard"` stays cheap.
 */
type Numbering = typeof import("./phone-lib.js");

let unavailable = false;

const numbering = lazyImport(
  () =>
    import("./phone-lib.js").catch(() => {
      // A bundle without the library: the shape check alone applies.
      unavailable = true;
      return undefined;
    }),
  (lib) => {
    if (lib === undefined) return undefined;
    // Under CommonJS interop the named exports may sit on `default`.
    const named = lib as Numbering & { default?: unknown };
    return typeof named.validatePhoneNumberLength === "function"
      ? named
      : (named.default as unknown as Numbering);
  },
);

/** Start loading the metadata (idempotent). Resolves to undefined when it cannot be loaded. */
export function loadNumbering(): Promise<Numbering | undefined> {
  return numbering();
}

/** The metadata if it has loaded already (no waiting), else undefined. */
export function loadedNumbering(): Numbering | undefined {
  return numbering.loaded;
}

const verdicts = new BoundedMap<string, string | null>(100_000);
const WHY: Record<string, string> = {
  INVALID_COUNTRY: "no country uses this calling code",
  TOO_SHORT: "too short for its country",
  TOO_LONG: "too long for its country",
  INVALID_LENGTH: "not a possible length for its country",
  NOT_A_NUMBER: "not a phone number",
};

function judge(lib: Numbering, digits: string): string | null {
  const problem = lib.validatePhoneNumberLength(`+${digits}`);
  if (problem === undefined) return null;
  return WHY[problem] ?? "not a possible phone number";
}

/**
 * Why the international number `digits` (canonical: national aliases already collapsed, so
 * Mexico's `521…` and Argentina's `549…` wa_ids are judged in their current form) cannot exist,
 * or undefined when it can. Lengths only, never number ranges: metadata that lags a new range
 * must not refuse a real person. A promise only while the metadata is loading.
 */
export function numberProblem(digits: string): string | undefined | Promise<string | undefined> {
  const cached = verdicts.get(digits);
  if (cached !== undefined) return cached ?? undefined;
  if (unavailable) return undefined;
  const loaded = numbering.loaded;
  if (loaded) {
    const verdict = judge(loaded, digits);
    verdicts.set(digits, verdict);
    return verdict ?? undefined;
  }
  return loadNumbering().then((lib) => {
    if (!lib) return undefined;
    const verdict = judge(lib, digits);
    verdicts.set(digits, verdict);
    return verdict ?? undefined;
  });
}
