/**
 * Hosts compared the way a browser reads them (WHATWG URL host parsing: percent-decoding, UTS 46
 * mapping and IDNA to punycode, IPv4 in any notation), without paying for `new URL` per host:
 * a host is compared with a configured set of domains label by label from the right, and a
 * label is mapped only as far as the comparison needs. What each code point becomes in a host is
 * learnt once (a one-character `new URL`) and kept.
 */

import { lazyRegExp } from "../internal/lazy-regexp.js";

/** Character classes: letters and marks, numbers, anything else. */
export const LETTER = 1;
export const NUMBER = 2;
export const OTHER = 3;
/** What a code point becomes in a host label (bits 2–3). */
const STAYS = 1 << 2; // stays non-ASCII: the label becomes punycode (`xn--…`) or is invalid
const TO_ASCII = 2 << 2; // becomes ASCII (ẞ → ss, an ignored character → nothing): see `asciiOf`
const INVALID = 3 << 2; // never valid in a host
const KIND = 3 << 2;
/** A letter of a script written without spaces between words (Han, kana, Thai, …). */
export const UNSPACED = 1 << 4;

// Built on first use (`lazyRegExp`): `\p{…}` literals cost every import a parse-time check.
const RE_LETTER = lazyRegExp(String.raw`[\p{L}\p{M}]`, "u");
const RE_WORD = lazyRegExp(String.raw`[\p{L}\p{M}\p{N}]`, "u");
const RE_UNSPACED = lazyRegExp(
  String.raw`[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]`,
  "u",
);

/** Per BMP code point, learnt on first sight (0: not yet); astral code points in a map. */
let bmp: Uint8Array | undefined;
const astral = new Map<number, number>();
/** The ASCII a TO_ASCII code point becomes. */
const asciiOf = new Map<number, string>();

/** Unassigned, private-use and lone surrogate code points: never valid in a host. */
const RE_NEVER = lazyRegExp(String.raw`[\p{Cn}\p{Co}\p{Cs}]`, "u");
const RE_IGNORABLE = lazyRegExp(String.raw`\p{Default_Ignorable_Code_Point}`, "u");

function learn(c: number): number {
  const ch = String.fromCodePoint(c);
  // Known without asking `new URL` (which throws for them, slowly): a text of fresh unassigned
  // code points costs a regex test each, not two failed parses.
  if (RE_NEVER().test(ch)) return OTHER | INVALID;
  const cls = !RE_WORD().test(ch) ? OTHER : RE_LETTER().test(ch) ? LETTER : NUMBER;
  let info = cls | (cls === LETTER && RE_UNSPACED().test(ch) ? UNSPACED : 0);
  // A code point no case mapping or NFKC changes stays itself through UTS 46, so a label holding
  // it becomes punycode (test/policy/hosts.test.ts checks this against `new URL` for all of
  // Unicode). Anything else is asked of `new URL` once: alone, then between two letters.
  // (Default-ignorable code points excepted: newer Unicode versions have UTS 46 drop some, such as
  // the Hangul fillers, whatever their class.)
  if (cls !== OTHER && ch.toLowerCase() === ch && ch.normalize("NFKC") === ch && !RE_IGNORABLE().test(ch))
    return info | STAYS;
  const mapped = hostnameOf(ch) ?? hostnameOf(`a${ch}a`)?.slice(1, -1);
  if (mapped === undefined) {
    // Zero-width joiners are valid only next to certain letters; such a label is punycode.
    info |= c === 0x200c || c === 0x200d ? STAYS : INVALID;
  } else if (/^[\x21-\x7e]*$/.test(mapped) && !mapped.startsWith("xn--")) {
    asciiOf.set(c, mapped);
    info |= TO_ASCII;
  } else info |= STAYS;
  return info;
}

function hostnameOf(s: string): string | undefined {
  try {
    return new URL(`http://${s}`).hostname;
  } catch {
    return undefined;
  }
}

/** Class and host mapping of a code point. */
export function charInfo(c: number): number {
  if (c < 128) {
    const l = c | 0x20;
    if (l >= 97 && l <= 122) return LETTER;
    if (c >= 48 && c <= 57) return NUMBER;
    return OTHER;
  }
  if (c > 0xffff) {
    let info = astral.get(c);
    if (info === undefined) {
      info = learn(c);
      astral.set(c, info);
    }
    return info;
  }
  bmp ??= new Uint8Array(0x10000);
  let info = bmp[c] as number;
  if (info === 0) {
    info = learn(c);
    bmp[c] = info;
  }
  return info;
}

/** Stands for a label that cannot be valid: equal to no configured label. */
const INVALID_LABEL = "\u0000invalid";
/** Stands for a label that becomes punycode (`xn--…`): equal to no configured label. */
const PUNYCODE = "\u0000xn";

