import { nodeCrypto } from "../internal/node-crypto.js";
import type {
  AccountUpdateEvent,
  CallEvent,
  ErrorEvent,
  MessageEvent,
  QualityUpdateEvent,
  StatusEvent,
  StatusPricing,
  TemplateUpdateEvent,
  UnknownEvent,
  UserIdUpdateEvent,
  WebhookError,
  WebhookSource,
} from "./events.js";
import {
  accountUpdate,
  type ContactPayload,
  callEvent,
  callStatus,
  contact as contactSchema,
  inboundMessage,
  messageStatus,
  metadata as metadataSchema,
  phoneQualityUpdate,
  templateCategoryUpdate,
  templateQualityUpdate,
  templateStatusUpdate,
  userIdUpdate,
  userPreference,
} from "./schemas.js";
import type { Validator } from "./shape.js";

/** A `user_preferences` entry; becomes an optOut or optIn event once the ledger has been updated. */
export interface PreferenceChange extends WebhookSource {
  kind: "preference";
  user: string;
  /** Every identifier Meta gave for the user (wa_id, BSUID, parent BSUID). */
  ids: string[];
  value: string;
  category?: string;
  timestamp: number;
}

export type ParsedEvent =
  | MessageEvent
  | StatusEvent
  | TemplateUpdateEvent
  | AccountUpdateEvent
  | QualityUpdateEvent
  | CallEvent
  | ErrorEvent
  | UnknownEvent
  | UserIdUpdateEvent
  | PreferenceChange;

/** One event and the key that identifies its delivery (for de-duplication). */
export interface ParsedItem {
  key: string;
  event: ParsedEvent;
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Unix seconds (string or number) → ms; `fallback` when absent. */
export function toMs(value: unknown, fallback: number): number {
  const n = typeof value === "string" ? Number(value) : typeof value === "number" ? value : Number.NaN;
  return Number.isFinite(n) ? n * 1000 : fallback;
}

function webhookErrors(list: unknown): WebhookError[] {
  if (!Array.isArray(list)) return [];
  const out: WebhookError[] = [];
  for (const e of list) {
    if (!isObject(e)) continue;
    const raw = e["code"];
    const code = typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw) : Number.NaN;
    const item: WebhookError = { code: Number.isFinite(code) ? code : -1 };
    if (typeof e["title"] === "string") item.title = e["title"];
    if (typeof e["message"] === "string") item.message = e["message"];
    if (typeof e["href"] === "string") item.href = e["href"];
    const data = e["error_data"];
    if (typeof data === "string") item.details = data;
    else if (isObject(data) && typeof data["details"] === "string") item.details = data["details"];
    out.push(item);
  }
  return out;
}

let errorSeq = 0;

/** A stable short id for a change that has no id of its own. Ids, not payloads, are kept. */
function digest(value: unknown): string {
  return nodeCrypto().createHash("sha256").update(JSON.stringify(value)).digest("base64url").slice(0, 22);
}

/**
 * The event (a fresh literal) with the source fields added. Not an object spread: spreading the
 * source was the slowest step of parsing, about 10 µs per event.
 */
function withSource<T extends object>(source: WebhookSource, rest: T): WebhookSource & T {
  const out = rest as T & WebhookSource;
  out.field = source.field;
  out.wabaId = source.wabaId;
  if (source.phoneNumberId !== undefined) out.phoneNumberId = source.phoneNumberId;
  if (source.displayPhoneNumber !== undefined) out.displayPhoneNumber = source.displayPhoneNumber;
  return out;
}

function unknown(reason: string, value: unknown, field?: string, wabaId?: string): ParsedItem {
  const event: UnknownEvent = { kind: "unknown", reason, value };
  if (field !== undefined) event.field = field;
  if (wabaId !== undefined) event.wabaId = wabaId;
  return { key: `u:${digest([field, value])}`, event };
}

function parsed<T>(v: Pick<Validator<T>, "parse">, value: unknown): T | undefined {
  return v.parse(value);
}

function missing(v: Validator<unknown>, value: unknown, what: string): string {
  const why = v.explain(value);
  return why ? `${what}: ${why}` : what;
}

