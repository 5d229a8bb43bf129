import { type Infer, type Shape, validator } from "./shape.js";

/**
 * Webhook payload shapes. Every object is loose: fields Meta adds later are kept as they are.
 * Only what wa-guard relies on is required; an element that lacks it becomes an `unknown`
 * event instead of failing the delivery.
 */

const opt = <const T extends Shape>(shape: T) => ({ optional: shape }) as const;
const S = "string" as const;

const graphError = { object: { code: "numberOrString" } } as const;

const contactShape = {
  object: {
    wa_id: opt(S),
    user_id: opt(S),
    parent_user_id: opt(S),
    identity_key_hash: opt(S),
    profile: opt({ object: { name: opt(S), username: opt(S) } }),
  },
} as const;

const media = {
  object: {
    id: opt(S),
    mime_type: opt(S),
    sha256: opt(S),
    caption: opt(S),
    filename: opt(S),
    voice: opt("boolean"),
    url: opt(S),
  },
} as const;

const inboundMessageShape = {
  object: {
    id: S,
    type: S,
    from: opt(S),
    from_user_id: opt(S),
    from_parent_user_id: opt(S),
    /** Set on a message written in a group (Groups API): the window it opens is the group's. */
    group_id: opt(S),
    timestamp: opt("unixTime"),
    context: opt({
      object: {
        from: opt(S),
        id: opt(S),
        forwarded: opt("boolean"),
        frequently_forwarded: opt("boolean"),
        referred_product: opt({ object: { catalog_id: opt(S), product_retailer_id: opt(S) } }),
      },
    }),
    text: opt({ object: { body: S } }),
    image: opt(media),
    audio: opt(media),
    video: opt(media),
    document: opt(media),
    sticker: opt({ object: { id: opt(S), mime_type: opt(S), sha256: opt(S), animated: opt("boolean") } }),
    location: opt({
      object: { latitude: "number", longitude: "number", name: opt(S), address: opt(S), url: opt(S) },
    }),
    contacts: opt({ array: { object: {} } }),
    interactive: opt({
      object: {
        type: S,
        button_reply: opt({ object: { id: S, title: opt(S) } }),
        list_reply: opt({ object: { id: S, title: opt(S), description: opt(S) } }),
        nfm_reply: opt({ object: { response_json: opt(S), body: opt(S), name: opt(S) } }),
      },
    }),
    button: opt({ object: { payload: opt(S), text: opt(S) } }),
    // A user edited an earlier message (coexistence numbers): the edited message as it reads now.
    edit: opt({
      object: {
        original_message_id: opt(S),
        message: opt({
          object: {
            type: opt(S),
            text: opt({ object: { body: S } }),
            image: opt(media),
            video: opt(media),
            document: opt(media),
          },
        }),
      },
    }),
    reaction: opt({ object: { message_id: opt(S), emoji: opt(S) } }),
    order: opt({
      object: { catalog_id: opt(S), text: opt(S), product_items: opt({ array: { object: {} } }) },
    }),
    system: opt({
      object: {
        body: opt(S),
        type: opt(S),
        wa_id: opt(S),
        user_id: opt(S),
        parent_user_id: opt(S),
        previous_user_id: opt(S),
        previous_parent_user_id: opt(S),
        identity: opt(S),
        customer: opt(S),
        new_wa_id: opt(S),
      },
    }),
    identity: opt({
      object: { acknowledged: opt("boolean"), created_timestamp: opt("unixTime"), hash: opt(S) },
    }),
    referral: opt({
      object: {
        source_url: opt(S),
        source_type: opt(S),
        source_id: opt(S),
        headline: opt(S),
        body: opt(S),
        media_type: opt(S),
        ctwa_clid: opt(S),
      },
    }),
    errors: opt({ array: graphError }),
  },
} as const;