/**
 * A label as UTS 46 maps it: lower-cased ASCII, the ASCII its code points become, or `PUNYCODE`
 * when it keeps a non-ASCII code point (it becomes an `xn--` label, or is invalid). Undefined
 * when it cannot be valid.
 */
function mapLabel(label: string): string | undefined {
  let ascii = true;
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    if (c >= 128) {
      ascii = false;
      break;
    }
  }
  if (ascii) return label.toLowerCase();
  let out = "";
  let punycode = false;
  for (let i = 0; i < label.length; ) {
    const c = label.codePointAt(i) as number;
    i += c > 0xffff ? 2 : 1;
    if (c < 128) {
      out += String.fromCharCode(c >= 65 && c <= 90 ? c + 32 : c);
      continue;
    }
    const kind = charInfo(c) & KIND;
    if (kind === INVALID) return undefined;
    if (kind === STAYS) punycode = true;
    else out += asciiOf.get(c) ?? "";
  }
  return punycode ? PUNYCODE : out;
}

let fromUtf8: TextDecoder | undefined;
let buffer = new Uint8Array(0);

const hexValue = (c: number) =>
  c >= 48 && c <= 57 ? c - 48 : (c | 0x20) >= 97 && (c | 0x20) <= 102 ? (c | 0x20) - 87 : -1;
/** WHATWG's forbidden domain code points (all ASCII): a host holding one does not parse. */
const forbidden = (b: number) =>
  b <= 32 ||
  b === 35 ||
  b === 37 ||
  b === 47 ||
  b === 58 ||
  b === 60 ||
  b === 62 ||
  b === 63 ||
  b === 64 ||
  b === 91 ||
  b === 92 ||
  b === 93 ||
  b === 94 ||
  b === 124 ||
  b === 127;

/** Percent-decoded as WHATWG does (bytes, then UTF-8 with replacement), or undefined if it cannot be a host. */
function percentDecode(raw: string): string | undefined {
  if (!raw.includes("%")) return raw;
  // At most three UTF-8 bytes per UTF-16 unit.
  if (buffer.length < raw.length * 3) buffer = new Uint8Array(raw.length * 3);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 37) {
      const hi = hexValue(raw.charCodeAt(i + 1));
      const lo = hi < 0 ? -1 : hexValue(raw.charCodeAt(i + 2));
      if (lo < 0) return undefined; // a literal "%" is forbidden
      const b = hi * 16 + lo;
      if (forbidden(b)) return undefined;
      buffer[n++] = b;
      i += 2;
    } else if (c < 128) {
      if (forbidden(c)) return undefined;
      buffer[n++] = c;
    } else if (c < 0x800) {
      buffer[n++] = 0xc0 | (c >> 6);
      buffer[n++] = 0x80 | (c & 63);
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < raw.length) {
      const cp = raw.codePointAt(i) as number;
      buffer[n++] = 0xf0 | (cp >> 18);
      buffer[n++] = 0x80 | ((cp >> 12) & 63);
      buffer[n++] = 0x80 | ((cp >> 6) & 63);
      buffer[n++] = 0x80 | (cp & 63);
      i++;
    } else {
      buffer[n++] = 0xe0 | (c >> 12);
      buffer[n++] = 0x80 | ((c >> 6) & 63);
      buffer[n++] = 0x80 | (c & 63);
    }
  }
  // UTF-8, invalid sequences becoming U+FFFD.
  fromUtf8 ??= new TextDecoder();
  return fromUtf8.decode(buffer.subarray(0, n));
}

/** WHATWG IPv4 parsing of labels that end in a number: decimal, octal (leading 0) or hex (0x) parts. */
function ipv4(labels: string[]): string | undefined {
  if (labels.length > 4) return undefined;
  const parts: number[] = [];
  for (const label of labels) {
    let n: number;
    if (/^0x[0-9a-f]*$/i.test(label)) n = label.length === 2 ? 0 : Number.parseInt(label.slice(2), 16);
    else if (/^0[0-7]+$/.test(label)) n = Number.parseInt(label, 8);
    else if (/^(?:0|[1-9]\d*)$/.test(label)) n = Number(label);
    else return undefined;
    parts.push(n);
  }
  const last = parts.pop() as number;
  if (parts.some((p) => p > 255) || last >= 256 ** (4 - parts.length)) return undefined;
  let value = last;
  for (let i = 0; i < parts.length; i++) value += (parts[i] as number) * 256 ** (3 - i);
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
}

const ENDS_IN_NUMBER = /^(?:\d+|0x[0-9a-f]*)$/i;
/** ASCII letters, digits and hyphens only. */
function isPlainLabel(label: string): boolean {
  if (label.length === 0) return false;
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    if (!(c === 45 || (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 122))) return false;
  }
  return true;
}

