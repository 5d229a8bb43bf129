/**
 * Links in text, found the way a WhatsApp client makes them tappable — with or without a scheme,
 * in any case, `www.` or a bare domain with a top-level domain, e-mail domains — and their hosts
 * compared the way a browser parses them (see hosts.ts). Every scan is one pass over the text.
 *
 * The text is expected to be normalised already (NFKC, invisible characters removed, ideographic
 * full stops between ASCII letters read as dots): see `normaliseText` in content.ts.
 */

import { charInfo, type DomainSet, LETTER, OTHER, parseHost, UNSPACED } from "./hosts.js";
import { isRootZoneTld } from "./tlds.js";

export interface LinkRules {
  /** Shortener domains: a link to one of them, or a subdomain, is refused. */
  shorteners: DomainSet;
  /** When set, the only domains links may point to (and their subdomains). */
  allow: DomainSet | undefined;
}

/**
 * File extensions people write after a file name that are not top-level domains (none is in
 * IANA's root zone, as listed by the Public Suffix List): `invoice.pdf` is not a link.
 */
const NOT_TLDS = new Set(
  (
    "pdf doc docx xls xlsx ppt pptx txt csv jpg jpeg png gif webp heic heif svg bmp tif tiff wav ogg " +
    "opus aac amr html htm json xml rtf odt ods odp ics vcf eml rar gz tgz tar apk exe dmg log"
  ).split(" "),
);

const SCHEME_RE = /\b(?:javascript:\S|vbscript:\S|data:[a-z]+\/|file:\/|intent:\/)/i;

/** A host for a reason string: never more than 64 characters. */
const shown = (host: string) => (host.length > 64 ? `${host.slice(0, 63)}…` : host);

type Judge = (raw: string, allowCheck: boolean) => string | undefined;

/** Why the links in this (normalised) text break the rules, or undefined. */
export function linkProblem(s: string, rules: LinkRules): string | undefined {
  if (SCHEME_RE.test(s))
    return "links must use http(s); other schemes (javascript:, data:, file:, …) are refused";
  // Hosts that do not parse, met on the way to a refusal: asked of `new URL` once per text.
  let broken: Set<string> | undefined;
  const judge: Judge = (raw, allowCheck) => {
    const short = rules.shorteners.has(raw);
    if (short === undefined) return undefined; // not a host a browser would open
    if (short) {
      const host = shown(parseHost(raw) ?? raw);
      return `links through URL shorteners (${host}) hide their destination; link to your own domain`;
    }
    if (allowCheck && rules.allow && rules.allow.has(raw) === false && !broken?.has(raw)) {
      const host = parseHost(raw);
      if (host !== undefined)
        return `links may only point to the allowed domains (${rules.allow.domains.join(", ")}), not ${shown(host)}`;
      broken ??= new Set();
      broken.add(raw);
    }
    return undefined;
  };
  return (
    schemeLinks(s, judge) ??
    bareHosts(s, false, judge) ??
    (s.includes("%") || s.includes("_") ? bareHosts(s, true, judge) : undefined)
  );
}

const isAsciiLetter = (c: number) => (c | 0x20) >= 97 && (c | 0x20) <= 122;
const isSchemeChar = (c: number) =>
  c === 43 || c === 45 || c === 46 || (c >= 48 && c <= 57) || isAsciiLetter(c);
const isSpace = (c: number) =>
  c <= 32 ||
  c === 0x85 ||
  c === 0xa0 ||
  (c >= 0x2000 && c <= 0x200a) ||
  c === 0x2028 ||
  c === 0x2029 ||
  c === 0x3000;
/** Where an http(s) URL's authority ends (WHATWG: `/ \ ? #`) or the link ends (whitespace). */
const endsAuthority = (c: number) => c === 47 || c === 92 || c === 63 || c === 35 || isSpace(c);

/**
 * `scheme:/…` and `scheme:\…`: a scheme other than http(s) with `://` is refused; an http(s)
 * link's host — any host, a bare name, an IP address in any notation, `[::1]` — is judged.
 */
function schemeLinks(s: string, judge: Judge): string | undefined {
  const n = s.length;
  let from = 0;
  while (from < n) {
    const colon = s.indexOf(":", from);
    if (colon < 0 || colon + 1 >= n) return undefined;
    from = colon + 1;
    const next = s.charCodeAt(colon + 1);
    if (next !== 47 && next !== 92) continue;
    let start = colon;
    while (start > 0 && isSchemeChar(s.charCodeAt(start - 1))) start--;
    while (start < colon && !isAsciiLetter(s.charCodeAt(start))) start++;
    if (start === colon) continue;
    const scheme = s.slice(start, colon).toLowerCase();
    if (scheme !== "http" && scheme !== "https") {
      if (s.startsWith("//", colon + 1))
        return `links must use http(s), not ${scheme.length > 20 ? `${scheme.slice(0, 19)}…` : scheme}:`;
      continue;
    }
    let a = colon + 1;
    while (a < n && (s.charCodeAt(a) === 47 || s.charCodeAt(a) === 92)) a++;
    let b = a;
    while (b < n && !endsAuthority(s.charCodeAt(b))) b++;
    from = b;
    // Punctuation after a link is not part of it: "(https://shop.example)." ends at "example".
    while (b > a) {
      const c = s.charCodeAt(b - 1);
      if (c === 93 || (charInfo(c) & 3) !== OTHER) break;
      b--;
    }
    // The host: after the last "@" (user info), before the port.
    let h = a;
    for (let k = a; k < b; k++) if (s.charCodeAt(k) === 64) h = k + 1;
    let e = h;
    if (s.charCodeAt(h) === 91) {
      while (e < b && s.charCodeAt(e) !== 93) e++;
      if (e < b) e++;
    } else while (e < b && s.charCodeAt(e) !== 58) e++;
    if (e === h) continue;
    const problem = judge(s.slice(h, e), true);
    if (problem) return problem;
  }
  return undefined;
}

