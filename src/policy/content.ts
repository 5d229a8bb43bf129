import type { OutboundMessage } from "../api/schemas/outbound.js";
import { ConfigError } from "../errors/validation.js";
import { lazyRegExp } from "../internal/lazy-regexp.js";
import { hasCardNumber, hasIban } from "./account-numbers.js";
import { DomainSet, parseHost } from "./hosts.js";
import { linkProblem } from "./links.js";

/** Link shorteners hide where a link goes; Meta's template guidelines ask businesses not to use them. */
export const URL_SHORTENERS: readonly string[] = [
  "bit.ly",
  "bitly.com",
  "tinyurl.com",
  "goo.gl",
  "t.co",
  "ow.ly",
  "is.gd",
  "buff.ly",
  "rebrand.ly",
  "cutt.ly",
  "shorturl.at",
  "tiny.cc",
  "rb.gy",
  "bl.ink",
  "t.ly",
  "s.id",
  "v.gd",
  "lnkd.in",
  "shorte.st",
  "adf.ly",
  "tr.im",
  "clck.ru",
  "qr.net",
  "x.co",
  "soo.gd",
  "surl.li",
  "tiny.one",
  "short.gy",
  "shrtco.de",
  "urlz.fr",
];

export interface ContentPolicyOptions {
  /**
   * Refuse links through URL shorteners.
   * @default true
   */
  blockShorteners?: boolean;
  /** More shortener domains to refuse (and their subdomains), read like `allowDomains`. */
  extraShorteners?: string[];
  /**
   * When set, every link must be on one of these domains or their subdomains, compared after a
   * browser's host parsing: IDN look-alikes, IP addresses (in any notation), `[::1]` and
   * `localhost` are outside unless listed. Entries are read the same way: `ＳＨＯＰ.example`,
   * `https://shop.example/`, `*.shop.example` and `пример.рф` are understood; anything that is
   * not a host name is a `ConfigError`.
   * @example ["shop.example", "example.com"]
   */
  allowDomains?: string[];
  /**
   * Refuse full payment card numbers: 13–19 digits with a card brand's prefix and length,
   * passing the Luhn check, in any everyday layout (spaces, dashes, dots, slashes, fullwidth or
   * other-script digits).
   * @default true
   */
  detectCardNumbers?: boolean;
  /**
   * Refuse IBANs: a registered country's exact length, passing the mod-97 check, with any
   * separators between the characters.
   * @default true
   */
  detectIbans?: boolean;
  /**
   * Your own patterns for sensitive data (national ids, …), tried on the text as written and on
   * its NFKC-normalised form. Matches are never logged. A pattern's own cost is yours: prefer
   * patterns without nested quantifiers.
   */
  sensitivePatterns?: RegExp[];
}

const link = (m: { id: string } | { link: string }) => ("link" in m ? m.link : "");

function headerTexts(header: unknown): string[] {
  if (typeof header === "string") return [header];
  if (!header || typeof header !== "object") return [];
  const h = header as Record<string, unknown>;
  const out: string[] = [];
  if (typeof h["text"] === "string") out.push(h["text"]);
  for (const kind of ["image", "video", "document"]) {
    const media = h[kind] as { link?: unknown } | undefined;
    if (typeof media?.link === "string") out.push(media.link);
  }
  if (typeof h["filename"] === "string") out.push(h["filename"]);
  const location = h["location"] as { name?: unknown; address?: unknown } | undefined;
  if (typeof location?.name === "string") out.push(location.name);
  if (typeof location?.address === "string") out.push(location.address);
  return out;
}

/** Every piece of text in a message that a person will read or tap (ids and payloads excluded). */
export function messageTexts(m: OutboundMessage): string[] {
  switch (m.type) {
    case "text":
      return [m.body];
    case "image":
    case "video":
    case "document":
      return [m.caption ?? "", link(m.media), m.type === "document" ? (m.filename ?? "") : ""];
    case "audio":
    case "sticker":
      return [link(m.media)];
    case "location":
      return [m.name ?? "", m.address ?? ""];
    case "contacts":
      // Every string a contact card shows: names, numbers, e-mails, URLs and their labels.
      return m.contacts.flatMap((c) => [
        ...Object.values(c.name).map(String),
        ...(c.phones ?? []).flatMap((p) => Object.values(p).map(String)),
        ...(c.urls ?? []).flatMap((u) => Object.values(u).map(String)),
        ...(c.emails ?? []).flatMap((e) => Object.values(e).map(String)),
        ...Object.values(c.org ?? {}).map(String),
        ...(c.addresses ?? []).flatMap((a) => Object.values(a).map(String)),
        ...(c.birthday !== undefined ? [String(c.birthday)] : []),
      ]);
    case "reaction":
      return [m.emoji];
    case "buttons":
      return [m.body, m.footer ?? "", ...headerTexts(m.header), ...m.buttons.map((b) => b.title)];
    case "list":
      return [
        m.body,
        m.footer ?? "",
        m.header ?? "",
        m.button,
        ...m.sections.flatMap((s) => [
          s.title ?? "",
          ...s.rows.flatMap((r) => [r.title, r.description ?? ""]),
        ]),
      ];
    case "cta_url":
      return [m.body, m.footer ?? "", ...headerTexts(m.header), m.displayText, m.url];
    case "template": {
      const out: string[] = headerTexts(m.header);
      const body = m.body === undefined ? [] : Array.isArray(m.body) ? m.body : Object.values(m.body);
      for (const v of body) out.push(typeof v === "string" ? v : v.fallbackValue);
      for (const b of m.buttons ?? []) {
        if (b.type === "url") out.push(b.text);
        else if (b.type === "copy_code") out.push(b.code);
      }
      return out;
    }
  }
}

