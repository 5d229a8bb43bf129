/**
 * A webhook payload (verified, JSON-parsed) as events: the envelope (entries, changes), each
 * field's parser (one table), and the key each event is de-duplicated by. Elements of the
 * `messages` field are shaped in `parse-elements.ts`; shared helpers are in `parse-common.ts`.
 */

import { instantMs } from "./date-time.js";
import type {
  AccountUpdateEvent,
  CallEvent,
  ErrorEvent,
  QualityUpdateEvent,
  TemplateUpdateEvent,
  UserIdUpdateEvent,
  WebhookSource,
} from "./events.js";
import {
  digest,
  enumName,
  isObject,
  type Obj,
  type ParsedEvent,
  type ParsedItem,
  type PreferenceChange,
  parsed,
  toMs,
  UNREADABLE_ID,
  unfit,
  unknown,
  webhookErrors,
  withoutUnreadableTime,
  withSource,
} from "./parse-common.js";
import { callStatusItem, isCallStatus, messageItem, statusItem } from "./parse-elements.js";
import {
  accountUpdate,
  type ContactPayload,
  callEvent,
  contact as contactSchema,
  metadata as metadataSchema,
  phoneQualityUpdate,
  templateCategoryUpdate,
  templateQualityUpdate,
  templateStatusUpdate,
  userIdUpdate,
  userPreference,
} from "./schemas.js";
import type { Validator } from "./shape.js";

export type { ParsedEvent, ParsedItem, PreferenceChange } from "./parse-common.js";

let errorSeq = 0;

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
    // An entry time that cannot be read is no time of Meta's: what it would stamp gets the arrival,
    // and counts as untimed (a resume in it lifts nothing).
    const time = instantMs(entry["time"]);
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

/**
 * An id as text: a string as is, a JSON number as its digits when it is an exact integer. A larger
 * one lost digits in JSON.parse and names no number for sure: undefined, as if absent.
 */
const idText = (id: string | number | undefined): string | undefined =>
  typeof id === "string" ? id : Number.isSafeInteger(id) && (id as number) >= 0 ? String(id) : undefined;

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
  const phoneNumberId = idText(meta?.phone_number_id);
  if (phoneNumberId !== undefined) source.phoneNumberId = phoneNumberId;
  // Named, but not readably: some number, maybe another one (see UNREADABLE_ID).
  else if (isObject(value["metadata"]) && value["metadata"]["phone_number_id"] != null)
    source.phoneNumberId = UNREADABLE_ID;
  const display = idText(meta?.display_phone_number);
  if (display !== undefined) source.displayPhoneNumber = display;
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
      // An unreadable time must not lose a stop: without it, the entry's time or the arrival.
      const timed = withoutUnreadableTime(raw);
      const p = parsed(userPreference, timed.raw);
      const user = p?.wa_id ?? p?.user_id;
      if (!p || user === undefined) {
        out.push(unfit(userPreference, raw, "user preference without wa_id or user_id", source));
        continue;
      }
      const event: PreferenceChange = withSource(source, {
        kind: "preference",
        user,
        ids: [p.wa_id, p.user_id, p.parent_user_id].filter((x): x is string => x !== undefined),
        // "stop" / "resume" in the reference; "Stop" or " STOP" is the same wish, never an unknown.
        value: p.value.trim().toLowerCase(),
        timestamp: toMs(p.timestamp, stamp),
      });
      if (p.category !== undefined) event.category = p.category;
      const item: ParsedItem = {
        key: `p:${user}:${p.value}:${p.timestamp ?? `${time ?? untimed}:${digest(raw)}`}`,
        event,
      };
      // Timed by nothing Meta wrote (neither its own time nor the entry's): a resume in it cannot be
      // ordered against a stop, so it lifts nothing.
      if (timed.untimed && time === undefined) item.untrusted = true;
      out.push(item);
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
      const item: ParsedItem = { key: `c:${call.id ?? digest(raw)}:${call.event ?? ""}`, event };
      // A call without its own time cannot say when the user called: it opens no window.
      if (call.timestamp === undefined) item.untrusted = true;
      out.push(item);
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
  // Meta's event names are upper case; "disabled_update" is the same event, never an unknown one.
  const event: AccountUpdateEvent = withSource(c.source, {
    kind: "accountUpdate",
    event: enumName(name),
    value,
  });
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
        event: enumName(v.event),
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
