/**
 * The words and buttons that opt a user out of messages or back in (defaults, and the options
 * that replace them), and how a reply is compared to them: the same however it was typed.
 */

import { lazyRegExp } from "../internal/lazy-regexp.js";
/** Opt-out words, compared after removing case, accents, punctuation and extra spaces. */
export const DEFAULT_OPT_OUT_KEYWORDS: readonly string[] = [
  "STOP",
  "STOPALL",
  "UNSUBSCRIBE",
  "CANCEL",
  "END",
  "QUIT",
  "REVOKE",
  "OPTOUT",
  "OPT OUT",
  "PARAR",
  "SAIR",
  "CANCELAR",
  "BAJA",
  "DETENER",
  "ARRET",
  "ARRETER",
  "STOPPEN",
  "ABMELDEN",
  "ANNULLA",
  "DISISCRIVI",
  // The forms people type as often: the polite imperative, the whole phrase.
  "DISISCRIVITI",
  "ARRETEZ",
  "DAR DE BAJA",
  "DARME DE BAJA",
];
/**
 * The text of Meta's marketing opt-out quick-reply button, as a tap reports it. A tap on a
 * button with one of these texts withdraws marketing consent.
 */
export const DEFAULT_UNSUBSCRIBE_BUTTON_TEXTS: readonly string[] = ["Stop promotions"];

/** Re-subscribe words. */
export const DEFAULT_OPT_IN_KEYWORDS: readonly string[] = [
  "START",
  "UNSTOP",
  "RESUME",
  "SUBSCRIBE",
  "ALTA",
  "REANUDAR",
  "VOLTAR",
];

export interface ConsentOptions {
  /** Replaces the default opt-out words. */
  optOutKeywords?: string[];
  /** Replaces the default re-subscribe words. */
  optInKeywords?: string[];
  /** Quick-reply payloads that mean "unsubscribe" (e.g. a template's "Stop promotions" button). */
  unsubscribePayloads?: string[];
  /**
   * Quick-reply button texts whose tap means "unsubscribe from marketing", whatever the payload.
   * Replaces the default, Meta's marketing opt-out button.
   * @default ["Stop promotions"]
   */
  unsubscribeButtonTexts?: string[];
}

const MARKS_AND_FILLERS = lazyRegExp(String.raw`[\p{M}\p{Cf}\u115F\u1160\u3164\uFFA0]`, "gu");
const NOT_LETTER_OR_DIGIT = lazyRegExp(String.raw`[^\p{L}\p{N}]`, "gu");

/**
 * A keyword as a person means it, however it was typed: compatibility forms folded (NFKC:
 * fullwidth `ＳＴＯＰ`, mathematical `𝐒𝐓𝐎𝐏`, ligatures), accents removed, case folded, invisible
 * characters (zero-width spaces, joiners, direction marks, Hangul fillers), punctuation and
 * spaces dropped: "¡Párar!" → "PARAR", "S\u200BTOP" → "STOP", "Stop all." → "STOPALL",
 * "opt out" → "OPTOUT".
 */
export function normalizeKeyword(text: string): string {
  return text
    .normalize("NFKC")
    .normalize("NFD")
    .replace(MARKS_AND_FILLERS(), "")
    .toLowerCase()
    .toUpperCase()
    .replace(NOT_LETTER_OR_DIGIT(), "");
}