/** WHATWG "ends in a number": the last label is decimal digits, or 0x and hex digits. */
function endsInNumber(label: string): boolean {
  const c = label.charCodeAt(0);
  return c >= 48 && c <= 57 && ENDS_IN_NUMBER.test(label);
}

/** A host as a browser sees it (`new URL`), trailing dots dropped; undefined when it does not parse. */
export function parseHost(raw: string): string | undefined {
  const host = hostnameOf(raw);
  if (host === undefined) return undefined;
  let end = host.length;
  while (end > 0 && host.charCodeAt(end - 1) === 46) end--;
  return end === 0 ? undefined : host.slice(0, end);
}

/** Domains (parsed like hosts at construction), each with its labels. */
export class DomainSet {
  readonly domains: readonly string[];
  /** Each domain's labels, by its last label. */
  readonly #byTld = new Map<string, string[][]>();
  readonly #punycode: boolean;
  readonly #literals: boolean;

  constructor(domains: readonly string[]) {
    this.domains = domains;
    for (const d of domains) {
      const labels = d.split(".");
      const tld = labels[labels.length - 1] as string;
      this.#byTld.set(tld, [...(this.#byTld.get(tld) ?? []), labels]);
    }
    this.#punycode = domains.some((d) => /(?:^|\.)xn--/.test(d));
    this.#literals = domains.some((d) => d.startsWith("[") || ENDS_IN_NUMBER.test(d.split(".").pop() ?? ""));
  }

  /**
   * Whether the host written as `raw` (no scheme, user or port) is one of the domains or a
   * subdomain: `true`, `false`, or `undefined` when it is not a valid host (a browser opens nothing).
   */
  has(raw: string): boolean | undefined {
    if (raw.startsWith("[")) {
      // An IPv6 address: on no domain unless one is listed as such (whether it parses is asked on refusal).
      if (!this.#literals) return false;
      const host = parseHost(raw);
      return host === undefined ? undefined : this.domains.includes(host);
    }
    // The last label as written, when it is plain ASCII, settles most hosts: no domain ends so.
    const last = raw.slice(raw.lastIndexOf(".") + 1);
    if (isPlainLabel(last)) {
      if (endsInNumber(last)) {
        if (!this.#literals) return false;
      } else if (!this.#punycode && !this.#byTld.has(last.toLowerCase())) return false;
    }
    let host = percentDecode(raw);
    if (host === undefined) return undefined;
    // The full stops UTS 46 maps to a dot.
    if (host.includes("\u3002") || host.includes("\uff0e") || host.includes("\uff61"))
      host = host.replace(/[\u3002\uff0e\uff61]/g, ".");
    // WHATWG: an IPv4 address when the last label, past one trailing dot, is a number.
    const one = host.endsWith(".") ? host.length - 1 : host.length;
    if (endsInNumber(host.slice(host.lastIndexOf(".", one - 1) + 1, one))) {
      const ip = ipv4(host.slice(0, one).split("."));
      return ip === undefined ? undefined : this.domains.includes(ip);
    }
    let end = host.length;
    while (end > 0 && host.charCodeAt(end - 1) === 46) end--;
    if (end === 0) return undefined;
    // Labels from the right: label k spans (starts[k], ends[k]).
    const starts: number[] = [];
    const ends: number[] = [];
    const label = (k: number): string | undefined => {
      while (starts.length <= k) {
        const e = starts.length === 0 ? end : (starts[starts.length - 1] as number) - 1;
        if (e < 0) return undefined;
        starts.push(host.lastIndexOf(".", e - 1) + 1);
        ends.push(e);
      }
      return host.slice(starts[k], ends[k]);
    };
    const tldRaw = label(0) as string;
    // Punycode labels of the text are compared exactly when a domain has one: `new URL` then.
    if (this.#punycode) {
      const parsed = parseHost(raw);
      return parsed === undefined
        ? undefined
        : this.domains.some((d) => parsed === d || parsed.endsWith(`.${d}`));
    }
    const tld = mapLabel(tldRaw);
    if (tld === undefined) return undefined;
    const domains = this.#byTld.get(tld);
    if (domains === undefined) return false;
    const mapped: (string | undefined)[] = [tld];
    const at = (k: number) => {
      // The k-th label from the right, mapped once.
      let m = mapped[k];
      if (m === undefined) {
        const l = label(k);
        m = l === undefined ? INVALID_LABEL : (mapLabel(l) ?? INVALID_LABEL);
        mapped[k] = m;
      }
      return m;
    };
    for (const d of domains) {
      let k = 1;
      while (k < d.length && at(k) === d[d.length - 1 - k]) k++;
      if (k === d.length) return true;
    }
    return false;
  }
}
