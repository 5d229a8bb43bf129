/**
 * The outbound message types as users read them: hand-written, documented field by field, and
 * tied to the zod schemas in outbound.ts by a compile-time check (`outbound.ts` asserts that
 * each interface and the schema's inferred type are assignable both ways), so neither can drift.
 * The published declarations are these interfaces and name no package a user lacks.
 *
 * Optional fields accept an explicit `undefined` (as the schemas do), also under
 * `exactOptionalPropertyTypes`.
 */

/** Media by id (uploaded with `wa.media.upload`) or by public link. */
export type MediaSource =
  | {
      /** A media id from `wa.media.upload` (1-256 characters). Meta keeps uploads 30 days. */
      id: string;
    }
  | {
      /** A public http(s) URL Meta downloads (at most 2000 characters). */
      link: string;
    };

/** Fields every message accepts. */
export interface MessageBase {
  /**
   * The recipient: a phone number in international format (`+16505551234`; spaces, dashes and
   * parentheses are allowed, 5-15 digits) or a business-scoped user id (`US.13491208655302741918`).
   */
  to: string;
  /** Reply in context: the wamid of the message this one answers (1-256 characters). */
  replyTo?: string | undefined;
  /**
   * Your tracking string, echoed back in status webhooks as `biz_opaque_callback_data`
   * (1-512 characters). When absent, wa-guard generates one (`SendResult.correlationId`).
   */
  bizOpaqueCallbackData?: string | undefined;
}

/** `wa.messages.sendText(params)`. */
export interface SendTextParams extends MessageBase {
  /** The text, 1-4096 characters (Meta's limit). URLs are hyperlinked. */
  body: string;
  /** Ask WhatsApp to render a preview of the first http(s) URL in `body`. @default false */
  previewUrl?: boolean | undefined;
}
/** A text message. */
export interface TextMessage extends SendTextParams {
  type: "text";
}

/** `wa.messages.sendImage(params)`. JPEG or PNG, at most 5 MB (`MEDIA_LIMITS`). */
export interface SendImageParams extends MessageBase {
  /** The image, by media id or link. */
  media: MediaSource;
  /** Caption under the image, 1-1024 characters. */
  caption?: string | undefined;
}
/** An image message. */
export interface ImageMessage extends SendImageParams {
  type: "image";
}

/** `wa.messages.sendVideo(params)`. MP4 or 3GPP, at most 16 MB (`MEDIA_LIMITS`). */
export interface SendVideoParams extends MessageBase {
  /** The video, by media id or link. */
  media: MediaSource;
  /** Caption under the video, 1-1024 characters. */
  caption?: string | undefined;
}
/** A video message. */
export interface VideoMessage extends SendVideoParams {
  type: "video";
}

/** `wa.messages.sendAudio(params)`. AAC, AMR, MP3, M4A or OGG/Opus, at most 16 MB (`MEDIA_LIMITS`); no caption. */
export interface SendAudioParams extends MessageBase {
  /** The audio, by media id or link. */
  media: MediaSource;
  /** Send as a voice note (OGG/Opus), which reports a `played` status. @default false */
  voice?: boolean | undefined;
}
/** An audio message. */
export interface AudioMessage extends SendAudioParams {
  type: "audio";
}

/** `wa.messages.sendDocument(params)`. At most 100 MB (`MEDIA_LIMITS`). */
export interface SendDocumentParams extends MessageBase {
  /** The document, by media id or link. */
  media: MediaSource;
  /** Caption under the document, 1-1024 characters. */
  caption?: string | undefined;
  /** File name shown to the recipient, 1-240 characters. */
  filename?: string | undefined;
}
/** A document message. */
export interface DocumentMessage extends SendDocumentParams {
  type: "document";
}

/** `wa.messages.sendSticker(params)`. WebP: at most 100 KB static, 500 KB animated; takes no caption. */
export interface SendStickerParams extends MessageBase {
  /** The sticker, by media id or link. */
  media: MediaSource;
}
/** A sticker message. */
export interface StickerMessage extends SendStickerParams {
  type: "sticker";
}

