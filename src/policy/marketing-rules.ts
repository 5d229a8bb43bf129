/**
 * Two rules for marketing templates that the template guard applies:
 * - every marketing message offers a way to unsubscribe that wa-guard's webhook listener
 *   understands (so the guard and the listener agree on what an opt-out is);
 * - no marketing templates to US numbers (Meta does not deliver them and answers 131049).
 */

import type { TemplateMessage } from "../api/schemas/outbound.js";
import type { MessageTemplate } from "../api/templates.js";
import { lazyRegExp } from "../internal/lazy-regexp.js";
import { normalizeKeyword } from "./keywords.js";
import { loadedNumbering, loadNumbering } from "./numbering.js";

const NON_WORD_RUN = lazyRegExp(String.raw`[^\p{L}\p{N}]+`, "u");

/** `policy.template` options for marketing templates. */
export interface TemplateRuleOptions {
  /**
   * A marketing template must offer a way to unsubscribe that wa-guard's webhook listener
   * understands: a quick-reply button "Stop promotions" (Meta's marketing opt-out button; more
   * texts in `consent.unsubscribeButtonTexts`) or whose text is an opt-out keyword, a quick reply
   * given a payload listed in `consent.unsubscribePayloads`, or a footer telling the user to send
   * an opt-out keyword ("Reply STOP to opt out"). `"refuse"` refuses the send, `"warn"` logs once per
   * template and sends, `"off"` does not check.
   * @default "refuse"
   */
  optOut?: "refuse" | "warn" | "off";
  /**
   * Marketing templates to US numbers: Meta does not deliver them (131049, since April 2025).
   * `"allow"` sends them anyway, for when Meta lifts the pause.
   * @default "refuse"
   */
  usMarketing?: "refuse" | "allow";
}

/** What counts as an opt-out, normalised with `normalizeKeyword` (the consent options' words). */
export interface OptOutVocabulary {
  /** Opt-out keywords (STOP, PARAR, …): typed or tapped, they withdraw everything. */
  keywords: ReadonlySet<string>;
  /** Quick-reply payloads that withdraw marketing (`consent.unsubscribePayloads`). */
  payloads: ReadonlySet<string>;
  /** Quick-reply button texts that withdraw marketing (`consent.unsubscribeButtonTexts`). */
  buttonTexts: ReadonlySet<string>;
}

/** Verbs that ask the user to send the word after them ("Reply STOP", "Responda PARAR"). */
const INSTRUCTION_VERBS = new Set(
  "REPLY SEND TEXT TYPE WRITE RESPOND ANSWER RESPONDA RESPONDE RESPONDER ENVIE ENVIA ENVIAR ESCRIBE ESCREVA RESPONDEZ REPONDEZ REPONDS ENVOYEZ ENVOIE ANTWORTE ANTWORTEN SENDE SENDEN RISPONDI INVIA SCRIVI".split(
    " ",
  ),
);
/** Words after a leading keyword that make it an instruction ("STOP to opt out", "PARAR para sair"). */
const INSTRUCTION_LINKS = new Set("TO FOR PARA POUR UM PER".split(" "));

interface Button {
  type?: unknown;
  text?: unknown;
}

/**
 * How this send of a marketing template offers a way out, or undefined when it offers none:
 * - a quick-reply button whose text is an opt-out keyword or an unsubscribe button text;
 * - a quick-reply button this send gives an unsubscribe payload;
 * - a footer that tells the user to send an opt-out keyword: after a verb such as "Reply" or
 *   "Send" ("Reply STOP to opt out"), or first and followed by "to" ("STOP to unsubscribe"). A
 *   keyword that is only part of the text ("END OF SEASON SALE", "don't stop shopping") does not
 *   count, nor does "opt out" beside a word the listener does not know ("Reply NO to opt out").
 */
