import {
  type ContactCard,
  type InteractiveHeader,
  isBsuid,
  type MediaSource,
  type OutboundMessage,
  type TemplateHeader,
  type TemplateMessage,
  type TemplateValue,
} from "./schemas/outbound.js";

type Json = Record<string, unknown>;

const media = (source: MediaSource, extra?: Json): Json => ({ ...source, ...extra });

function interactiveHeader(header: InteractiveHeader): Json {
  if (typeof header === "string") return { type: "text", text: header };
  if ("image" in header) return { type: "image", image: header.image };
  if ("video" in header) return { type: "video", video: header.video };
  return {
    type: "document",
    document: media(header.document, header.filename ? { filename: header.filename } : undefined),
  };
}

/** An interactive message of `type`: its header (if any), body text, footer (if any) and action. */
function interactive(
  type: string,
  m: { body: string; footer?: string | undefined },
  header: Json | undefined,
  action: Json,
): [string, Json] {
  return [
    "interactive",
    {
      type,
      ...(header !== undefined && { header }),
      body: { text: m.body },
      ...(m.footer !== undefined && { footer: { text: m.footer } }),
      action,
    },
  ];
}

function templateParameter(value: TemplateValue, name?: string): Json {
  const named = name === undefined ? {} : { parameter_name: name };
  if (typeof value === "string") return { type: "text", ...named, text: value };
  if (value.type === "currency") {
    return {
      type: "currency",
      ...named,
      currency: { fallback_value: value.fallbackValue, code: value.code, amount_1000: value.amount1000 },
    };
  }
  return { type: "date_time", ...named, date_time: { fallback_value: value.fallbackValue } };
}

function templateHeaderParameter(header: TemplateHeader): Json {
  if (typeof header === "string") return { type: "text", text: header };
  if ("text" in header) return templateParameter(header.text, header.parameterName);
  if ("image" in header) return { type: "image", image: header.image };
  if ("video" in header) return { type: "video", video: header.video };
  if ("document" in header) {
    return {
      type: "document",
      document: media(header.document, header.filename ? { filename: header.filename } : undefined),
    };
  }
  return { type: "location", location: header.location };
}

function templateComponents(m: TemplateMessage): Json[] {
  const components: Json[] = [];
  if (m.header !== undefined)
    components.push({ type: "header", parameters: [templateHeaderParameter(m.header)] });
  if (m.body !== undefined) {
    const parameters = Array.isArray(m.body)
      ? m.body.map((v) => templateParameter(v))
      : Object.entries(m.body).map(([name, v]) => templateParameter(v, name));
    if (parameters.length > 0) components.push({ type: "body", parameters });
  }
  for (const b of m.buttons ?? []) {
    const parameter =
      b.type === "quick_reply"
        ? { type: "payload", payload: b.payload }
        : b.type === "url"
          ? { type: "text", text: b.text }
          : { type: "coupon_code", coupon_code: b.code };
    components.push({ type: "button", sub_type: b.type, index: String(b.index), parameters: [parameter] });
  }
  return components;
}

function contactCard(c: ContactCard): Json {
  const out: Json = {
    name: {
      formatted_name: c.name.formattedName,
      ...(c.name.firstName !== undefined && { first_name: c.name.firstName }),
      ...(c.name.lastName !== undefined && { last_name: c.name.lastName }),
      ...(c.name.middleName !== undefined && { middle_name: c.name.middleName }),
      ...(c.name.prefix !== undefined && { prefix: c.name.prefix }),
      ...(c.name.suffix !== undefined && { suffix: c.name.suffix }),
    },
  };
  if (c.phones)
    out["phones"] = c.phones.map(({ waId, ...rest }) => ({
      ...rest,
      ...(waId !== undefined && { wa_id: waId }),
    }));
  if (c.emails) out["emails"] = c.emails;
  if (c.urls) out["urls"] = c.urls;
  if (c.addresses) {
    out["addresses"] = c.addresses.map(({ countryCode, ...rest }) => ({
      ...rest,
      ...(countryCode !== undefined && { country_code: countryCode }),
    }));
  }
  if (c.org) out["org"] = c.org;
  if (c.birthday) out["birthday"] = c.birthday;
  return out;
}

/** The type-specific part of the request body. */
function content(m: OutboundMessage): [string, unknown] {
  switch (m.type) {
    case "text":
      return ["text", { body: m.body, ...(m.previewUrl !== undefined && { preview_url: m.previewUrl }) }];
    case "image":
    case "video":
      return [m.type, media(m.media, m.caption !== undefined ? { caption: m.caption } : undefined)];
    case "audio":
      return ["audio", media(m.media, m.voice !== undefined ? { voice: m.voice } : undefined)];
    case "document":
      return [
        "document",
        media(m.media, {
          ...(m.caption !== undefined && { caption: m.caption }),
          ...(m.filename !== undefined && { filename: m.filename }),
        }),
      ];
    case "sticker":
      return ["sticker", media(m.media)];
    case "location":
      return [
        "location",
        {
          latitude: m.latitude,
          longitude: m.longitude,
          ...(m.name !== undefined && { name: m.name }),
          ...(m.address !== undefined && { address: m.address }),
        },
      ];
    case "contacts":
      return ["contacts", m.contacts.map(contactCard)];
    case "reaction":
      return ["reaction", { message_id: m.messageId, emoji: m.emoji }];
    case "buttons":
      return interactive("button", m, m.header === undefined ? undefined : interactiveHeader(m.header), {
        buttons: m.buttons.map((b) => ({ type: "reply", reply: { id: b.id, title: b.title } })),
      });
    case "list":
      // A list's header can only be text.
      return interactive("list", m, m.header === undefined ? undefined : { type: "text", text: m.header }, {
        button: m.button,
        sections: m.sections,
      });
    case "cta_url":
      return interactive("cta_url", m, m.header === undefined ? undefined : interactiveHeader(m.header), {
        name: "cta_url",
        parameters: { display_text: m.displayText, url: m.url },
      });
    case "template": {
      const components = templateComponents(m);
      return [
        "template",
        { name: m.name, language: { code: m.language }, ...(components.length > 0 && { components }) },
      ];
    }
  }
}

/**
 * The JSON body for `POST /<PHONE_NUMBER_ID>/messages`. `correlationId` goes into
 * `biz_opaque_callback_data` so status webhooks can be matched to this send.
 */
export function buildMessageBody(m: OutboundMessage, correlationId: string): Json {
  const [type, value] = content(m);
  const body: Json = { messaging_product: "whatsapp", recipient_type: "individual" };
  if (isBsuid(m.to)) body["recipient"] = m.to;
  else body["to"] = m.to;
  body["type"] = type;
  body[type] = value;
  if (m.replyTo !== undefined) body["context"] = { message_id: m.replyTo };
  body["biz_opaque_callback_data"] = correlationId;
  return body;
}
