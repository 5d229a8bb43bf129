/**
 * What Redis hands back is checked before it decides anything: an entry that is not what
 * wa-guard wrote (corrupted, written by hand, by another tool or an older version) fails closed
 * with a `StoreUnavailableError` that names the key, never quotes the content, and grants nothing.
 */
import { StoreUnavailableError } from "../errors/store.js";
import { RESTRICTION_SCOPES, type Restriction, type RestrictionScope } from "../state/account-health.js";
import type { CheckpointEntry } from "../state/campaign-checkpoints.js";
import type { ConsentEvent } from "../state/consent.js";
import type { SharedTemplateList } from "../state/template-list.js";

export function corrupt(operation: string, key: string, what: string): StoreUnavailableError {
  return new StoreUnavailableError(
    "redis",
    operation,
    `the entry at ${maskKey(key)} is not a valid ${what}`,
    {
      unreachable: false,
    },
  );
}

/** A key as it may be printed: a phone number or BSUID in it keeps its last four characters. */
export function maskKey(key: string): string {
  return key
    .replace(/\d{5,}(\d{4})(?!\d)/g, "…$1")
    .replace(/\b[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]*([A-Za-z0-9]{4})\b/g, "…$1");
}

type Json = Record<string, unknown>;

function parseObject(raw: unknown, operation: string, key: string, what: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(String(raw));
  } catch {
    throw corrupt(operation, key, what);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw corrupt(operation, key, what);
  return value as Json;
}

const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
/** A time wa-guard writes: an integer within the range a Date can hold. */
const time = (v: unknown): v is number => Number.isSafeInteger(v) && Math.abs(v as number) <= 8.64e15;
const text = (v: unknown): v is string => typeof v === "string";

export function decodeConsentEvent(raw: unknown, operation: string, key: string): ConsentEvent {
  const o = parseObject(raw, operation, key, "consent event");
  if (
    !text(o["key"]) ||
    (o["action"] !== "grant" && o["action"] !== "revoke") ||
    !text(o["scope"]) ||
    !text(o["source"]) ||
    !time(o["at"]) ||
    (o["proof"] !== undefined && !text(o["proof"]))
  )
    throw corrupt(operation, key, "consent event");
  const event: ConsentEvent = {
    key: o["key"],
    action: o["action"],
    scope: o["scope"],
    source: o["source"],
    at: o["at"],
  };
  if (text(o["proof"])) event.proof = o["proof"];
  return event;
}

/** A restriction, or undefined for a field wa-guard does not write (ignored, never trusted). */
export function decodeRestriction(raw: unknown, operation: string, key: string): Restriction {
  const o = parseObject(raw, operation, key, "restriction");
  if (
    !text(o["scope"]) ||
    !RESTRICTION_SCOPES.has(o["scope"]) ||
    !text(o["source"]) ||
    !finite(o["since"]) ||
    (o["until"] !== undefined && !finite(o["until"]))
  )
    throw corrupt(operation, key, "restriction");
  const r: Restriction = { scope: o["scope"] as RestrictionScope, source: o["source"], since: o["since"] };
  if (finite(o["until"])) r.until = o["until"];
  return r;
}

const STATES = new Set(["pending", "sent", "released"]);

export function decodeCheckpoint(raw: unknown, operation: string, key: string): CheckpointEntry {
  const o = parseObject(raw, operation, key, "campaign checkpoint");
  if (!text(o["state"]) || !STATES.has(o["state"]) || !text(o["run"]) || !finite(o["at"]))
    throw corrupt(operation, key, "campaign checkpoint");
  return o as unknown as CheckpointEntry;
}

export function decodeTemplateList(raw: unknown, operation: string, key: string): SharedTemplateList {
  const o = parseObject(raw, operation, key, "template list");
  const templates = o["templates"];
  const valid =
    Array.isArray(templates) &&
    finite(o["fetchedAt"]) &&
    templates.every((t: unknown) => {
      if (t === null || typeof t !== "object") return false;
      const x = t as Json;
      const components = x["components"];
      return (
        text(x["name"]) &&
        text(x["language"]) &&
        text(x["status"]) &&
        Array.isArray(components) &&
        components.every((c: unknown) => c !== null && typeof c === "object")
      );
    });
  if (!valid) throw corrupt(operation, key, "template list");
  return o as unknown as SharedTemplateList;
}

/** A time in ms written by wa-guard: a finite, non-negative integer. */
export function decodeTime(raw: unknown, operation: string, key: string): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw corrupt(operation, key, "time");
  return n;
}
