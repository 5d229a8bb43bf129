/**
 * What the webhook parser's modules share: the parsed event and item types, and the helpers that
 * stamp an event with its source, key it, and turn what does not fit into an `unknown` event.
 */
import { nodeCrypto } from "../internal/node-crypto.js";
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
}

export type Obj = Record<string, unknown>;
export const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Unix seconds (string or number) → ms; `fallback` when absent. */
export function toMs(value: unknown, fallback: number): number {
  const n = typeof value === "string" ? Number(value) : typeof value === "number" ? value : Number.NaN;
  return Number.isFinite(n) ? n * 1000 : fallback;
}

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const HOUR = 60 * 60 * 1000;

/**
 * The end of something Meta time-limits (a restriction's `expiration`), in ms; undefined when it
 * cannot be read. Meta's reference shows Unix seconds (a number); integrators report date-times
 * such as `"2026-04-19T13:59:20+0000"`. Both are read. A date-time without an offset, or a date
 * alone, could be in any time zone: it is read as its latest instant (UTC−12; a date alone, the
 * end of that day there), so a restriction never ends early.
 */
export function endMs(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value * 1000 : undefined;
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, zone] = m;
  const parts = [
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h ?? 0),
    Number(mi ?? 0),
    Number(s ?? 0),
  ] as const;
  const utc = Date.UTC(...parts);
  // Date.UTC rolls 2026-02-30 over to March: a date that does not exist is not read.
  const back = new Date(utc);
  if (
    back.getUTCMonth() !== parts[1] ||
    back.getUTCDate() !== parts[2] ||
    parts[3] > 23 ||
    parts[4] > 59 ||
    parts[5] > 59
  )
    return undefined;
  if (zone === undefined) return utc + 12 * HOUR + (h === undefined ? 24 * HOUR : 0);
  if (zone.toUpperCase() === "Z") return utc;
  const sign = zone[0] === "-" ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  const offset = (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0)) * 60_000;
  return utc - sign * offset;
}

export function webhookErrors(list: unknown): WebhookError[] {
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
