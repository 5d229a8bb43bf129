/**
 * System messages that announce a changed identifier (a new number, a new BSUID), read as the
 * identifiers before and after: the effects link them so a person's state follows them.
 */
import { isBsuid } from "../internal/recipients.js";
import type { MessageEvent, UserIdUpdateEvent } from "./events.js";

/** System message types that announce a changed identifier. */
export const IDENTITY_CHANGES = new Set([
  "user_changed_user_id",
  "user_changed_number",
  "customer_changed_number",
]);

/**
 * The BSUIDs a `user_changed_user_id` body names ("… changed from <old> to <new>"), read from its
 * end (a profile name before it cannot inject one), and only when both are BSUIDs.
 */
function bodyUserIds(body: string | undefined): [string, string] | undefined {
  const m = /changed from (\S+) to (\S+?)\.?\s*$/.exec(body ?? "");
  return m?.[1] && m[2] && isBsuid(m[1]) && isBsuid(m[2]) ? [m[1], m[2]] : undefined;
}

/** A system message's previous identifiers: `previous_user_id`, or (BSUIDs only) read from its body. */
export function systemPrevious(sys: MessageEvent["message"]["system"]): Array<string | undefined> {
  if (!sys) return [];
  const fromBody = sys.type === "user_changed_user_id" ? bodyUserIds(sys.body) : undefined;
  return [sys.previous_user_id, sys.previous_parent_user_id, ...(fromBody ?? [])];
}

/** The `userIdUpdate` event for a system message about a changed identifier, if it is one. */
export function identityChange(event: MessageEvent): UserIdUpdateEvent | undefined {
  const sys = event.message.system;
  if (sys === undefined || !IDENTITY_CHANGES.has(sys.type ?? "")) return undefined;
  const update: UserIdUpdateEvent = {
    kind: "userIdUpdate",
    field: event.field,
    wabaId: event.wabaId,
    timestamp: event.timestamp,
    via: sys.type ?? "",
  };
  if (event.phoneNumberId !== undefined) update.phoneNumberId = event.phoneNumberId;
  if (event.displayPhoneNumber !== undefined) update.displayPhoneNumber = event.displayPhoneNumber;
  const [before, after] = bodyUserIds(sys.body) ?? [];
  const previousUserId = sys.previous_user_id ?? (sys.type === "user_changed_user_id" ? before : undefined);
  const userId = sys.user_id ?? (sys.type === "user_changed_user_id" ? after : undefined);
  if (previousUserId !== undefined) update.previousUserId = previousUserId;
  if (userId !== undefined) update.userId = userId;
  if (sys.previous_parent_user_id !== undefined) update.previousParentUserId = sys.previous_parent_user_id;
  if (sys.parent_user_id !== undefined) update.parentUserId = sys.parent_user_id;
  const waId = sys.wa_id ?? sys.new_wa_id;
  if (waId !== undefined) update.waId = waId;
  if (sys.type !== "user_changed_user_id" && event.message.from !== undefined)
    update.previousWaId = event.message.from;
  return update;
}