/** `wa.messages.sendLocation(params)`. */
export interface SendLocationParams extends MessageBase {
  /** Latitude in degrees, -90 to 90. */
  latitude: number;
  /** Longitude in degrees, -180 to 180. */
  longitude: number;
  /** Name of the place, 1-1000 characters. */
  name?: string | undefined;
  /** Address of the place, 1-1000 characters. */
  address?: string | undefined;
}
/** A location message. */
export interface LocationMessage extends SendLocationParams {
  type: "location";
}

/**
 * One contact card. Meta documents no lengths for card fields; wa-guard caps each: 1000
 * characters for names, addresses and organisation fields, 2000 for URLs, 320 for e-mail
 * addresses, 64 for phone numbers, WhatsApp ids, zip codes, country codes and `type` labels.
 */
export interface ContactCard {
  name: {
    /** The name shown, 1-1000 characters. Required. */
    formattedName: string;
    firstName?: string | undefined;
    lastName?: string | undefined;
    middleName?: string | undefined;
    prefix?: string | undefined;
    suffix?: string | undefined;
  };
  phones?:
    | Array<{
        /** The number as shown. */
        phone?: string | undefined;
        /** A label such as `CELL`, `HOME` or `WORK`. */
        type?: string | undefined;
        /** The WhatsApp id, which adds a "Message" button to the card. */
        waId?: string | undefined;
      }>
    | undefined;
  emails?: Array<{ email?: string | undefined; type?: string | undefined }> | undefined;
  urls?: Array<{ url?: string | undefined; type?: string | undefined }> | undefined;
  addresses?:
    | Array<{
        street?: string | undefined;
        city?: string | undefined;
        state?: string | undefined;
        zip?: string | undefined;
        country?: string | undefined;
        /** ISO 3166-1 alpha-2, e.g. `US`. */
        countryCode?: string | undefined;
        type?: string | undefined;
      }>
    | undefined;
  org?:
    | {
        company?: string | undefined;
        department?: string | undefined;
        title?: string | undefined;
      }
    | undefined;
  /** `YYYY-MM-DD`. */
  birthday?: string | undefined;
}

/** `wa.messages.sendContacts(params)`. */
export interface SendContactsParams extends MessageBase {
  /** One or more contact cards. */
  contacts: ContactCard[];
}
/** A contacts message. */
export interface ContactsMessage extends SendContactsParams {
  type: "contacts";
}

/** `wa.messages.sendReaction(params)`. */
export interface SendReactionParams extends MessageBase {
  /** The wamid of the message reacted to (1-256 characters). */
  messageId: string;
  /** A single emoji (at most 16 UTF-16 units), or `""` to remove an earlier reaction. */
  emoji: string;
}
/** A reaction message. */
export interface ReactionMessage extends SendReactionParams {
  type: "reaction";
}

/** Header of a buttons or CTA URL message: text (1-60 characters) or media. */
export type InteractiveHeader =
  | string
  | { image: MediaSource }
  | { video: MediaSource }
  | {
      document: MediaSource;
      /** File name shown, 1-240 characters. */
      filename?: string | undefined;
    };

/** `wa.messages.sendButtons(params)`: up to three reply buttons. */
export interface SendButtonsParams extends MessageBase {
  header?: InteractiveHeader | undefined;
  /** Body text, 1-1024 characters. */
  body: string;
  /** Footer text, 1-60 characters. */
  footer?: string | undefined;
  /** 1-3 buttons (Meta's limit); ids and titles must be unique. */
  buttons: Array<{
    /** Returned in the reply webhook, 1-256 characters, no leading or trailing spaces. */
    id: string;
    /** The label, 1-20 characters. */
    title: string;
  }>;
}
/** A reply-buttons message. */
export interface ButtonsMessage extends SendButtonsParams {
  type: "buttons";
}

/** `wa.messages.sendList(params)`: a menu of at most 10 rows in at most 10 sections. */
export interface SendListParams extends MessageBase {
  /** Header text, 1-60 characters (a list header is text only). */
  header?: string | undefined;
  /** Body text, 1-4096 characters. */
  body: string;
  /** Footer text, 1-60 characters. */
  footer?: string | undefined;
  /** Label of the button that opens the list, 1-20 characters. */
  button: string;
  /**
   * 1-10 sections holding at most 10 rows in total; every section needs a title when there is
   * more than one; row ids must be unique across sections.
   */
  sections: Array<{
    /** Section title, 1-24 characters. */
    title?: string | undefined;
    rows: Array<{
      /** Returned in the reply webhook, 1-200 characters. */
      id: string;
      /** Row title, 1-24 characters. */
      title: string;
      /** Row description, 1-72 characters. */
      description?: string | undefined;
    }>;
  }>;
}
/** A list message. */
export interface ListMessage extends SendListParams {
  type: "list";
}