/** A character of a host name in text: a letter, mark or digit of any script, or a hyphen. */
const hostChar = (c: number, wide: boolean) =>
  c === 45 || (wide && (c === 37 || c === 95)) || (charInfo(c) & 3) !== OTHER;

/**
 * Host names written in the text: runs of letters, digits, hyphens and dots whose last label is
 * a top-level domain (two letters or more, or punycode), or a dotted-quad IPv4 address followed
 * by a path or a port. A run followed by "@" is the local part of an e-mail address; runs in the
 * path of a link are checked against the shorteners only. With `wide`, `%` and `_` count as host
 * characters too, as they do for a browser's host parser.
 */
function bareHosts(s: string, wide: boolean, judge: Judge): string | undefined {
  const n = s.length;
  let inPath = false;
  let i = 0;
  while (i < n) {
    const c = s.codePointAt(i) as number;
    if (c !== 46 && !hostChar(c, wide)) {
      if (isSpace(c) || c === 60 || c === 62 || c === 34) inPath = false;
      i += c > 0xffff ? 2 : 1;
      continue;
    }
    const start = i;
    let dotted = false;
    let escaped = false;
    while (i < n) {
      const d = s.codePointAt(i) as number;
      if (d === 46) dotted = true;
      else if (wide && (d === 37 || d === 95)) escaped = true;
      else if (!hostChar(d, wide)) break;
      i += d > 0xffff ? 2 : 1;
    }
    const after = i < n ? s.charCodeAt(i) : 0;
    if (after === 64) continue; // user@…
    const host = dotted ? hostIn(s, start, i, after) : undefined;
    // The wide pass judges only what the narrow pass could not see: runs with "%" or "_".
    if (host !== undefined && (escaped || !wide)) {
      const problem = judgeRun(s, host.start, host.end, judge, !inPath);
      if (problem) return problem;
    }
    const authority = start > 0 && (s.charCodeAt(start - 1) === 47 || s.charCodeAt(start - 1) === 92);
    const pathFollows = after === 47 || after === 63 || after === 35 || after === 92 || after === 58;
    if ((host !== undefined || authority) && pathFollows) inPath = true;
  }
  return undefined;
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;

/** The host inside the run [start, end), trimmed of leading and trailing dots and hyphens, or undefined. */
function hostIn(
  s: string,
  start: number,
  end: number,
  after: number,
): { start: number; end: number } | undefined {
  while (start < end && (s.charCodeAt(start) === 46 || s.charCodeAt(start) === 45)) start++;
  while (end > start && (s.charCodeAt(end - 1) === 46 || s.charCodeAt(end - 1) === 45)) end--;
  let lastDot = end - 1;
  while (lastDot >= start && s.charCodeAt(lastDot) !== 46) lastDot--;
  if (lastDot < start) return undefined;
  // Written as a link — after a scheme, with `www.`, or followed by a path or a port — any TLD
  // counts; a bare name needs one a client knows.
  const scheme = start >= 3 && s.charCodeAt(start - 1) === 47 && s.charCodeAt(start - 2) === 47;
  const www = end - start > 4 && /^www\./i.test(s.slice(start, start + 4));
  const linkLike = scheme || www || after === 47 || after === 58;
  if (isTld(s, lastDot + 1, end, linkLike)) return { start, end };
  // An IPv4 address written as four decimal numbers, followed by a path or a port.
  if ((after === 47 || after === 58) && end - start <= 15 && IPV4.test(s.slice(start, end)))
    return { start, end };
  return undefined;
}

/**
 * A top-level domain a client links: an ASCII one in the root zone (not a file extension), two
 * letters or more of another script, or punycode. `shipped.Thanks` and `Mr.Smith` are prose.
 */
function isTld(s: string, start: number, end: number, anyLetters = false): boolean {
  if (end - start < 2) return false;
  let letters = true;
  let ascii = true;
  for (let i = start; i < end && letters; i++) {
    const c = s.charCodeAt(i);
    letters = (charInfo(c) & 3) === LETTER;
    if (c > 127) ascii = false;
  }
  if (letters) {
    if (!ascii || (anyLetters && end - start > 4)) return true;
    const label = s.slice(start, end).toLowerCase();
    return (anyLetters || isRootZoneTld(label)) && (end - start > 4 || !NOT_TLDS.has(label));
  }
  return (s.charCodeAt(start) | 0x20) === 120 && /^xn--[a-z0-9-]+$/i.test(s.slice(start, end));
}

/**
 * Judge the host [start, end). When its first label runs from text in a script written without
 * spaces (Han, kana, Thai, …) into ASCII, a client makes the link start at the ASCII: that part
 * is judged too, and is the one checked against the allowed domains.
 */
function judgeRun(
  s: string,
  start: number,
  end: number,
  judge: Judge,
  allowCheck: boolean,
): string | undefined {
  let tail = -1;
  for (let k = start; k < end; k++) {
    const c = s.charCodeAt(k);
    if (c === 46) break;
    if (c >= 128 && (charInfo(c) & UNSPACED) !== 0) tail = k + 1;
  }
  const glued = tail > start && tail < end && s.charCodeAt(tail) < 128 && s.charCodeAt(tail) !== 46;
  const whole = judge(s.slice(start, end), allowCheck && !glued);
  if (whole || !glued) return whole;
  return judge(s.slice(tail, end), allowCheck);
}