export function optOutOffer(
  template: MessageTemplate,
  message: TemplateMessage,
  words: OptOutVocabulary,
): string | undefined {
  // What the template offers by itself is read once per template (a campaign sends it many times).
  // A two-level get-or-create, like client.ts's listener wrappers: six lines, not worth a helper.
  let perTemplate = offers.get(words);
  if (!perTemplate) {
    perTemplate = new WeakMap();
    offers.set(words, perTemplate);
  }
  let found = perTemplate.get(template);
  if (!found) {
    found = templateOffer(template, words);
    perTemplate.set(template, found);
  }
  if (found.offer) return found.offer;
  // Otherwise a quick reply this send gives an unsubscribe payload.
  for (const sent of message.buttons ?? []) {
    if (
      sent.type === "quick_reply" &&
      found.quickReplies.includes(sent.index) &&
      words.payloads.has(normalizeKeyword(sent.payload))
    )
      return `quick reply with unsubscribe payload "${sent.payload}"`;
  }
  return undefined;
}

interface TemplateOffer {
  /** How the template itself offers a way out (a button text, a footer), if it does. */
  offer: string | undefined;
  /** Indexes of its quick-reply buttons (a payload given at send time can make one a way out). */
  quickReplies: number[];
}

const offers = new WeakMap<OptOutVocabulary, WeakMap<MessageTemplate, TemplateOffer>>();

function templateOffer(template: MessageTemplate, words: OptOutVocabulary): TemplateOffer {
  const quickReplies: number[] = [];
  for (const component of template.components) {
    const type = String(component.type).toUpperCase();
    if (type === "BUTTONS" && Array.isArray(component["buttons"])) {
      const buttons = component["buttons"] as Button[];
      for (let index = 0; index < buttons.length; index++) {
        const b = buttons[index];
        if (String(b?.type).toUpperCase() !== "QUICK_REPLY") continue;
        quickReplies.push(index);
        const text = typeof b?.text === "string" ? normalizeKeyword(b.text) : "";
        if (text && (words.keywords.has(text) || words.buttonTexts.has(text)))
          return { offer: `quick reply "${String(b?.text)}"`, quickReplies };
      }
    }
    if (type === "FOOTER" && typeof component["text"] === "string") {
      const footer = component["text"];
      const raw = footer.normalize("NFKC").split(NON_WORD_RUN()).filter(Boolean);
      const tokens = raw.map(normalizeKeyword);
      for (let i = 0; i < tokens.length; i++) {
        // An instruction to send a keyword: "Reply STOP to opt out", "STOP to unsubscribe".
        // A keyword that is only a word of the text ("END OF SEASON", "non-stop deals",
        // "cancel anytime") is not, and neither is "opt out" or "unsubscribe" next to a word the
        // listener does not know ("Reply NO to unsubscribe").
        const led = i === 0 && INSTRUCTION_LINKS.has(tokens[1] ?? "");
        if (!INSTRUCTION_VERBS.has(tokens[i - 1] ?? "") && !led) continue;
        // What the user is asked to send: the word, and the words in capitals after it up to "to"
        // ("Reply STOP OFFERS to …" asks for "STOP OFFERS"), read as the listener reads a message.
        let end = i + 1;
        while (
          end < raw.length &&
          !INSTRUCTION_LINKS.has(tokens[end] as string) &&
          (raw[end] as string) === (raw[end] as string).toUpperCase() &&
          (raw[end] as string) !== (raw[end] as string).toLowerCase()
        )
          end++;
        if (words.keywords.has(tokens.slice(i, end).join("")))
          return { offer: `footer "${footer}"`, quickReplies };
      }
    }
  }
  return { offer: undefined, quickReplies };
}

/**
 * Whether the international number `digits` is a US number (NANP +1 with a US area code, as
 * libphonenumber-js places it: Canada and the Caribbean are not; Puerto Rico and the other
 * territories have their own region codes). A promise only while the metadata loads; false
 * when the metadata cannot be loaded.
 */
export function isUsNumber(digits: string): boolean | Promise<boolean> {
  if (!digits.startsWith("1") || digits.length !== 11) return false;
  const judge = (lib: Awaited<ReturnType<typeof loadNumbering>>) =>
    lib?.parsePhoneNumberFromString(`+${digits}`)?.country === "US";
  const lib = loadedNumbering();
  return lib ? judge(lib) : loadNumbering().then(judge);
}