/** An element of a change that its schema does not accept: an `unknown` event saying why. */
function unfit(v: Validator<unknown>, raw: unknown, what: string, source: WebhookSource): ParsedItem {
  return unknown(missing(v, raw, what), raw, source.field, source.wabaId);
}

/**
 * Turn a webhook payload (already verified and JSON-parsed) into events. Never throws for
 * content: whatever cannot be modelled becomes an `unknown` event. `receivedAt` stands in for
 * missing timestamps.
 */
export function parseWebhookPayload(payload: unknown, receivedAt: number): ParsedItem[] {
  if (!isObject(payload) || !Array.isArray(payload["entry"])) {
    return [unknown("not a webhook notification (no entry array)", payload)];
  }
  if (payload["object"] !== undefined && payload["object"] !== "whatsapp_business_account") {
    return [unknown(`object ${JSON.stringify(payload["object"])} is not whatsapp_business_account`, payload)];
  }
  const items: ParsedItem[] = [];
  for (const entry of payload["entry"]) {
    if (!isObject(entry) || !Array.isArray(entry["changes"])) {
      items.push(unknown("entry without changes", entry));
      continue;
    }
    const id = entry["id"];
    const wabaId = typeof id === "string" ? id : typeof id === "number" ? String(id) : "";
    const time = entry["time"] === undefined ? undefined : toMs(entry["time"], receivedAt);
    for (const change of entry["changes"]) {
      if (!isObject(change) || typeof change["field"] !== "string" || !isObject(change["value"])) {
        items.push(unknown("change without field or value", change, undefined, wabaId));
        continue;
      }
      parseChange(change["field"], change["value"], wabaId, time, receivedAt, items);
    }
  }
  return items;
}

/** One change being parsed: where it came from, and the times its key falls back on. */
interface ChangeContext {
  field: string;
  value: Obj;
  wabaId: string;
  source: WebhookSource;
  /** The entry's time, when Meta stamped it. */
  time: number | undefined;
  receivedAt: number;
  /** The entry's time, else the arrival time: what an element without its own timestamp gets. */
  stamp: number;
  /**
   * A change Meta did not stamp is keyed by the second it arrived: the same body a day later is
   * a new change (DISABLE, REINSTATE, DISABLE), not a duplicate.
   */
  untimed: string;
}

/** Parses one field's change into `out`; false when the value is not a shape it models. */
type FieldParser = (change: ChangeContext, out: ParsedItem[]) => boolean;

/** The key of a change that has no id of its own: its field, its body, and when. */
const changeKey = (prefix: string, c: ChangeContext) =>
  `${prefix}:${digest([c.field, c.value, c.time ?? c.untimed])}`;

/** A field whose value is one object (template and account updates): one event, keyed by digest. */
function oneObject<T>(
  schema: Pick<Validator<T>, "parse">,
  prefix: string,
  build: (v: T, c: ChangeContext) => ParsedEvent,
): FieldParser {
  return (c, out) => {
    const v = parsed(schema, c.value);
    if (!v) return false;
    out.push({ key: changeKey(prefix, c), event: build(v, c) });
    return true;
  };
}

function parseChange(
  field: string,
  value: Obj,
  wabaId: string,
  time: number | undefined,
  receivedAt: number,
  out: ParsedItem[],
): void {
  const source: WebhookSource = { field, wabaId };
  const meta = parsed(metadataSchema, value["metadata"]);
  if (meta?.phone_number_id !== undefined) source.phoneNumberId = meta.phone_number_id;
  if (meta?.display_phone_number !== undefined) source.displayPhoneNumber = meta.display_phone_number;
  const change: ChangeContext = {
    field,
    value,
    wabaId,
    source,
    time,
    receivedAt,
    stamp: time ?? receivedAt,
    untimed: `r${Math.floor(receivedAt / 1000)}`,
  };
  const known = FIELDS.get(field)?.(change, out) ?? false;
  if (!known) out.push(unknown(`unmodelled field "${field}" or shape`, value, field, wabaId));
}

