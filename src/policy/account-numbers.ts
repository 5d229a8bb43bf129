/**
 * Payment card numbers and IBANs in text, in the layouts people type them: any mix of spaces,
 * dashes, dots and slashes between groups, next to dates, CVVs, words and other numbers. Every
 * span that starts and ends on a group boundary is tried, not just the longest one, and each
 * check is one pass over the text: the work per character is bounded by the longest account
 * number (34 characters), whatever the text holds.
 *
 * The text is expected to be NFKC-normalised already (fullwidth digits and no-break spaces
 * become ASCII); digits of other scripts (Arabic-Indic, Devanagari, …) are read here.
 */

/**
 * The zero of each run of ten decimal digits (Unicode `Nd`) in the Basic Multilingual Plane
 * outside ASCII; every `Nd` run is ten consecutive code points, 0 to 9.
 */
const DIGIT_ZEROS = [
  0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66, 0xde6, 0xe50, 0xed0,
  0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90, 0x1b50, 0x1bb0, 0x1c40, 0x1c50,
  0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10,
];

/** The value of a decimal digit of any script in the BMP, or -1. */
export function digitValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c < 0x660 || c > 0xff19) return -1;
  let lo = 0;
  let hi = DIGIT_ZEROS.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((DIGIT_ZEROS[mid] as number) <= c) lo = mid;
    else hi = mid - 1;
  }
  const d = c - (DIGIT_ZEROS[lo] as number);
  return d >= 0 && d <= 9 ? d : -1;
}

/**
 * What may stand between the groups of one number: whitespace, hyphens and dashes, dots,
 * slashes, underscores, middle dots and bullets. At most `MAX_SEPARATORS` in a row.
 */
function isSeparator(c: number): boolean {
  return (
    isSpace(c) ||
    c === 40 || // (
    c === 41 || // )
    c === 44 || // ,
    c === 45 || // -
    c === 46 || // .
    c === 47 || // /
    c === 95 || // _
    c === 0xb7 || // middle dot
    (c >= 0x2010 && c <= 0x2015) || // hyphens and dashes
    c === 0x2022 || // bullet
    c === 0x2027 || // hyphenation point
    c === 0x2212 || // minus sign
    c === 0x30fb // katakana middle dot
  );
}
const MAX_SEPARATORS = 3;
/** A run of whitespace counts as one separator (double spaces, blank lines). */
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

/** Card brands by prefix and length (IIN ranges): Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay. */
function looksLikeCard(d: Uint8Array, from: number, n: number): boolean {
  const p1 = d[from] as number;
  const p2 = p1 * 10 + (d[from + 1] as number);
  const p3 = p2 * 10 + (d[from + 2] as number);
  const p4 = p3 * 10 + (d[from + 3] as number);
  if (p1 === 4) return n === 13 || n === 16 || n === 19;
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n === 16;
  if (p2 === 34 || p2 === 37) return n === 15;
  if (p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649)) return n >= 16 && n <= 19;
  if (p4 >= 3528 && p4 <= 3589) return n >= 16 && n <= 19;
  if (p2 === 36 || p2 === 38 || (p3 >= 300 && p3 <= 305)) return n === 14;
  if (p2 === 62) return n >= 16 && n <= 19;
  return false;
}

