import type { OutboundMessage } from "../api/schemas/outbound.js";

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
  /** More shortener domains to refuse. */
  extraShorteners?: string[];
  /**
   * When set, every link must be on one of these domains (or their subdomains).
   * @example ["shop.example", "example.com"]
   */
  allowDomains?: string[];
  /**
   * Refuse full payment card numbers (13–19 digits passing the Luhn check).
   * @default true
   */
  detectCardNumbers?: boolean;
  /**
   * Refuse IBANs (mod-97 check).
   * @default true
   */
  detectIbans?: boolean;
  /** Your own patterns for sensitive data (national ids, …). Matches are never logged. */
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
      return m.contacts.flatMap((c) => [
        ...Object.values(c.name).map(String),
        ...(c.urls ?? []).map((u) => u.url ?? ""),
        ...(c.emails ?? []).map((e) => e.email ?? ""),
        ...Object.values(c.org ?? {}).map(String),
        ...(c.addresses ?? []).flatMap((a) => Object.values(a).map(String)),
      ]);
    case "reaction":
      return [];
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

const URL_RE =
  /\b((?:[a-z][a-z0-9+.-]*):\/\/[^\s<>"']+|www\.[^\s<>"']+|(?:[a-z0-9-]+\.)+[a-z]{2,24}\/[^\s<>"']*)/gi;
const SCHEME_RE = /\b(?:javascript:\S|vbscript:\S|data:[a-z]+\/|file:\/|intent:\/)/i;

const onDomain = (host: string, domain: string) => host === domain || host.endsWith(`.${domain}`);

/** Host names written in the text, with or without a scheme, including e-mail domains. */
const HOST_RE =
  /(?:^|[^\p{L}\p{N}_-])((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,24})(?![\p{L}\p{N}_-])/giu;
function hostsIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(HOST_RE)) out.push((m[1] as string).toLowerCase());
  return out;
}

/** Card brands by prefix and length (IIN ranges): Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay. */
function looksLikeCard(d: string): boolean {
  const n = d.length;
  const p2 = Number(d.slice(0, 2));
  const p4 = Number(d.slice(0, 4));
  const p3 = Number(d.slice(0, 3));
  if (d[0] === "4") return n === 13 || n === 16 || n === 19;
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n === 16;
  if (p2 === 34 || p2 === 37) return n === 15;
  if (p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649)) return n >= 16 && n <= 19;
  if (p4 >= 3528 && p4 <= 3589) return n >= 16 && n <= 19;
  if (p2 === 36 || p2 === 38 || (p3 >= 300 && p3 <= 305)) return n === 14;
  if (p2 === 62) return n >= 16 && n <= 19;
  return false;
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function ibanValid(iban: string): boolean {
  const moved = iban.slice(4) + iban.slice(0, 4);
  let rem = 0;
  for (const ch of moved) {
    const v = ch >= "A" && ch <= "Z" ? ch.charCodeAt(0) - 55 : ch.charCodeAt(0) - 48;
    rem = v > 9 ? (rem * 100 + v) % 97 : (rem * 10 + v) % 97;
  }
  return rem === 1;
}

/** Compile the options once; the returned function answers why texts break the policy, or undefined. */
export function contentChecker(o: ContentPolicyOptions): (texts: readonly string[]) => string | undefined {
  const shorteners = o.blockShorteners === false ? [] : [...URL_SHORTENERS, ...(o.extraShorteners ?? [])];
  const allow = o.allowDomains?.map((d) => d.toLowerCase());
  return (texts) => {
    for (const text of texts) {
      if (!text) continue;
      if (SCHEME_RE.test(text))
        return "links must use http(s); other schemes (javascript:, data:, file:, …) are refused";
      if (text.includes("://")) {
        for (const match of text.matchAll(URL_RE)) {
          const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(match[0])?.[1]?.toLowerCase();
          if (scheme !== undefined && scheme !== "http" && scheme !== "https")
            return `links must use http(s), not ${scheme}:`;
        }
      }
      if (text.includes(".")) {
        for (const host of hostsIn(text)) {
          if (shorteners.some((d) => onDomain(host, d))) {
            return `links through URL shorteners (${host}) hide their destination; link to your own domain`;
          }
          if (allow && !allow.some((d) => onDomain(host, d))) {
            return `links may only point to the allowed domains (${allow.join(", ")}), not ${host}`;
          }
        }
      }
      if (o.detectCardNumbers !== false && /\d{4}/.test(text)) {
        // Not part of a longer number, not a phone number (+…), and shaped like a real card.
        for (const m of text.matchAll(/(?<![\d+])(?:\d[ -]?){12,18}\d(?!\d)/g)) {
          const digits = m[0].replace(/\D/g, "");
          if (digits.length >= 13 && digits.length <= 19 && looksLikeCard(digits) && luhn(digits)) {
            return "the message contains what looks like a full payment card number; send the last 4 digits at most";
          }
        }
      }
      if (o.detectIbans !== false && /[A-Za-z]{2}\d{2}/.test(text)) {
        for (const m of text.toUpperCase().matchAll(/\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b/g)) {
          const iban = m[0].replace(/ /g, "");
          if (iban.length >= 15 && iban.length <= 34 && ibanValid(iban)) {
            return "the message contains what looks like a full IBAN; send a masked account number";
          }
        }
      }
      for (const pattern of o.sensitivePatterns ?? []) {
        pattern.lastIndex = 0;
        if (pattern.test(text)) return "the message matches a configured sensitive-data pattern";
      }
    }
    return undefined;
  };
}

/** Why the texts break the content policy, or undefined. The reason never quotes the match. */
export function contentProblem(texts: readonly string[], o: ContentPolicyOptions): string | undefined {
  return contentChecker(o)(texts);
}