/** `messages`, `user_preferences` and `calls`: arrays of messages, statuses, errors, preferences, calls. */
function messageArrays(c: ChangeContext, out: ParsedItem[]): boolean {
  const { field, value, wabaId, source, time, receivedAt, stamp, untimed } = c;
  let known = false;
  const contacts = Array.isArray(value["contacts"])
    ? (value["contacts"] as unknown[])
        .map((x) => parsed(contactSchema, x))
        .filter((x): x is ContactPayload => !!x)
    : [];
  if (Array.isArray(value["messages"])) {
    known = true;
    for (const raw of value["messages"]) out.push(messageItem(raw, source, contacts, receivedAt));
  }
  if (Array.isArray(value["statuses"])) {
    known = true;
    for (const raw of value["statuses"]) {
      // Call statuses (`calls` field; `type: "call"`, `wacid…` ids) are not message statuses:
      // their biz_opaque_callback_data must not settle a message send.
      out.push(
        field === "calls" || isCallStatus(raw)
          ? callStatusItem(raw, source, receivedAt)
          : statusItem(raw, source, contacts, receivedAt),
      );
    }
  }
  if (Array.isArray(value["errors"])) {
    known = true;
    const event: ErrorEvent = withSource(source, { kind: "error", errors: webhookErrors(value["errors"]) });
    // No id: identical errors (a 130429 storm) are distinct events, so each delivery counts.
    out.push({ key: `e:${digest(value)}:${receivedAt}:${++errorSeq}`, event });
  }
  if (Array.isArray(value["user_preferences"])) {
    known = true;
    for (const raw of value["user_preferences"]) {
      const p = parsed(userPreference, raw);
      const user = p?.wa_id ?? p?.user_id;
      if (!p || user === undefined) {
        out.push(unfit(userPreference, raw, "user preference without wa_id or user_id", source));
        continue;
      }
      const event: PreferenceChange = withSource(source, {
        kind: "preference",
        user,
        ids: [p.wa_id, p.user_id, p.parent_user_id].filter((x): x is string => x !== undefined),
        value: p.value,
        timestamp: toMs(p.timestamp, stamp),
      });
      if (p.category !== undefined) event.category = p.category;
      out.push({
        key: `p:${user}:${p.value}:${p.timestamp ?? `${time ?? untimed}:${digest(raw)}`}`,
        event,
      });
    }
  }
  if (Array.isArray(value["calls"])) {
    known = true;
    for (const raw of value["calls"]) {
      const call = parsed(callEvent, raw);
      if (!call) {
        out.push(unknown("call that is not an object", raw, field, wabaId));
        continue;
      }
      const event: CallEvent = withSource(source, {
        kind: "call",
        timestamp: toMs(call.timestamp, stamp),
        value: call,
      });
      if (call.id !== undefined) event.id = call.id;
      const from = call.from ?? call.from_user_id;
      if (from !== undefined) event.from = from;
      if (call.from_user_id !== undefined) event.fromUserId = call.from_user_id;
      if (call.event !== undefined) event.event = call.event;
      if (call.direction !== undefined) event.direction = call.direction;
      out.push({ key: `c:${call.id ?? digest(raw)}:${call.event ?? ""}`, event });
    }
  }
  return known;
}

/** `user_id_update`: a user's BSUID (and parent BSUID) changed. */
function userIdUpdates(c: ChangeContext, out: ParsedItem[]): boolean {
  const { source, time, stamp, untimed } = c;
  const list = c.value["user_id_update"];
  if (!Array.isArray(list)) return false;
  for (const raw of list) {
    const u = parsed(userIdUpdate, raw);
    if (!u || (u.user_id.previous === undefined && u.user_id.current === undefined)) {
      out.push(unfit(userIdUpdate, raw, "user id update without user ids", source));
      continue;
    }
    const event: UserIdUpdateEvent = withSource(source, {
      kind: "userIdUpdate",
      timestamp: toMs(u.timestamp, stamp),
      via: "user_id_update",
    });
    if (u.user_id.previous !== undefined) event.previousUserId = u.user_id.previous;
    if (u.user_id.current !== undefined) event.userId = u.user_id.current;
    if (u.parent_user_id?.previous !== undefined) event.previousParentUserId = u.parent_user_id.previous;
    if (u.parent_user_id?.current !== undefined) event.parentUserId = u.parent_user_id.current;
    if (u.wa_id !== undefined) event.waId = u.wa_id;
    out.push({
      key: `u:${u.user_id.previous ?? ""}:${u.user_id.current ?? ""}:${u.timestamp ?? time ?? untimed}`,
      event,
    });
  }
  return true;
}