/** `wa.messages.sendCtaUrl(params)`: one button that opens a URL. */
export interface SendCtaUrlParams extends MessageBase {
  header?: InteractiveHeader | undefined;
  /** Body text, 1-1024 characters. */
  body: string;
  /** Footer text, 1-60 characters. */
  footer?: string | undefined;
  /** The button's label, 1-20 characters. */
  displayText: string;
  /** The http(s) URL the button opens, at most 2000 characters. */
  url: string;
}
/** A call-to-action URL message. */
export interface CtaUrlMessage extends SendCtaUrlParams {
  type: "cta_url";
}

/**
 * A template body parameter: text (1-1024 characters), a currency or a date-time. Meta renders
 * currencies and dates from `fallbackValue`.
 */
export type TemplateValue =
  | string
  | {
      type: "currency";
      /** Text shown, 1-1024 characters. */
      fallbackValue: string;
      /** ISO 4217 code, e.g. `USD`. */
      code: string;
      /** The amount times 1000 (an integer): 12.99 is 12990. */
      amount1000: number;
    }
  | {
      type: "date_time";
      /** Text shown, 1-1024 characters. */
      fallbackValue: string;
    };

/** A template header parameter: text (1-60 characters), media or a location. */
export type TemplateHeader =
  | string
  | {
      /** Text, 1-60 characters. */
      text: string;
      /** For a NAMED template: the parameter's name (lowercase letters, digits, underscores). */
      parameterName?: string | undefined;
    }
  | { image: MediaSource }
  | { video: MediaSource }
  | {
      document: MediaSource;
      /** File name shown, 1-240 characters. */
      filename?: string | undefined;
    }
  | {
      location: {
        /** -90 to 90. */
        latitude: number;
        /** -180 to 180. */
        longitude: number;
        /** 1-1000 characters. */
        name?: string | undefined;
        /** 1-1000 characters. */
        address?: string | undefined;
      };
    };

/** A parameter for one of the template's buttons; `index` (0-9) is the button's position. */
export type TemplateButtonParameter =
  | {
      type: "quick_reply";
      /** The button's position, 0-9. */
      index: number;
      /** Returned in the reply webhook, 1-1000 characters. */
      payload: string;
    }
  | {
      type: "url";
      /** The button's position, 0-9. */
      index: number;
      /** The URL's variable suffix, 1-2000 characters. */
      text: string;
    }
  | {
      type: "copy_code";
      /** The button's position, 0-9. */
      index: number;
      /** The code copied, 1-15 characters. */
      code: string;
    };

/** `wa.messages.sendTemplate(params)`: an approved template, sendable outside the 24-hour window. */
export interface SendTemplateParams extends MessageBase {
  /** The template's name: lowercase letters, digits and underscores, at most 512. */
  name: string;
  /** The template's language code, e.g. `en_US` or `en`. */
  language: string;
  /** The header's parameter, when the template's header has one. */
  header?: TemplateHeader | undefined;
  /**
   * Body parameters: a list for a POSITIONAL template (`{{1}}`, `{{2}}`, …), or an object keyed by
   * name for a NAMED one (`{{first_name}}`). At most 170.
   */
  body?: TemplateValue[] | Record<string, TemplateValue> | undefined;
  /** Button parameters; each `index` at most once. */
  buttons?: TemplateButtonParameter[] | undefined;
}
/** A template message. */
export interface TemplateMessage extends SendTemplateParams {
  type: "template";
}

/** Any message wa-guard can send (`wa.messages.send(message)`); `type` selects the kind. */
export type OutboundMessage =
  | TextMessage
  | ImageMessage
  | VideoMessage
  | AudioMessage
  | DocumentMessage
  | StickerMessage
  | LocationMessage
  | ContactsMessage
  | ReactionMessage
  | ButtonsMessage
  | ListMessage
  | CtaUrlMessage
  | TemplateMessage;
