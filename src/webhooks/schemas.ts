import * as z from "zod/mini";
import { graphErrorObject } from "../api/schemas/responses.js";

/**
 * Webhook payload shapes. Every object is loose: fields Meta adds later are kept as they are.
 * Only what wa-guard relies on is required; an element that lacks it becomes an `unknown`
 * event instead of failing the delivery.
 */

const str = z.string();
const opt = <T extends z.ZodMiniType>(t: T) => z.optional(t);
/** Meta sends unix seconds as strings in `messages` and as numbers elsewhere. */
export const unixTime = z.union([z.string().check(z.regex(/^\d+$/)), z.number()]);

export const contact = z.looseObject({
  wa_id: opt(str),
  user_id: opt(str),
  parent_user_id: opt(str),
  identity_key_hash: opt(str),
  profile: opt(z.looseObject({ name: opt(str), username: opt(str) })),
});

const media = z.looseObject({
  id: opt(str),
  mime_type: opt(str),
  sha256: opt(str),
  caption: opt(str),
  filename: opt(str),
  voice: opt(z.boolean()),
  url: opt(str),
});

export const inboundMessage = z.looseObject({
  id: str,
  type: str,
  from: opt(str),
  from_user_id: opt(str),
  from_parent_user_id: opt(str),
  timestamp: opt(unixTime),
  context: opt(
    z.looseObject({
      from: opt(str),
      id: opt(str),
      forwarded: opt(z.boolean()),
      frequently_forwarded: opt(z.boolean()),
      referred_product: opt(z.looseObject({ catalog_id: opt(str), product_retailer_id: opt(str) })),
    }),
  ),
  text: opt(z.looseObject({ body: str })),
  image: opt(media),
  audio: opt(media),
  video: opt(media),
  document: opt(media),
  sticker: opt(
    z.looseObject({ id: opt(str), mime_type: opt(str), sha256: opt(str), animated: opt(z.boolean()) }),
  ),
  location: opt(
    z.looseObject({
      latitude: z.number(),
      longitude: z.number(),
      name: opt(str),
      address: opt(str),
      url: opt(str),
    }),
  ),
  contacts: opt(z.array(z.looseObject({}))),
  interactive: opt(
    z.looseObject({
      type: str,
      button_reply: opt(z.looseObject({ id: str, title: opt(str) })),
      list_reply: opt(z.looseObject({ id: str, title: opt(str), description: opt(str) })),
      nfm_reply: opt(z.looseObject({ response_json: opt(str), body: opt(str), name: opt(str) })),
    }),
  ),
  button: opt(z.looseObject({ payload: opt(str), text: opt(str) })),
  reaction: opt(z.looseObject({ message_id: opt(str), emoji: opt(str) })),
  order: opt(
    z.looseObject({ catalog_id: opt(str), text: opt(str), product_items: opt(z.array(z.looseObject({}))) }),
  ),
  system: opt(
    z.looseObject({
      body: opt(str),
      type: opt(str),
      wa_id: opt(str),
      identity: opt(str),
      customer: opt(str),
      new_wa_id: opt(str),
    }),
  ),
  identity: opt(
    z.looseObject({ acknowledged: opt(z.boolean()), created_timestamp: opt(unixTime), hash: opt(str) }),
  ),
  referral: opt(
    z.looseObject({
      source_url: opt(str),
      source_type: opt(str),
      source_id: opt(str),
      headline: opt(str),
      body: opt(str),
      media_type: opt(str),
      ctwa_clid: opt(str),
    }),
  ),
  errors: opt(z.array(graphErrorObject)),
});

export const messageStatus = z.looseObject({
  id: str,
  status: str,
  timestamp: opt(unixTime),
  recipient_id: opt(str),
  recipient_user_id: opt(str),
  recipient_parent_user_id: opt(str),
  recipient_type: opt(str),
  recipient_participant_id: opt(str),
  recipient_identity_key_hash: opt(str),
  biz_opaque_callback_data: opt(str),
  conversation: opt(
    z.looseObject({
      id: opt(str),
      expiration_timestamp: opt(unixTime),
      origin: opt(z.looseObject({ type: opt(str) })),
    }),
  ),
  pricing: opt(
    z.looseObject({
      billable: opt(z.boolean()),
      pricing_model: opt(str),
      type: opt(str),
      category: opt(str),
    }),
  ),
  errors: opt(z.array(graphErrorObject)),
});

export const userPreference = z.looseObject({
  wa_id: opt(str),
  user_id: opt(str),
  detail: opt(str),
  category: opt(str),
  value: str,
  timestamp: opt(unixTime),
});

export const callEvent = z.looseObject({
  id: opt(str),
  from: opt(str),
  to: opt(str),
  event: opt(str),
  direction: opt(str),
  timestamp: opt(unixTime),
});

export const templateStatusUpdate = z.looseObject({
  event: str,
  message_template_id: opt(z.union([z.number(), str])),
  message_template_name: opt(str),
  message_template_language: opt(str),
  message_template_category: opt(str),
  reason: opt(z.nullable(str)),
});

export const templateQualityUpdate = z.looseObject({
  previous_quality_score: opt(str),
  new_quality_score: str,
  message_template_id: opt(z.union([z.number(), str])),
  message_template_name: opt(str),
  message_template_language: opt(str),
});

export const templateCategoryUpdate = z.looseObject({
  message_template_id: opt(z.union([z.number(), str])),
  message_template_name: opt(str),
  message_template_language: opt(str),
  previous_category: opt(str),
  new_category: str,
  correct_category: opt(str),
});

export const accountUpdate = z.looseObject({
  event: str,
  restriction_info: opt(
    z.array(
      z.looseObject({ restriction_type: str, expiration: opt(unixTime), remediation: opt(z.unknown()) }),
    ),
  ),
  violation_info: opt(z.looseObject({ violation_type: opt(str) })),
  ban_info: opt(z.looseObject({ waba_ban_state: opt(str), waba_ban_date: opt(str) })),
});

export const phoneQualityUpdate = z.looseObject({
  event: str,
  display_phone_number: opt(str),
  current_limit: opt(str),
  old_limit: opt(str),
  max_daily_conversations_per_business: opt(z.union([str, z.number()])),
});

export const metadata = z.looseObject({ display_phone_number: opt(str), phone_number_id: opt(str) });

export type InboundMessage = z.infer<typeof inboundMessage>;
export type MessageStatusPayload = z.infer<typeof messageStatus>;
export type ContactPayload = z.infer<typeof contact>;
