/**
 * The shape of a WhatsApp recipient, in one place: the send schemas, the policy layer's canonical
 * identity, the webhook effects and the fake all read these rules from here.
 *
 * A phone number is 5–15 digits (E.164 caps numbers at 15; the shortest numbers in service, e.g.
 * Niue's `+683 4002`, have 7, and the structural rule stays looser than that on purpose: the
 * recipient guard's libphonenumber-js check names the country's real lengths, and without the
 * policy layer Meta answers). Spacing, `-`, `(`, `)` and `.` are allowed, as Meta allows them.
 */

/** Fewest and most digits a phone number recipient can have. */
export const PHONE_DIGITS = { min: 5, max: 15 } as const;

/** A phone number as written: an optional `+`, then 5–30 digits and Meta's separators. */
const PHONE_CHARS = /^\+?[\d\s\-().]{5,30}$/;

/**
 * A business-scoped user id (`US.13491208655302741918`) or a parent one (`US.ENT.…`): ISO 3166
 * alpha-2 country code, `.`, optionally `ENT.`, then 1–128 alphanumerics.
 */
export const BSUID = /^[A-Z]{2}\.(ENT\.)?[A-Za-z0-9]{1,128}$/;

/** A parent BSUID (`parent_user_id`, `US.ENT.<id>`). */
export const PARENT_BSUID = /^[A-Z]{2}\.ENT\.[A-Za-z0-9]{1,128}$/;

export function isBsuid(v: string): boolean {
  return BSUID.test(v);
}

export function isParentBsuid(v: string): boolean {
  return PARENT_BSUID.test(v);
}

/**
 * The ASCII digits of `v` when it is written as digits alone (an optional `+` first) and has
 * {@link PHONE_DIGITS} of them, else undefined: the common spelling, told without a pattern or a
 * copy of the digits (most sends name a recipient this way, several times per send).
 */
export function plainDigits(v: string): string | undefined {
  const start = v.charCodeAt(0) === 43 ? 1 : 0; // "+"
  const count = v.length - start;
  if (count < PHONE_DIGITS.min || count > PHONE_DIGITS.max) return undefined;
  for (let i = start; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return start === 0 ? v : v.slice(1);
}

/** The ASCII digits of a phone-number spelling within {@link PHONE_DIGITS}, or undefined. */
export function phoneDigits(v: string): string | undefined {
  const plain = plainDigits(v);
  if (plain !== undefined) return plain;
  if (!PHONE_CHARS.test(v)) return undefined;
  const digits = v.replace(/\D/g, "");
  return digits.length >= PHONE_DIGITS.min && digits.length <= PHONE_DIGITS.max ? digits : undefined;
}

/** A phone number in international format, or a business-scoped user id. */
export function isRecipient(v: string): boolean {
  return phoneDigits(v) !== undefined || isBsuid(v);
}

/**
 * Who a recipient is. State (consent, windows, blocks, rates) is keyed by one canonical id per
 * person, so the dialled number and the wa_id Meta reports lead to the same record. Known
 * national variants are aliases, never rewrites: what you send to Meta stays what you gave.
 */
export interface Recipient {
  /** As the caller gave it. */
  input: string;
  kind: "phone" | "bsuid";
  /** Canonical identity: international digits without `+` (aliases collapsed), or the BSUID. */
  key: string;
}

/**
 * Collapse the national variants WhatsApp is known to use for one person:
 * - Brazil (+55): mobiles with and without the 9th digit → the 9-digit form;
 * - Mexico (+52): `521…` wa_ids and `52…` numbers → `52…`;
 * - Argentina (+54): `549…` wa_ids and `54…` numbers → `54…`.
 */
export function canonicalDigits(digits: string): string {
  if (digits.startsWith("55") && digits.length === 12 && /[6-9]/.test(digits.charAt(4))) {
    return `${digits.slice(0, 4)}9${digits.slice(4)}`;
  }
  if (digits.startsWith("521") && digits.length === 13) return `52${digits.slice(3)}`;
  if (digits.startsWith("549") && digits.length === 13) return `54${digits.slice(3)}`;
  return digits;
}

/** Recently seen recipient keys, each held once (cleared when it reaches its size). */
const keys = new Map<string, string>();

/**
 * The one string held for a recipient key seen recently: a send parses its recipient more than
 * once (a campaign's checkpoint, then the pipeline), and every store that keeps the key then
 * keeps the same string rather than a copy each. Equal content, so it never changes a lookup.
 */
export function internKey(key: string): string {
  const known = keys.get(key);
  if (known !== undefined) return known;
  if (keys.size >= 4096) keys.clear();
  keys.set(key, key);
  return key;
}

/** The canonical recipient, or undefined when the input cannot be a WhatsApp recipient. */
export function parseRecipient(input: string): Recipient | undefined {
  // From JavaScript, or a webhook's odd field: not a string names nobody (never a TypeError).
  if (typeof input !== "string") return undefined;
  if (isBsuid(input)) return { input, kind: "bsuid", key: input };
  const digits = phoneDigits(input);
  if (digits === undefined || digits.startsWith("0")) return undefined;
  return { input, kind: "phone", key: internKey(canonicalDigits(digits)) };
}

/** Canonical key for any recipient string; falls back to the raw input when unparseable. */
export function recipientKey(input: string): string {
  return parseRecipient(input)?.key ?? input;
}

/**
 * The distinct canonical keys among `ids` (`ids[0]`'s first; what is not a recipient dropped), or
 * undefined when they name fewer than two: then there is nothing to link. The common answer —
 * one person under one key, as most send answers name them — costs no set and no array.
 */
export function distinctRecipientKeys(ids: ReadonlyArray<string | undefined>): string[] | undefined {
  let first: string | undefined;
  let keys: Set<string> | undefined;
  let previous: string | undefined;
  for (const id of ids) {
    if (typeof id !== "string" || id === previous) continue; // the same spelling, the same key
    previous = id;
    const key = parseRecipient(id)?.key;
    if (key === undefined || key === first) continue;
    if (first === undefined) first = key;
    else {
      keys ??= new Set([first]);
      keys.add(key);
    }
  }
  return keys && keys.size >= 2 ? [...keys] : undefined;
}