/** Invisible characters a reader does not see and a host parser drops (soft hyphen, zero-width and bidi controls, fillers, variation selectors, BOM). */
// Built from a string: each code point is removed on its own (a linter reads the class as combining).
const INVISIBLE = new RegExp(
  "[\\u00AD\\u034F\\u061C\\u115F\\u1160\\u17B4\\u17B5\\u180B-\\u180F\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u206F" +
    "\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0\\u{1BCA0}-\\u{1BCA3}\\u{E0000}-\\u{E0FFF}]",
  "gu",
);
/** An ideographic full stop between ASCII letters or digits is a dot (`tinyurl。com`); in CJK prose it ends a sentence. */
const IDEOGRAPHIC_DOT = /(?<=[A-Za-z0-9-])\u3002(?=[A-Za-z0-9-])/g;
const NON_ASCII = /[\u0080-\uffff]/;

/**
 * The text as a client shows it and a browser reads it: NFKC (fullwidth and styled letters and
 * digits, no-break spaces, `．` and `｡`), invisible characters removed, ideographic full stops
 * between ASCII letters read as dots. ASCII text is returned as is.
 */
export function normaliseText(text: string): string {
  if (!NON_ASCII.test(text)) return text;
  return text
    .normalize("NFKC")
    .replace(INVISIBLE, "")
    .replace(IDEOGRAPHIC_DOT, ".")
    .replace(DIGIT_MARKS(), "$1")
    .replace(OTHER_DIGIT(), asciiDigit);
}

/** Combining marks on a digit (an accent, a keycap `4️⃣`): the digit is what a reader sees. */
const DIGIT_MARKS = lazyRegExp(String.raw`(\p{Nd})\p{M}+`, "gu");
/** Decimal digits of other scripts, including those beyond the BMP (Adlam, …). */
const OTHER_DIGIT = lazyRegExp(String.raw`[^\p{ASCII}](?<=\p{Nd})`, "gu");
const ND = lazyRegExp(String.raw`\p{Nd}`, "u");

/** The ASCII digit of a decimal digit of any script: runs of `Nd` are blocks of ten from 0. */
function asciiDigit(ch: string): string {
  const c = ch.codePointAt(0) as number;
  let zero = c;
  for (let k = 0; k < 64 && ND().test(String.fromCodePoint(zero - 1)); k++) zero--;
  return String((c - zero) % 10);
}

/** A domain from the options, read like a host in a message. */
function domainOption(option: string, raw: string): string {
  let v = normaliseText(raw.trim());
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(v);
  if (scheme) v = v.slice(scheme[0].length).split(/[/?#\\]/)[0] ?? "";
  if (v.startsWith("*.")) v = v.slice(2);
  const host = v ? parseHost(v) : undefined;
  if (host === undefined || /[\s/@]/.test(v))
    throw new ConfigError(
      `policy.content.${option}: ${JSON.stringify(raw)} is not a domain name (e.g. "shop.example")`,
    );
  return host;
}

function matches(pattern: RegExp, text: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(text);
}

/** Compile the options once; the returned function answers why texts break the policy, or undefined. */
export function contentChecker(o: ContentPolicyOptions): (texts: readonly string[]) => string | undefined {
  const shorteners =
    o.blockShorteners === false
      ? []
      : [...URL_SHORTENERS, ...(o.extraShorteners ?? []).map((d) => domainOption("extraShorteners", d))];
  const allow = o.allowDomains?.map((d) => domainOption("allowDomains", d));
  const rules = { shorteners: new DomainSet(shorteners), allow: allow && new DomainSet(allow) };
  const cards = o.detectCardNumbers !== false;
  const ibans = o.detectIbans !== false;
  const patterns = o.sensitivePatterns ?? [];
  return (texts) => {
    for (const text of texts) {
      if (!text) continue;
      const s = normaliseText(text);
      const links = linkProblem(s, rules);
      if (links) return links;
      if (cards && hasCardNumber(s)) {
        return "the message contains what looks like a full payment card number; send the last 4 digits at most";
      }
      if (ibans && hasIban(s)) {
        return "the message contains what looks like a full IBAN; send a masked account number";
      }
      for (const pattern of patterns) {
        if (matches(pattern, text) || (s !== text && matches(pattern, s)))
          return "the message matches a configured sensitive-data pattern";
      }
    }
    return undefined;
  };
}

/** Why the texts break the content policy, or undefined. The reason never quotes the match. */
export function contentProblem(texts: readonly string[], o: ContentPolicyOptions): string | undefined {
  return contentChecker(o)(texts);
}
