import * as z from "zod/mini";
import { isRecipient } from "../../internal/recipients.js";
import type { Assert, Same } from "../../internal/type-equal.js";
import { lazy } from "../../internal/validate.js";
import type * as T from "./outbound-types.js";

/**
 * Outbound message inputs (camelCase) and the limits Meta documents for them. Checked locally so
 * a message Meta would reject with 100/131009 never leaves the process.
 */

const str = (min: number, max: number, what = "characters") =>
  z
    .string()
    .check(
      z.minLength(min, min === 1 ? "must not be empty" : `must be at least ${min} ${what}`),
      z.maxLength(max, `must be at most ${max} ${what} (Meta's limit)`),
    );

export { isRecipient } from "../../internal/recipients.js";

export const recipientSchema = lazy(() =>
  z
    .string()
    .check(
      z.refine(
        isRecipient,
        "must be a phone number in international format (e.g. +16505551234) or a business-scoped user id (e.g. US.13491208655302741918)",
      ),
    ),
);

export { isBsuid } from "../../internal/recipients.js";

const httpUrl = lazy(() =>
  z.string().check(
    z.maxLength(2000, "must be at most 2000 characters"),
    z.refine((v) => /^https?:\/\/[^\s/?#]+[^\s]*$/i.test(v), "must be an http(s) URL"),
  ),
);

const mediaSource = lazy(() =>
  z.union([z.strictObject({ id: str(1, 256) }), z.strictObject({ link: httpUrl })]),
);

const common = {
  to: recipientSchema,
  replyTo: lazy(() => z.optional(str(1, 256))),
  bizOpaqueCallbackData: lazy(() => z.optional(str(1, 512))),
};

const caption = lazy(() => z.optional(str(1, 1024)));

const textMessage = lazy(() =>
  z.strictObject({
    type: z.literal("text"),
    ...common,
    body: str(1, 4096),
    previewUrl: z.optional(z.boolean()),
  }),
);
const imageMessage = lazy(() =>
  z.strictObject({ type: z.literal("image"), ...common, media: mediaSource, caption }),
);
const videoMessage = lazy(() =>
  z.strictObject({ type: z.literal("video"), ...common, media: mediaSource, caption }),
);
const audioMessage = lazy(() =>
  z.strictObject({
    type: z.literal("audio"),
    ...common,
    media: mediaSource,
    voice: z.optional(z.boolean()),
  }),
);
const documentMessage = lazy(() =>
  z.strictObject({
    type: z.literal("document"),
    ...common,
    media: mediaSource,
    caption,
    filename: z.optional(str(1, 240)),
  }),
);
const stickerMessage = lazy(() =>
  z.strictObject({ type: z.literal("sticker"), ...common, media: mediaSource }),
);
const locationMessage = lazy(() =>
  z.strictObject({
    type: z.literal("location"),
    ...common,
    latitude: z.number().check(z.gte(-90), z.lte(90)),
    longitude: z.number().check(z.gte(-180), z.lte(180)),
    name: z.optional(str(1, 1000)),
    address: z.optional(str(1, 1000)),
  }),
);

/*
 * Contact card fields: Meta documents no length for them. Each gets a cap, so no field of a
 * message is unbounded: 1000 characters for names, addresses and organisation (as the
 * formatted name and a location's name and address), 2000 for a URL (as every other URL Meta
 * takes), 320 for an e-mail address (RFC 5321: 64 + "@" + 255), 64 for a phone number, a
 * WhatsApp id and the `type` labels ("HOME", "WORK", "CELL", …).
 */
const cardText = lazy(() => z.optional(str(0, 1000)));
const cardLabel = lazy(() => z.optional(str(0, 64)));

const contact = lazy(() =>
  z.strictObject({
    name: z.strictObject({
      formattedName: str(1, 1000),
      firstName: cardText,
      lastName: cardText,
      middleName: cardText,
      prefix: cardText,
      suffix: cardText,
    }),
    phones: z.optional(
      z.array(
        z.strictObject({
          phone: cardLabel,
          type: cardLabel,
          waId: cardLabel,
        }),
      ),
    ),
    emails: z.optional(z.array(z.strictObject({ email: z.optional(str(0, 320)), type: cardLabel }))),
    urls: z.optional(z.array(z.strictObject({ url: z.optional(str(0, 2000)), type: cardLabel }))),
    addresses: z.optional(
      z.array(
        z.strictObject({
          street: cardText,
          city: cardText,
          state: cardText,
          zip: cardLabel,
          country: cardText,
          countryCode: cardLabel,
          type: cardLabel,
        }),
      ),
    ),
    org: z.optional(
      z.strictObject({
        company: cardText,
        department: cardText,
        title: cardText,
      }),
    ),
    birthday: z.optional(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD"))),
  }),
);
const contactsMessage = lazy(() =>
  z.strictObject({
    type: z.literal("contacts"),
    ...common,
    contacts: z.array(contact).check(z.minLength(1, "must hold at least one contact")),
  }),
);

const reactionMessage = lazy(() =>
  z.strictObject({
    type: z.literal("reaction"),
    ...common,
    messageId: str(1, 256),
    /** An emoji, or "" to remove an earlier reaction. */
    emoji: z.string().check(z.maxLength(16, "must be a single emoji or empty")),
  }),
);

const interactiveHeader = lazy(() =>
  z.union([
    str(1, 60),
    z.strictObject({ image: mediaSource }),
    z.strictObject({ video: mediaSource }),
    z.strictObject({ document: mediaSource, filename: z.optional(str(1, 240)) }),
  ]),
);

const noOuterSpace = (v: string) => v.trim() === v;
const unique =
  <T>(key: (item: T) => string) =>
  (items: T[]) =>
    new Set(items.map(key)).size === items.length;

const buttonsMessage = lazy(() =>
  z.strictObject({
    type: z.literal("buttons"),
    ...common,
    header: z.optional(interactiveHeader),
    body: str(1, 1024),
    footer: z.optional(str(1, 60)),
    buttons: z
      .array(
        z.strictObject({
          id: str(1, 256).check(z.refine(noOuterSpace, "must not start or end with spaces")),
          title: str(1, 20),
        }),
      )
      .check(
        z.minLength(1, "must hold at least one button"),
        z.maxLength(3, "must hold at most 3 buttons (Meta's limit)"),
        z.refine(
          unique((b: { id: string }) => b.id),
          "button ids must be unique",
        ),
        z.refine(
          unique((b: { title: string }) => b.title),
          "button titles must be unique",
        ),
      ),
  }),
);

const listRow = lazy(() =>
  z.strictObject({ id: str(1, 200), title: str(1, 24), description: z.optional(str(1, 72)) }),
);
const listMessage = lazy(() =>
  z.strictObject({
    type: z.literal("list"),
    ...common,
    header: z.optional(str(1, 60)),
    body: str(1, 4096),
    footer: z.optional(str(1, 60)),
    button: str(1, 20),
    sections: z
      .array(
        z.strictObject({
          title: z.optional(str(1, 24)),
          rows: z.array(listRow).check(z.minLength(1, "must hold at least one row")),
        }),
      )
      .check(
        z.minLength(1, "must hold at least one section"),
        z.maxLength(10, "must hold at most 10 sections (Meta's limit)"),
        z.refine(
          (s) => s.reduce((n, sec) => n + sec.rows.length, 0) <= 10,
          "must hold at most 10 rows in total across sections (Meta's limit)",
        ),
        z.refine(
          (s) => s.length === 1 || s.every((sec) => sec.title !== undefined),
          "every section needs a title when there is more than one",
        ),
        z.refine(
          (s) => unique((r: { id: string }) => r.id)(s.flatMap((sec) => sec.rows)),
          "row ids must be unique",
        ),
      ),
  }),
);

const ctaUrlMessage = lazy(() =>
  z.strictObject({
    type: z.literal("cta_url"),
    ...common,
    header: z.optional(interactiveHeader),
    body: str(1, 1024),
    footer: z.optional(str(1, 60)),
    displayText: str(1, 20),
    url: httpUrl,
  }),
);

/**
 * A body parameter's text: at most 1024 characters. Meta's parameter reference allows 1024 when
 * the template has any component besides its body, and 32,768 only when the body is the
 * template's sole component; the message does not say which (a static header, footer or button
 * carries no parameter), so the limit that holds for every template is used. It is also the
 * limit of the approved body text itself, and what currency and date-time fallbacks already had.
 */
const PARAMETER_MAX = 1024;
/**
 * At most 170 body parameters: an approved body is at most 1024 characters, each placeholder
 * (`{{1}}`, `{{a}}`) takes five or more, and placeholders may be neither adjacent nor at the
 * start or end (Meta rejects such templates, 2388299), so a body holds at most ⌊1023 / 6⌋ = 170.
 */
const PARAMETERS_MAX = 170;

const templateValue = lazy(() =>
  z.union([
    str(1, PARAMETER_MAX),
    z.strictObject({
      type: z.literal("currency"),
      fallbackValue: str(1, PARAMETER_MAX),
      code: z.string().check(z.regex(/^[A-Z]{3}$/, "must be an ISO 4217 code")),
      amount1000: z.number().check(z.int()),
    }),
    z.strictObject({ type: z.literal("date_time"), fallbackValue: str(1, PARAMETER_MAX) }),
  ]),
);

const paramName = lazy(() =>
  z.string().check(z.regex(/^[a-z_][a-z0-9_]*$/, "must be lowercase letters, digits and underscores")),
);

const templateHeader = lazy(() =>
  z.union([
    str(1, 60),
    z.strictObject({ text: str(1, 60), parameterName: z.optional(paramName) }),
    z.strictObject({ image: mediaSource }),
    z.strictObject({ video: mediaSource }),
    z.strictObject({ document: mediaSource, filename: z.optional(str(1, 240)) }),
    z.strictObject({
      location: z.strictObject({
        latitude: z.number().check(z.gte(-90), z.lte(90)),
        longitude: z.number().check(z.gte(-180), z.lte(180)),
        name: z.optional(str(1, 1000)),
        address: z.optional(str(1, 1000)),
      }),
    }),
  ]),
);

const index = lazy(() => z.number().check(z.int(), z.gte(0, "must be 0-9"), z.lte(9, "must be 0-9")));
const templateButton = lazy(() =>
  z.discriminatedUnion("type", [
    z.strictObject({ type: z.literal("quick_reply"), index, payload: str(1, 1000) }),
    z.strictObject({ type: z.literal("url"), index, text: str(1, 2000) }),
    z.strictObject({ type: z.literal("copy_code"), index, code: str(1, 15) }),
  ]),
);

const templateMessage = lazy(() =>
  z.strictObject({
    type: z.literal("template"),
    ...common,
    name: z
      .string()
      .check(
        z.regex(/^[a-z0-9_]{1,512}$/, "must be lowercase letters, digits and underscores (at most 512)"),
      ),
    language: z
      .string()
      .check(
        z.regex(
          /^[a-z]{2,3}(_[A-Za-z0-9]{2,4})?$/,
          'must be a template language code such as "en_US" or "en"',
        ),
      ),
    header: z.optional(templateHeader),
    body: z.optional(
      z.union([
        z
          .array(templateValue)
          .check(z.maxLength(PARAMETERS_MAX, `must hold at most ${PARAMETERS_MAX} parameters`)),
        z
          .record(paramName, templateValue)
          .check(
            z.refine(
              (r) => Object.keys(r).length <= PARAMETERS_MAX,
              `must hold at most ${PARAMETERS_MAX} parameters`,
            ),
          ),
      ]),
    ),
    buttons: z.optional(
      z.array(templateButton).check(
        z.refine(
          unique((b: { index: number }) => String(b.index)),
          "button indexes must be unique",
        ),
      ),
    ),
  }),
);

const TEXT_KEYS = new Set(["type", "to", "body", "previewUrl", "replyTo", "bizOpaqueCallbackData"]);
const optionalText = (v: unknown, max: number) =>
  v === undefined || (typeof v === "string" && v.length >= 1 && v.length <= max);

/**
 * Same acceptance as the schema for text messages (the hottest send), without zod. Anything
 * else answers false and goes through zod, which also explains what is wrong.
 */
export function isValidTextMessage(m: unknown): boolean {
  if (typeof m !== "object" || m === null) return false;
  const r = m as Record<string, unknown>;
  if (r["type"] !== "text") return false;
  const keys = Object.keys(r);
  for (let i = 0; i < keys.length; i++) if (!TEXT_KEYS.has(keys[i] as string)) return false;
  const to = r["to"];
  const body = r["body"];
  const preview = r["previewUrl"];
  return (
    typeof to === "string" &&
    isRecipient(to) &&
    typeof body === "string" &&
    body.length >= 1 &&
    body.length <= 4096 &&
    (preview === undefined || typeof preview === "boolean") &&
    optionalText(r["replyTo"], 256) &&
    optionalText(r["bizOpaqueCallbackData"], 512)
  );
}

export const outboundMessageSchema = lazy(() =>
  z.discriminatedUnion("type", [
    textMessage,
    imageMessage,
    videoMessage,
    audioMessage,
    documentMessage,
    stickerMessage,
    locationMessage,
    contactsMessage,
    reactionMessage,
    buttonsMessage,
    listMessage,
    ctaUrlMessage,
    templateMessage,
  ]),
);

/*
 * The public types are hand-written in outbound-types.ts (documented, and free of zod in the
 * published declarations). Each must equal what its schema accepts: these lines fail to compile
 * the moment a schema and its interface drift apart.
 */
export type OutboundTypesMatchSchemas = [
  Assert<Same<T.MediaSource, z.infer<typeof mediaSource>>>,
  Assert<Same<T.TextMessage, z.infer<typeof textMessage>>>,
  Assert<Same<T.ImageMessage, z.infer<typeof imageMessage>>>,
  Assert<Same<T.VideoMessage, z.infer<typeof videoMessage>>>,
  Assert<Same<T.AudioMessage, z.infer<typeof audioMessage>>>,
  Assert<Same<T.DocumentMessage, z.infer<typeof documentMessage>>>,
  Assert<Same<T.StickerMessage, z.infer<typeof stickerMessage>>>,
  Assert<Same<T.LocationMessage, z.infer<typeof locationMessage>>>,
  Assert<Same<T.ContactCard, z.infer<typeof contact>>>,
  Assert<Same<T.ContactsMessage, z.infer<typeof contactsMessage>>>,
  Assert<Same<T.ReactionMessage, z.infer<typeof reactionMessage>>>,
  Assert<Same<T.InteractiveHeader, z.infer<typeof interactiveHeader>>>,
  Assert<Same<T.ButtonsMessage, z.infer<typeof buttonsMessage>>>,
  Assert<Same<T.ListMessage, z.infer<typeof listMessage>>>,
  Assert<Same<T.CtaUrlMessage, z.infer<typeof ctaUrlMessage>>>,
  Assert<Same<T.TemplateValue, z.infer<typeof templateValue>>>,
  Assert<Same<T.TemplateHeader, z.infer<typeof templateHeader>>>,
  Assert<Same<T.TemplateButtonParameter, z.infer<typeof templateButton>>>,
  Assert<Same<T.TemplateMessage, z.infer<typeof templateMessage>>>,
  Assert<Same<T.OutboundMessage, z.infer<typeof outboundMessageSchema>>>,
];

export type {
  AudioMessage,
  ButtonsMessage,
  ContactCard,
  ContactsMessage,
  CtaUrlMessage,
  DocumentMessage,
  ImageMessage,
  InteractiveHeader,
  ListMessage,
  LocationMessage,
  MediaSource,
  MessageBase,
  OutboundMessage,
  ReactionMessage,
  SendAudioParams,
  SendButtonsParams,
  SendContactsParams,
  SendCtaUrlParams,
  SendDocumentParams,
  SendImageParams,
  SendListParams,
  SendLocationParams,
  SendReactionParams,
  SendStickerParams,
  SendTemplateParams,
  SendTextParams,
  SendVideoParams,
  StickerMessage,
  TemplateButtonParameter,
  TemplateHeader,
  TemplateMessage,
  TemplateValue,
  TextMessage,
  VideoMessage,
} from "./outbound-types.js";
