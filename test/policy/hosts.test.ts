import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DomainSet, parseHost } from "../../src/policy/hosts.js";

const DOMAINS = ["bit.ly", "shop.example", "xn--e1afmkfd.xn--p1ai", "127.0.0.1", "[::1]", "localhost"];
/** What `new URL` says: on one of the domains (or a subdomain), or undefined when the host does not parse. */
function oracle(raw: string, domains: readonly string[]): boolean | undefined {
  const host = parseHost(raw);
  if (host === undefined) return undefined;
  return domains.some((d) => host === d || host.endsWith(`.${d}`));
}

describe("DomainSet answers as WHATWG URL host parsing does", () => {
  const pieces = [
    "bit",
    "ly",
    "BIT",
    "Ｂｉｔ",
    "%62it",
    "%62",
    "b%C4%B1t",
    "shop",
    "example",
    "ẞ",
    "ß",
    "пример",
    "рф",
    "ПРИМЕР",
    "РФ",
    "xn--e1afmkfd",
    "xn--p1ai",
    "127",
    "0x7f",
    "0",
    "1",
    "017",
    "08",
    "2130706433",
    "%2e",
    "%2E",
    ".",
    "..",
    "-",
    "a",
    "localhost",
    "\u0301",
    "%E2%80%8D",
    "%ef%bd%82",
    "%FF",
    "_",
    "%",
  ];
  const host = fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 6 }).map((p) => p.join(""));

  it.each([
    ["shorteners", ["bit.ly", "tinyurl.com"]],
    ["allowed domains, with IPs and IDN", DOMAINS],
  ])("for random hosts against %s", (_, domains) => {
    const set = new DomainSet(domains.map((d) => parseHost(d) as string));
    fc.assert(
      fc.property(host, (raw) => {
        const expected = oracle(raw, set.domains);
        const got = set.has(raw);
        // `undefined` and `false` both mean "not on the domains"; a host judged on them must be.
        if (expected === true) expect(got, raw).toBe(true);
        else expect(got === true && expected === false, raw).toBe(false);
      }),
      { numRuns: 20_000 },
    );
  });

  it("knows the seen bypasses", () => {
    const short = new DomainSet(["bit.ly", "tinyurl.com"]);
    for (const raw of ["%62it.ly", "bit.ly.", "BIT.LY", "x.bit.ly", "bit%2Ely", "%ef%bd%82it.ly"])
      expect(short.has(raw), raw).toBe(true);
    const allow = new DomainSet(["shop.example"]);
    for (const raw of ["evіl.com", "пример.рф", "1572395042", "[::1]", "localhost", "shopexample", "example"])
      expect(allow.has(raw), raw).not.toBe(true);
  });
});

describe("what each code point becomes in a host", () => {
  it("a letter, mark or number that no case mapping or NFKC changes keeps the label non-ASCII (all of Unicode)", () => {
    // hosts.ts relies on this to skip `new URL`; the code points UTS 46 ignores are removed from
    // the text before (see normaliseText) and are listed here.
    const ignorable = /\p{Default_Ignorable_Code_Point}/u;
    const ignored = (c: number) =>
      ignorable.test(String.fromCodePoint(c)) || // asked of `new URL` (newer Unicode drops some)
      c === 0x34f ||
      (c >= 0x180b && c <= 0x180f) ||
      (c >= 0xfe00 && c <= 0xfe0f) ||
      (c >= 0xe0100 && c <= 0xe01ef);
    const word = /[\p{L}\p{M}\p{N}]/u;
    const broken: string[] = [];
    for (let c = 0x80; c <= 0x10ffff; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const ch = String.fromCodePoint(c);
      if (!word.test(ch) || ch.toLowerCase() !== ch || ch.normalize("NFKC") !== ch || ignored(c)) continue;
      const host = parseHost(`a${ch}a`);
      if (host !== undefined && !host.startsWith("xn--")) broken.push(c.toString(16));
    }
    expect(broken).toEqual([]);
  }, 60_000);
});