/** An account-level event (account_update, business_capability_update), with the entry's time. */
function accountEvent(
  c: ChangeContext,
  name: string,
  value: AccountUpdateEvent["value"],
): AccountUpdateEvent {
  const event: AccountUpdateEvent = withSource(c.source, { kind: "accountUpdate", event: name, value });
  if (c.time !== undefined) event.timestamp = c.time;
  return event;
}

/** Every field wa-guard models, and its parser; any other field is an `unknown` event. */
const FIELDS = new Map<string, FieldParser>([
  ["messages", messageArrays],
  ["user_preferences", messageArrays],
  ["calls", messageArrays],
  ["user_id_update", userIdUpdates],
  [
    "message_template_status_update",
    oneObject(templateStatusUpdate, "t", (v, c) => {
      const event = templateEvent(c.source, "status", v, c.time);
      event.event = v.event;
      if (typeof v.reason === "string") event.reason = v.reason;
      if (v.message_template_category !== undefined) event.category = v.message_template_category;
      return event;
    }),
  ],
  [
    "message_template_quality_update",
    oneObject(templateQualityUpdate, "t", (v, c) => {
      const event = templateEvent(c.source, "quality", v, c.time);
      event.quality = v.new_quality_score;
      return event;
    }),
  ],
  [
    "template_category_update",
    oneObject(templateCategoryUpdate, "t", (v, c) => {
      const event = templateEvent(c.source, "category", v, c.time);
      event.category = v.new_category;
      if (v.previous_category !== undefined) event.previousCategory = v.previous_category;
      if (v.correct_category !== undefined) event.correctCategory = v.correct_category;
      if (v.category_update_timestamp !== undefined) {
        const at = toMs(v.category_update_timestamp, Number.NaN);
        if (Number.isFinite(at)) event.categoryUpdateAt = at;
      }
      return event;
    }),
  ],
  ["account_update", oneObject(accountUpdate, "a", (v, c) => accountEvent(c, v.event, v))],
  [
    "business_capability_update",
    // Modelled whatever its shape: the event carries the value as Meta sent it.
    oneObject({ parse: (value) => value as Obj }, "a", (value, c) =>
      accountEvent(c, "CAPABILITY_UPDATE", value),
    ),
  ],
  [
    "phone_number_quality_update",
    oneObject(phoneQualityUpdate, "q", (v, c) => {
      const event: QualityUpdateEvent = withSource(c.source, {
        kind: "qualityUpdate",
        event: v.event,
        value: v,
      });
      const limit = v.max_daily_conversations_per_business;
      if (limit !== undefined) event.messagingLimit = String(limit);
      if (v.display_phone_number !== undefined) event.displayPhoneNumber = v.display_phone_number;
      if (c.time !== undefined) event.timestamp = c.time;
      return event;
    }),
  ],
]);

function templateEvent(
  source: WebhookSource,
  change: TemplateUpdateEvent["change"],
  v: {
    message_template_id?: number | string | undefined;
    message_template_name?: string | undefined;
    message_template_language?: string | undefined;
  },
  time: number | undefined,
): TemplateUpdateEvent {
  const event: TemplateUpdateEvent = withSource(source, { kind: "templateUpdate", change, value: v as Obj });
  if (v.message_template_id !== undefined) event.templateId = String(v.message_template_id);
  if (v.message_template_name !== undefined) event.name = v.message_template_name;
  if (v.message_template_language !== undefined) event.language = v.message_template_language;
  if (time !== undefined) event.timestamp = time;
  return event;
}

