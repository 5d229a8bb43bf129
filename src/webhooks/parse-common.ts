/**
 * What the webhook parser's modules share: the parsed event and item types, and the helpers that
 * stamp an event with its source, key it, and turn what does not fit into an `unknown` event.
 */
import { nodeCrypto } from "../internal/node-crypto.js";
import { instantMs, isInstant } from "./date-time.js";
import type {
  AccountUpdateEvent,
  CallEvent,
  ErrorEvent,
  MessageEvent,
  QualityUpdateEvent,
  StatusEvent,
  TemplateUpdateEvent,
  UnknownEvent,
  UserIdUpdateEvent,
  WebhookError,
  WebhookSource,
} from "./events.js";
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
  /**
   * An element whose own id or time could not be read (an inbound message, a status, a marketing
   * preference, a call): it opens no window, an opt-in or resume in it lifts nothing, and its
   * effects are applied on every delivery (its key cannot tell a second one from a redelivery).
   */
  untrusted?: true;
}

export type Obj = Record<string, unknown>;
export const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** An instant (Unix seconds, or a date-time that names its offset) → ms; `fallback` when absent. */
export function toMs(value: unknown, fallback: number): number {
  return instantMs(value) ?? fallback;
}

export { endMs } from "./date-time.js";

/**
 * The `phoneNumberId` of an event whose `metadata.phone_number_id` was there but could not be read
 * (a number beyond 2^53, a fraction, an object): it may be another number's. Such an event opens
 * no window on this number, and what it says of a number is taken as this number's (the strict
 * reading both ways).
 */
export const UNREADABLE_ID = "(unreadable)";

/** One of Meta's upper-case names (an event, a state, a type), however it was cased or padded. */
export const enumName = (name: string): string => name.trim().toUpperCase();

export function webhookErrors(list: unknown): WebhookError[] {
  if (isObject(list)) list = [list];
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

/** A stable short id for a change that has no id of its own. Ids, not payloads, are kept. */
export function digest(value: unknown): string {
  return nodeCrypto().createHash("sha256").update(JSON.stringify(value)).digest("base64url").slice(0, 22);
}

/**
 * The event (a fresh literal) with the source fields added. Not an object spread: spreading the
 * source was the slowest step of parsing, about 10 µs per event.
 */
export function withSource<T extends object>(source: WebhookSource, rest: T): WebhookSource & T {
  const out = rest as T & WebhookSource;
  out.field = source.field;
  out.wabaId = source.wabaId;
  if (source.phoneNumberId !== undefined) out.phoneNumberId = source.phoneNumberId;
  if (source.displayPhoneNumber !== undefined) out.displayPhoneNumber = source.displayPhoneNumber;
  return out;
}

export function unknown(reason: string, value: unknown, field?: string, wabaId?: string): ParsedItem {
  const event: UnknownEvent = { kind: "unknown", reason, value };
  if (field !== undefined) event.field = field;
  if (wabaId !== undefined) event.wabaId = wabaId;
  return { key: `u:${digest([field, value])}`, event };
}

/**
 * An element whose own `timestamp` is there but unreadable, without it: what it says must still
 * count (a STOP, a 131050), so it takes the time it arrived (the caller's fallback) and is marked
 * `untimed`, instead of the whole element becoming `unknown`.
 */
export function withoutUnreadableTime(raw: unknown): { raw: unknown; untimed: boolean } {
  if (!isObject(raw) || !("timestamp" in raw) || isInstant(raw["timestamp"])) {
    return { raw, untimed: !isObject(raw) || raw["timestamp"] === undefined };
  }
  const { timestamp: _unreadable, ...rest } = raw;
  return { raw: rest, untimed: true };
}

export function parsed<T>(v: Pick<Validator<T>, "parse">, value: unknown): T | undefined {
  return v.parse(value);
}

export function missing(v: Validator<unknown>, value: unknown, what: string): string {
  const why = v.explain(value);
  return why ? `${what}: ${why}` : what;
}

/** An element of a change that its schema does not accept: an `unknown` event saying why. */
export function unfit(v: Validator<unknown>, raw: unknown, what: string, source: WebhookSource): ParsedItem {
  return unknown(missing(v, raw, what), raw, source.field, source.wabaId);
}
