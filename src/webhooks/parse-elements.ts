/**
 * The elements of a `messages` change as events: an inbound message (its text and reply id read
 * from whichever type carries them), a message status (its pricing, its correlation id), and a
 * call status, which is never taken for a message status.
 */

import { storable } from "../state/consent.js";
import { isInstant } from "./date-time.js";
import type { CallEvent, MessageEvent, StatusEvent, StatusPricing, WebhookSource } from "./events.js";
import {
  digest,
  isObject,
  type Obj,
  type ParsedItem,
  parsed,
  toMs,
  UNREADABLE_ID,
  unfit,
  webhookErrors,
  withoutUnreadableTime,
  withSource,
} from "./parse-common.js";
import { type ContactPayload, callStatus, inboundMessage, messageStatus } from "./schemas.js";

export function messageItem(
  raw: unknown,
  source: WebhookSource,
  contacts: ContactPayload[],
  receivedAt: number,
): ParsedItem {
  const read = readMessage(raw);
  const m = read?.message;
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
  // Keyed by its id; one without a readable id by its content and time (a redelivery is the same).
  const item: ParsedItem = { key: m.id === UNREADABLE_ID ? `m~${digest(raw)}` : `m:${m.id}`, event };
  if (read?.untrusted) item.untrusted = true;
  return item;
}

/**
 * A message's or status's own id as read: a string, or an exact-integer JSON number as its digits
 * (like every id); undefined when missing, blank, or holding what no store keeps as written (a
 * NUL, a lone surrogate), which could make it equal another message's.
 */
function idOf(value: unknown): string | undefined {
  const id = Number.isSafeInteger(value) ? String(value) : value;
  return typeof id === "string" && id.trim() !== "" && storable(id) === id ? id : undefined;
}

/** The types whose content carries what the user wrote or tapped, in the order they are looked for. */
const TEXT_TYPES = ["text", "button", "interactive", "edit", "image", "video", "document", "order"] as const;

/**
 * An inbound message as it reads, and whether it is `untrusted`: Meta always sends a message's
 * `id`, `type` and `timestamp`, but one missing or unreadable must not lose what the message says
 * (a STOP in it counts). So it is read with the id as `UNREADABLE_ID`, the type its content names
 * (trimmed and lower case as Meta writes it; `unknown` when none carries text; never `system`,
 * whose identity changes need Meta's type), and the time it arrived; and it is marked untrusted
 * when the id or the time could not be read: it cannot be told from a redelivery or ordered
 * against a STOP, so it opens no window and an opt-in in it lifts nothing (webhooks/effects.ts).
 */
function readMessage(
  raw: unknown,
): { message: NonNullable<ReturnType<typeof inboundMessage.parse>>; untrusted: boolean } | undefined {
  if (!isObject(raw)) return undefined;
  const id = idOf(raw["id"]) ?? UNREADABLE_ID;
  // (Not left to the schema's repair, which reads a numeric type as its digits.)
  const given = typeof raw["type"] === "string" ? raw["type"].trim().toLowerCase() : "";
  const type = given !== "" ? given : (TEXT_TYPES.find((t) => isObject(raw[t])) ?? "unknown");
  const untimed = !isInstant(raw["timestamp"]);
  const fixed: Obj = { ...raw, id, type };
  if (untimed) delete fixed["timestamp"];
  const message = parsed(inboundMessage, fixed);
  return message && { message, untrusted: id === UNREADABLE_ID || untimed };
}

export function statusItem(
  raw: unknown,
  source: WebhookSource,
  contacts: ContactPayload[],
  receivedAt: number,
): ParsedItem {
  // An unreadable time or id must not lose a 131050 (the user's marketing stop): the arrival
  // stands in for the time; an id that cannot be read (missing, blank, one no store keeps as
  // written) is UNREADABLE_ID, and the status is keyed by its content and applied on every delivery.
  const timed = withoutUnreadableTime(raw);
  const idless = isObject(timed.raw) && idOf(timed.raw["id"]) === undefined;
  const s = parsed(messageStatus, idless ? { ...(timed.raw as Obj), id: UNREADABLE_ID } : timed.raw);
  // Without an id a status is something only when it names whom it is about.
  if (!s || (idless && s.recipient_id === undefined && s.recipient_user_id === undefined))
    return unfit(messageStatus, raw, "status without id or status", source);
  const event: StatusEvent = withSource(source, {
    kind: "status",
    id: s.id,
    // "sent", "failed", … in the reference; "FAILED" is the same state, never an unknown one.
    status: s.status.trim().toLowerCase(),
    timestamp: toMs(s.timestamp, receivedAt),
    // From the element as sent: a 131050 beside a stray entry, or sent as one object, still counts.
    errors: webhookErrors(isObject(raw) ? raw["errors"] : undefined),
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
  if (idless) return { key: `s~${digest(raw)}`, event, untrusted: true };
  return { key: `s:${s.id}:${s.status}`, event };
}

/** A status element that is a call's (`type: "call"`, or a `wacid…` id), wherever it arrives. */
export function isCallStatus(raw: unknown): boolean {
  if (!isObject(raw)) return false;
  const id = raw["id"];
  return raw["type"] === "call" || (typeof id === "string" && id.startsWith("wacid."));
}

// Built like statusItem but kept apart: a call status is a `call` event, never a message status.
export function callStatusItem(raw: unknown, source: WebhookSource, receivedAt: number): ParsedItem {
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