function luhn(d: Uint8Array, from: number, to: number): boolean {
  let sum = 0;
  let double = false;
  for (let i = to - 1; i >= from; i--) {
    let v = d[i] as number;
    if (double) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Counts of work done, for tests that check the scan stays linear. */
export const scanStats = { cardSpans: 0, ibanSteps: 0 };

const MIN_CARD = 13;
const MAX_CARD = 19;
/** E.164 numbers have at most 15 digits: a span that starts after "+" and is no longer is a phone number. */
const MAX_PHONE = 15;

/**
 * Whether the text holds a full payment card number: 13–19 digits in groups separated by up
 * to three separators, with a known brand's prefix and length, passing the Luhn check. The
 * spans tried start and end on group boundaries; every group but the last has two digits or
 * more, so lists of single digits are not read as one number. A span after "+" that is no longer
 * than a phone number is a phone number.
 */
export function hasCardNumber(s: string): boolean {
  const n = s.length;
  // Most texts hold no run of digits long enough: nothing is allocated for them.
  let any = 0;
  for (let i = 0; i < n && any < MIN_CARD; i++) if (digitValue(s.charCodeAt(i)) >= 0) any++;
  if (any < MIN_CARD) return false;
  // The digits of the current run of linked groups, and where each of its last groups starts.
  let digits = new Uint8Array(Math.min(n, 64));
  let count = 0;
  // Ring of the most recent groups (at most MAX_CARD can share a span).
  const gStart = new Int32Array(MAX_CARD + 1);
  const gLen = new Int32Array(MAX_CARD + 1);
  const gPlus = new Uint8Array(MAX_CARD + 1);
  let groups = 0;
  let seps = 0; // separators since the last group
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    let v = digitValue(c);
    if (v < 0) {
      if (isSeparator(c)) {
        if (!(isSpace(c) && i > 0 && isSpace(s.charCodeAt(i - 1)))) seps++;
        if (seps > MAX_SEPARATORS) groups = 0;
      } else {
        groups = 0;
        seps = 0;
      }
      i++;
      continue;
    }
    // A group: a maximal run of digits.
    const begin = i;
    if (groups === 0) count = 0;
    const offset = count;
    while (v >= 0) {
      if (count === digits.length) {
        const grown = new Uint8Array(Math.min(Math.max(digits.length * 2, 64), n));
        grown.set(digits);
        digits = grown;
      }
      digits[count++] = v;
      i++;
      v = i < n ? digitValue(s.charCodeAt(i)) : -1;
    }
    const len = count - offset;
    seps = 0;
    if (len > MAX_CARD) {
      groups = 0;
      continue;
    }
    let plus = false;
    for (let k = begin - 1, spaces = 0; k >= 0 && spaces <= 1; k--) {
      const p = s.charCodeAt(k);
      if (p === 43) plus = true;
      if (p !== 32) break;
      spaces++;
    }
    const slot = groups % (MAX_CARD + 1);
    gStart[slot] = offset;
    gLen[slot] = len;
    gPlus[slot] = plus ? 1 : 0;
    groups++;
    // Every span that ends with this group and is grouped the way cards are printed: one run of
    // digits; fours with a last group of one to four (4-4-4-4, 4-4-4-4-3); or 4-6-5 / 4-6-4
    // (American Express, Diners). Phone numbers (2-2-2-2-2, 3-3-4) and lists of prices are not.
    let total = 0;
    let fours = true;
    for (let back = 0; back < groups && back <= MAX_CARD; back++) {
      const g = (groups - 1 - back) % (MAX_CARD + 1);
      const glen = gLen[g] as number;
      total += glen;
      if (total > MAX_CARD) break;
      if (back > 0 && glen !== 4) fours = false;
      const last = gLen[(groups - 1) % (MAX_CARD + 1)] as number;
      const amex =
        back === 2 && gLen[(groups - 2) % (MAX_CARD + 1)] === 6 && glen === 4 && (last === 5 || last === 4);
      const shaped = back === 0 || (fours && last <= 4) || amex;
      if (!fours && back >= 2 && !amex) break;
      if (total < MIN_CARD || !shaped) continue;
      scanStats.cardSpans++;
      if (gPlus[g] === 1 && total <= MAX_PHONE) continue;
      const from = gStart[g] as number;
      if (looksLikeCard(digits, from, total) && luhn(digits, from, from + total)) return true;
    }
  }
  return false;
}

/**
 * IBAN length per country: the SWIFT IBAN Registry (ISO 13616-1), the 2025 edition — 89
 * countries and territories.
 */
const IBAN_LENGTH: Readonly<Record<string, number>> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BI: 27,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DJ: 27,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FK: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HN: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  LY: 25,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MN: 20,
  MR: 27,
  MT: 31,
  MU: 30,
  NI: 28,
  NL: 18,
  NO: 15,
  OM: 23,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  RU: 33,
  SA: 24,
  SC: 31,
  SD: 18,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  SO: 23,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
  YE: 30,
};

/** A-Z (either case) as 10–35, a digit of any script as 0–9, anything else -1. */
function ibanValue(c: number): number {
  if (c >= 65 && c <= 90) return c - 55;
  if (c >= 97 && c <= 122) return c - 87;
  return digitValue(c);
}

/**
 * Whether the text holds an IBAN: a registered country code and two check digits written
 * together, then exactly as many letters and digits as that country's IBANs have, with up to
 * three separators between any two of them, passing the mod-97 check (ISO 7064). It must start
 * and end on a word boundary; whatever follows a separator (a word, a number) is not part of it.
 */
export function hasIban(s: string): boolean {
  const n = s.length;
  for (let i = 0; i + 3 < n; i++) {
    const a = s.charCodeAt(i) | 0x20; // lower-case ASCII letters
    const b = s.charCodeAt(i + 1) | 0x20;
    if (a < 97 || a > 122 || b < 97 || b > 122) continue;
    if (i > 0 && ibanValue(s.charCodeAt(i - 1)) >= 0) continue;
    const d1 = digitValue(s.charCodeAt(i + 2));
    const d2 = digitValue(s.charCodeAt(i + 3));
    if (d1 < 0 || d2 < 0) continue;
    const check = d1 * 10 + d2;
    if (check < 2 || check > 98) continue;
    const length = IBAN_LENGTH[String.fromCharCode(a - 32, b - 32)];
    if (length === undefined) continue;
    // The BBAN, then the country and the check digits moved to the end.
    let rem = 0;
    let taken = 4;
    let seps = 0;
    let j = i + 4;
    for (; j < n && taken < length; j++) {
      scanStats.ibanSteps++;
      const c = s.charCodeAt(j);
      const v = ibanValue(c);
      if (v >= 0) {
        rem = v > 9 ? (rem * 100 + v) % 97 : (rem * 10 + v) % 97;
        taken++;
        seps = 0;
      } else if (isSeparator(c) && ++seps <= MAX_SEPARATORS) {
        // between two characters of the IBAN
      } else break;
    }
    if (taken !== length || (j < n && ibanValue(s.charCodeAt(j)) >= 0)) continue;
    rem = (rem * 100 + (a - 87)) % 97;
    rem = (rem * 100 + (b - 87)) % 97;
    rem = (rem * 100 + check) % 97;
    if (rem === 1) return true;
  }
  return false;
}