const messageStatusShape = {
  object: {
    id: S,
    status: S,
    timestamp: opt("unixTime"),
    recipient_id: opt(S),
    recipient_user_id: opt(S),
    recipient_parent_user_id: opt(S),
    recipient_type: opt(S),
    recipient_participant_id: opt(S),
    recipient_identity_key_hash: opt(S),
    biz_opaque_callback_data: opt(S),
    conversation: opt({
      object: {
        id: opt(S),
        expiration_timestamp: opt("unixTime"),
        origin: opt({ object: { type: opt(S) } }),
      },
    }),
    pricing: opt({
      object: { billable: opt("boolean"), pricing_model: opt(S), type: opt(S), category: opt(S) },
    }),
    errors: opt({ array: graphError }),
  },
} as const;

const templateRef = {
  message_template_id: opt("numberOrString"),
  message_template_name: opt(S),
  message_template_language: opt(S),
} as const;

export const contact = validator(contactShape);
export const inboundMessage = validator(inboundMessageShape);
export const messageStatus = validator(messageStatusShape);
// Ids as strings, or as JSON numbers (read as their digits, like `entry.id`): an id that could not
// be read would make another number's message open a window on this one.
export const metadata = validator({
  object: { display_phone_number: opt("numberOrString"), phone_number_id: opt("numberOrString") },
});
export const userPreference = validator({
  object: {
    wa_id: opt(S),
    user_id: opt(S),
    parent_user_id: opt(S),
    detail: opt(S),
    category: opt(S),
    value: S,
    timestamp: opt("unixTime"),
  },
});
export const callEvent = validator({
  object: {
    id: opt(S),
    from: opt(S),
    from_user_id: opt(S),
    to: opt(S),
    event: opt(S),
    direction: opt(S),
    timestamp: opt("unixTime"),
  },
});
/** An identifier and what it was before (`user_id_update`). */
const change = { object: { previous: opt(S), current: opt(S) } } as const;
/**
 * `user_id_update[]`: the user's BSUID changed. Meta documented this field until August 2026 and
 * now sends a `user_changed_user_id` system message instead; both are read.
 */
export const userIdUpdate = validator({
  object: {
    wa_id: opt(S),
    user_id: change,
    parent_user_id: opt(change),
    detail: opt(S),
    timestamp: opt("unixTime"),
  },
});
/** A call status (`RINGING`, `ACCEPTED`, `REJECTED`, …) in `statuses[]`: a call, not a message. */
export const callStatus = validator({
  object: {
    id: S,
    status: S,
    type: opt(S),
    timestamp: opt("unixTime"),
    recipient_id: opt(S),
    recipient_user_id: opt(S),
  },
});
export const templateStatusUpdate = validator({
  object: { event: S, ...templateRef, message_template_category: opt(S), reason: opt("nullableString") },
});
export const templateQualityUpdate = validator({
  object: { previous_quality_score: opt(S), new_quality_score: S, ...templateRef },
});
export const templateCategoryUpdate = validator({
  object: {
    ...templateRef,
    previous_category: opt(S),
    new_category: S,
    // Impending changes only: the category the template will get, and when.
    correct_category: opt(S),
    category_update_timestamp: opt("unixTime"),
  },
});
// Only the event's name is required to be of a given shape. Everything else is read where it is
// used, field by field: an expiration written as a date, a ban date as a number or a restriction
// without its type must not make a restriction or a ban an unknown event, which changes nothing.
export const accountUpdate = validator({
  object: {
    event: S,
    restriction_info: opt("unknown"),
    violation_info: opt("unknown"),
    ban_info: opt("unknown"),
  },
});
export const phoneQualityUpdate = validator({
  object: {
    event: S,
    display_phone_number: opt(S),
    // `current_limit` / `old_limit` were removed in February 2026 and are not read (an old
    // THROUGHPUT_UPGRADE's current_limit is a throughput level, not a messaging limit).
    max_daily_conversations_per_business: opt("numberOrString"),
  },
});

/** An inbound message as Meta sent it; every field it carries is kept. */
export type InboundMessage = Infer<typeof inboundMessageShape>;
/** A status as Meta sent it; every field it carries is kept. */
export type MessageStatusPayload = Infer<typeof messageStatusShape>;
/** A `contacts[]` entry as Meta sent it. */
export type ContactPayload = Infer<typeof contactShape>;
