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

/** The ASCII digits of a phone-number spelling within {@link PHONE_DIGITS}, or undefined. */
export function phoneDigits(v: string): string | undefined {
  if (!PHONE_CHARS.test(v)) return undefined;
  const digits = v.replace(/\D/g, "");
  return digits.length >= PHONE_DIGITS.min && digits.length <= PHONE_DIGITS.max ? digits : undefined;
}

/** A phone number in international format, or a business-scoped user id. */
export function isRecipient(v: string): boolean {
  return phoneDigits(v) !== undefined || isBsuid(v);
}