function messageItem(
  raw: unknown,
  source: WebhookSource,
  contacts: ContactPayload[],
  receivedAt: number,
): ParsedItem {
  const m = parsed(inboundMessage, raw);
  // A system message about a changed identifier may name the user only inside `system`.
  const from =
    m?.from ?? m?.from_user_id ?? (m?.type === "system" ? (m.system?.user_id ?? m.system?.wa_id) : undefined);
  if (!m || from === undefined) {
    return unfit(inboundMessage, raw, "message without id, type or sender", source);
  }
  const event: MessageEvent = withSource(source, {
    kind: "message",
    id: m.id,
    from,
    timestamp: toMs(m.timestamp, receivedAt),
    type: m.type,
    message: m,
  });
  if (m.from_user_id !== undefined) event.fromUserId = m.from_user_id;
  if (m.group_id !== undefined) event.groupId = m.group_id;
  const c =
    contacts.find(
      (x) =>
        (m.from !== undefined && x.wa_id === m.from) ||
        (m.from_user_id !== undefined && x.user_id === m.from_user_id),
    ) ?? (contacts.length === 1 ? contacts[0] : undefined);
  if (c) {
    event.contact = c;
    if (c.profile?.name !== undefined) event.profileName = c.profile.name;
  }
  const text =
    m.text?.body ??
    m.button?.text ??
    m.interactive?.button_reply?.title ??
    m.interactive?.list_reply?.title ??
    m.image?.caption ??
    m.video?.caption ??
    m.document?.caption ??
    m.order?.text ??
    m.edit?.message?.text?.body ??
    m.edit?.message?.image?.caption ??
    m.edit?.message?.video?.caption ??
    m.edit?.message?.document?.caption;
  if (text !== undefined) event.text = text;
  const replyId = m.interactive?.button_reply?.id ?? m.interactive?.list_reply?.id ?? m.button?.payload;
  if (replyId !== undefined) event.replyId = replyId;
  return { key: `m:${m.id}`, event };
}

function statusItem(
  raw: unknown,
  source: WebhookSource,
  contacts: ContactPayload[],
  receivedAt: number,
): ParsedItem {
  const s = parsed(messageStatus, raw);
  if (!s) return unfit(messageStatus, raw, "status without id or status", source);
  const event: StatusEvent = withSource(source, {
    kind: "status",
    id: s.id,
    status: s.status,
    timestamp: toMs(s.timestamp, receivedAt),
    errors: webhookErrors(s.errors),
    raw: s,
  });
  const recipient = s.recipient_id ?? s.recipient_user_id;
  if (recipient !== undefined) event.recipient = recipient;
  if (s.recipient_user_id !== undefined) event.recipientUserId = s.recipient_user_id;
  const c = contacts.find(
    (x) =>
      (s.recipient_id !== undefined && x.wa_id === s.recipient_id) ||
      (s.recipient_user_id !== undefined && x.user_id === s.recipient_user_id),
  );
  if (c) event.contact = c;
  if (s.biz_opaque_callback_data !== undefined) event.correlationId = s.biz_opaque_callback_data;
  const p = s.pricing;
  if (p) {
    const pricing: StatusPricing = {};
    if (p.billable !== undefined) pricing.billable = p.billable;
    if (p.pricing_model !== undefined) pricing.model = p.pricing_model;
    if (p.type !== undefined) pricing.type = p.type;
    if (p.category !== undefined) pricing.category = p.category;
    event.pricing = pricing;
  }
  return { key: `s:${s.id}:${s.status}`, event };
}

/** A status element that is a call's (`type: "call"`, or a `wacid…` id), wherever it arrives. */
function isCallStatus(raw: unknown): boolean {
  if (!isObject(raw)) return false;
  const id = raw["id"];
  return raw["type"] === "call" || (typeof id === "string" && id.startsWith("wacid."));
}

// Built like statusItem but kept apart: a call status is a `call` event, never a message status.
function callStatusItem(raw: unknown, source: WebhookSource, receivedAt: number): ParsedItem {
  const c = parsed(callStatus, raw);
  if (!c) return unfit(callStatus, raw, "call status without id or status", source);
  const event: CallEvent = withSource(source, {
    kind: "call",
    id: c.id,
    status: c.status,
    timestamp: toMs(c.timestamp, receivedAt),
    value: raw as Obj,
  });
  const recipient = c.recipient_id ?? c.recipient_user_id;
  if (recipient !== undefined) event.recipient = recipient;
  return { key: `c:${c.id}:status:${c.status}`, event };
}
