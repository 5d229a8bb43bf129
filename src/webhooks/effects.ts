/**
 * The effects of webhook events on policy state: windows opened, consent recorded, templates and
 * restrictions updated, campaign sends settled. Every effect is idempotent (a redelivery applies
 * it again harmlessly) and ordered by Meta's timestamps (a lift older than what it would lift
 * changes nothing), so the handler may apply an event as often as Meta delivers it.
 */
import type { Account } from "../api/phone-numbers.js";
import { isStoreUnavailableError } from "../errors/store.js";
import { campaignOf } from "../internal/correlation.js";
import { describeError, type Logger } from "../internal/logger.js";
import { isBsuid } from "../internal/recipients.js";
import type { Consent, Sessions } from "../policy/consent.js";
import type { PolicyState } from "../policy/learn.js";
import { parseRecipient } from "../policy/recipient.js";
import type { TemplateUpdate } from "../policy/template-cache.js";
import type { RestrictionScope } from "../state/account-health.js";
import type { Clock } from "../state/clock.js";
import type {
  AccountUpdateEvent,
  AccountWarningEvent,
  MessageEvent,
  OptInEvent,
  OptOutEvent,
  QualityUpdateEvent,
  StatusEvent,
  TemplateUpdateEvent,
  UserIdUpdateEvent,
  WebhookEvent,
} from "./events.js";
import { type ParsedEvent, type ParsedItem, toMs } from "./parse.js";
import type { CampaignSignals } from "./signals.js";

export interface EffectDeps {
  clock: Clock;
  state: PolicyState;
  consent: Consent;
  sessions: Sessions;
  account: Account;
  /** Correlation ids of sends whose outcome is unknown; a status webhook settles them. */
  unknownOutcomes: { settle(correlationId: string, status: string): boolean };
  /**
   * Campaign runs of this client: they hear their statuses and their template's updates as the
   * effects are applied (before listeners run), so a pause stops a run at once.
   */
  campaignSignals?: CampaignSignals;
  /** This client's phone number: windows open only for messages and calls to it. */
  phoneNumberId: string | undefined;
  logger?: Logger;
}

const DAY = 24 * 60 * 60 * 1000;
/** How long marketing stays slowed after an ACCOUNT_VIOLATION (Meta sends no lift for it). */
const VIOLATION_SLOWDOWN_MS = 7 * DAY;

/** Template status events → the status the template guard sees; null: no status change. */
const TEMPLATE_STATUS: Record<string, string | null> = {
  APPROVED: "APPROVED",
  REJECTED: "REJECTED",
  PENDING: "PENDING",
  PAUSED: "PAUSED",
  DISABLED: "DISABLED",
  PENDING_DELETION: "PENDING_DELETION",
  DELETED: "DELETED",
  ARCHIVED: "ARCHIVED",
  IN_APPEAL: "IN_APPEAL",
  LIMIT_EXCEEDED: "LIMIT_EXCEEDED",
  LOCKED: "LOCKED",
  REINSTATED: "APPROVED",
  UNPAUSED: "APPROVED",
  UNLOCKED: "APPROVED",
  UNARCHIVED: "APPROVED",
  FLAGGED: null,
};

/**
 * `account_update` restriction types → what they stop; null: nothing wa-guard sends (adding phone
 * numbers, calling). A type not listed here stops business-initiated messages until Meta's
 * expiration — the strict reading of a restriction wa-guard does not know yet.
 */
const RESTRICTION_SCOPE: Readonly<Record<string, RestrictionScope | null>> = {
  RESTRICTED_BIZ_INITIATED_MESSAGING: "business_initiated",
  RESTRICTED_CUSTOMER_INITIATED_MESSAGING: "customer_initiated",
  RESTRICTED_UTILITY_TEMPLATES: "utility",
  RESTRICTED_DIRECT_SEND_UTILITY_TEMPLATES: "utility",
  RESTRICTED_ADD_PHONE_NUMBER_ACTION: null,
};

function restrictionScope(type: string): RestrictionScope | null {
  // Own keys only: a type named "constructor" or "__proto__" is unknown, not Object's property.
  if (Object.hasOwn(RESTRICTION_SCOPE, type)) return RESTRICTION_SCOPE[type] ?? null;
  return /CALL/.test(type) ? null : "business_initiated";
}

/** Applies one parsed event to policy state; pushes the events to deliver to listeners. */
export class WebhookEffects {
  constructor(private readonly deps: EffectDeps) {}

  async apply(item: ParsedItem, out: WebhookEvent[]): Promise<void> {
    const event = item.event;
    // What Meta says about who is who first: the effects below (a STOP, a 131050) are then read
    // under every identifier of the person. A link that cannot be stored never costs the effects
    // (they are recorded under the identifier Meta gave): a store that is down fails the event
    // after them, so Meta delivers it again and the link is retried; a store that cannot take more
    // (a bounded memory store) is logged, as retrying would change nothing.
    let unlinked: unknown;
    try {
      await this.#link(event);
    } catch (error) {
      unlinked = error;
    }
    const before = out.length;
    await this.#effects(event, out);
    // Running campaigns watch opt-outs from their recipients (early warning).
    for (let i = before; i < out.length; i++) {
      const e = out[i];
      if (e?.kind === "optOut") this.deps.campaignSignals?.emit("optOut", e);
    }
    if (unlinked === undefined) return;
    if (isStoreUnavailableError(unlinked) && !unlinked.unreachable) {
      this.deps.logger?.warn("wa-guard: could not link a person's identifiers", {
        error: describeError(unlinked),
      });
      return;
    }
    throw unlinked;
  }

  async #effects(event: ParsedEvent, out: WebhookEvent[]): Promise<void> {
    switch (event.kind) {
      case "message":
        out.push(event);
        await this.#message(event, out);
        return;
      case "status":
        out.push(event);
        await this.#status(event, out);
        return;
      case "preference":
        await this.#preference(event, out);
        return;
      case "userIdUpdate":
        out.push(event);
        return;
      case "error":
        out.push(event);
        for (const e of event.errors) await this.deps.state.learnFromCode(e.code);
        return;
      case "templateUpdate":
        out.push(event);
        await this.#template(event);
        this.deps.campaignSignals?.emit("templateUpdate", event);
        return;
      case "accountUpdate":
        out.push(event);
        await this.#accountUpdate(event, out);
        return;
      case "qualityUpdate":
        out.push(event);
        await this.#quality(event);
        return;
      case "call":
        out.push(event);
        if (
          event.from !== undefined &&
          event.direction !== "BUSINESS_INITIATED" &&
          this.#mine(event.phoneNumberId) &&
          parseRecipient(event.from)
        )
          await this.deps.sessions.recordInbound(
            event.from,
            Math.min(event.timestamp, this.deps.clock.now()),
          );
        return;
      default:
        out.push(event);
    }
  }

  /**
   * Link the identifiers Meta gives side by side for one person: a message's sender and its
   * `contacts` entry, a status's recipient ids and contact, a preference's ids, a caller, and an
   * identifier change (the old BSUID — and number — stay linked to the new ones). A store that
   * fails fails the event: Meta delivers it again.
   */
  async #link(event: ParsedEvent): Promise<void> {
    const link = (ids: Array<string | undefined>, at: number, source: string) =>
      this.deps.state.link(ids, at, source);
    const contactIds = (c: MessageEvent["contact"]) => [c?.wa_id, c?.user_id, c?.parent_user_id];
    switch (event.kind) {
      case "message": {
        const m = event.message;
        const sys = m.type === "system" ? m.system : undefined;
        const change = sys !== undefined && IDENTITY_CHANGES.has(sys.type ?? "");
        await link(
          [
            m.from,
            m.from_user_id,
            m.from_parent_user_id,
            ...contactIds(event.contact),
            ...(change
              ? [sys?.wa_id, sys?.new_wa_id, sys?.user_id, sys?.parent_user_id, ...systemPrevious(sys)]
              : []),
          ],
          event.timestamp,
          change ? `webhook:${sys?.type}` : "webhook:message",
        );
        return;
      }
      case "status":
        await link(
          [
            event.raw.recipient_id,
            event.raw.recipient_user_id,
            event.raw.recipient_parent_user_id,
            ...contactIds(event.contact),
          ],
          event.timestamp,
          "webhook:status",
        );
        return;
      case "preference":
        await link(event.ids, event.timestamp, "webhook:user_preferences");
        return;
      case "call":
        await link(
          [
            event.from,
            event.fromUserId,
            str(event.value["recipient_id"]),
            str(event.value["recipient_user_id"]),
          ],
          event.timestamp,
          "webhook:call",
        );
        return;
      case "userIdUpdate":
        await link(
          [event.previousUserId, event.userId, event.previousParentUserId, event.parentUserId, event.waId],
          event.timestamp,
          `webhook:${event.via}`,
        );
        return;
      default:
        return;
    }
  }

  /**
   * Whether an event addressed to `phoneNumberId` concerns this client's number. One app has one
   * webhook URL for all its numbers: a message to another number must not open a window on this
   * one (opt-outs count everywhere: consent belongs to the business).
   */
  #mine(phoneNumberId: string | undefined): boolean {
    const mine = this.deps.phoneNumberId;
    return phoneNumberId === undefined || mine === undefined || phoneNumberId === mine;
  }

  async #message(event: MessageEvent, out: WebhookEvent[]): Promise<void> {
    // System notices (number or identity changed) are not the user writing.
    if (event.type === "system") {
      const update = identityChange(event);
      if (update) out.push(update);
      return;
    }
    if (!parseRecipient(event.from)) return;
    // What the user typed — also when they edit a message to read "STOP" — or the title of the
    // button or list row they tapped: a tap on "STOP" or "Stop promotions" is an opt-out wherever
    // the button is.
    const text =
      event.type === "text" ||
      event.type === "button" ||
      event.type === "edit" ||
      event.type === "interactive"
        ? event.text
        : undefined;
    // A timestamp ahead of our clock (skew) must not stretch the window past 24 hours from now.
    const at = Math.min(event.timestamp, this.deps.clock.now());
    const recorded = await this.deps.consent.recordInbound({
      from: event.from,
      at,
      // A group message opens a window with the group, not a 1:1 window with the sender; an
      // opt-out typed in a group still counts.
      opensWindow: this.#mine(event.phoneNumberId) && event.groupId === undefined,
      ...(text !== undefined && { text }),
      ...(event.replyId !== undefined && { buttonPayload: event.replyId }),
    });
    if (recorded === undefined) return;
    const { signal } = recorded;
    event.consent = signal === "opt-out" ? "optOut" : "optIn";
    const base = {
      recipient: event.from,
      scope: recorded.event.scope,
      source: recorded.event.source,
      timestamp: event.timestamp,
    };
    out.push(signal === "opt-out" ? { kind: "optOut", ...base } : { kind: "optIn", ...base, granted: true });
  }

  /**
   * The status of a campaign send settles its checkpoint entry: a claim still pending (the
   * outcome was unknown) becomes `sent` on sent/delivered/read; a message that failed — pending,
   * or recorded as sent and then undeliverable — is released, so a later run of the campaign
   * tries again (and its guards refuse it if Meta's answer made the person ineligible).
   */
  async #settleCampaignSend(c: { campaign: string; key: string }, event: StatusEvent): Promise<void> {
    const store = this.deps.state.stores.campaigns;
    const entry = await store.get(c.campaign, c.key);
    const pending = entry?.state === "pending" && entry.correlationId === event.correlationId;
    const sent = entry?.state === "sent" && entry.messageId === event.id;
    if (!entry || !(pending || sent)) return;
    const at = this.deps.clock.now();
    if (event.status === "failed")
      await store.release(c.campaign, c.key, { state: "released", run: entry.run, at });
    else if (pending)
      await store.settle(c.campaign, c.key, { state: "sent", messageId: event.id, run: entry.run, at });
  }

  async #status(event: StatusEvent, out: WebhookEvent[]): Promise<void> {
    if (
      event.correlationId !== undefined &&
      this.deps.unknownOutcomes.settle(event.correlationId, event.status)
    ) {
      event.reconciled = true;
    }
    const campaign = event.correlationId === undefined ? undefined : campaignOf(event.correlationId);
    if (campaign) {
      await this.#settleCampaignSend(campaign, event);
      this.deps.campaignSignals?.emit("status", event);
    }
    if (event.status !== "failed") return;
    const key = event.recipient === undefined ? undefined : parseRecipient(event.recipient)?.key;
    for (const e of event.errors) {
      const learnt = await this.deps.state.learnFromCode(e.code, key, event.timestamp);
      if (learnt === "opted-out" && event.recipient !== undefined) {
        out.push({
          kind: "optOut",
          recipient: event.recipient,
          scope: "marketing",
          source: `meta:${e.code}`,
          timestamp: event.timestamp,
        });
      }
    }
  }

  async #preference(event: Extract<ParsedEvent, { kind: "preference" }>, out: WebhookEvent[]): Promise<void> {
    if (!parseRecipient(event.user)) {
      out.push({
        kind: "unknown",
        field: event.field,
        reason: "user preference for an unreadable user",
        value: event,
      });
      return;
    }
    if (event.value === "stop") {
      await this.deps.consent.revoke(event.user, {
        scope: "marketing",
        source: "meta:user_preferences",
        at: event.timestamp,
      });
      out.push(preferenceEvent(event, true, false));
    } else if (event.value === "resume") {
      const { granted } = await this.deps.consent.resume(event.user, {
        scope: "marketing",
        source: "meta:user_preferences",
        at: event.timestamp,
      });
      out.push(preferenceEvent(event, false, granted));
    } else {
      out.push({
        kind: "unknown",
        field: event.field,
        reason: `user preference "${event.value}"`,
        value: event,
      });
    }
  }

  async #template(event: TemplateUpdateEvent): Promise<void> {
    const update: TemplateUpdate = {};
    if (event.templateId !== undefined) update.id = event.templateId;
    if (event.name !== undefined) update.name = event.name;
    if (event.language !== undefined) update.language = event.language;
    if (event.change === "status" && event.event !== undefined) {
      const status = Object.hasOwn(TEMPLATE_STATUS, event.event) ? TEMPLATE_STATUS[event.event] : undefined;
      if (status === undefined) {
        // An event we do not map: forget the cached list rather than guess.
        await this.deps.state.templates.invalidate();
        return;
      }
      if (status !== null) update.status = status;
    }
    if (event.category !== undefined) update.category = event.category;
    if (event.quality !== undefined) update.quality = event.quality;
    await this.deps.state.templates.applyUpdate(update, event.timestamp);
  }

  async #accountUpdate(event: AccountUpdateEvent, out: WebhookEvent[]): Promise<void> {
    const { account, state } = this.deps;
    // When Meta says it happened. A restriction Meta did not stamp is taken as happening now (the
    // strict reading); a lift it did not stamp cannot be ordered, so it lifts nothing — use
    // wa.account.clearRestriction() once you know.
    const at = event.timestamp ?? this.deps.clock.now();
    const liftAt = event.timestamp ?? Number.NEGATIVE_INFINITY;
    const v = event.value as {
      restriction_info?: Array<{ restriction_type: string; expiration?: string | number }>;
      ban_info?: { waba_ban_state?: string; waba_ban_date?: string };
      violation_info?: { violation_type?: string };
      max_daily_conversations_per_business?: unknown;
      max_daily_conversation_per_phone?: unknown;
    };
    // An account_update is about the WABA: what it restricts, it restricts for every number of it.
    switch (event.event) {
      case "ACCOUNT_RESTRICTION":
        for (const r of v.restriction_info ?? []) {
          const scope = restrictionScope(r.restriction_type);
          if (!scope) continue;
          await account.restrict({
            level: "waba",
            scope,
            source: `account_update:${r.restriction_type}`,
            since: at,
            ...(r.expiration !== undefined && { until: toMs(r.expiration, at) }),
          });
        }
        return;
      case "DISABLED_UPDATE": {
        const state = v.ban_info?.waba_ban_state;
        if (state === "DISABLE")
          await account.restrict({
            scope: "all",
            source: "account_update:DISABLED_UPDATE",
            since: at,
            level: "waba",
          });
        else if (state === "REINSTATE") {
          await account.clearRestriction("all", liftAt);
          // Ends the slowdown a scheduled disable opened — not one for a violation (no lift exists).
          await account.clearRestriction("marketing_slow", liftAt, "account_update:SCHEDULE_FOR_DISABLE");
        } else if (state === "SCHEDULE_FOR_DISABLE") {
          // Lifted by a REINSTATE (or replaced by the DISABLE it announces).
          await account.restrict({
            level: "waba",
            scope: "marketing_slow",
            source: "account_update:SCHEDULE_FOR_DISABLE",
            since: at,
          });
          out.push(
            warning(event, "SCHEDULE_FOR_DISABLE", {
              reason: `Meta scheduled this account to be disabled${v.ban_info?.waba_ban_date ? ` on ${v.ban_info.waba_ban_date}` : ""}`,
              ...(v.ban_info?.waba_ban_date !== undefined && { banDate: v.ban_info.waba_ban_date }),
            }),
          );
        }
        return;
      }
      case "ACCOUNT_VIOLATION": {
        const type = v.violation_info?.violation_type;
        await account.restrict({
          level: "waba",
          scope: "marketing_slow",
          source: `account_update:ACCOUNT_VIOLATION${type ? `:${type}` : ""}`,
          since: at,
          until: at + VIOLATION_SLOWDOWN_MS,
        });
        out.push(
          warning(event, "ACCOUNT_VIOLATION", {
            reason: `Meta recorded a policy violation${type ? ` (${type})` : ""}`,
            ...(type !== undefined && { violationType: type }),
          }),
        );
        return;
      }
      case "ACCOUNT_DELETED":
      case "ACCOUNT_OFFBOARDED":
        await account.restrict({
          scope: "all",
          source: `account_update:${event.event}`,
          since: at,
          level: "waba",
        });
        return;
      case "ACCOUNT_RECONNECTED":
        await account.clearRestriction("all", liftAt);
        return;
      case "CAPABILITY_UPDATE": {
        setLimit(state, v.max_daily_conversations_per_business ?? v.max_daily_conversation_per_phone);
        return;
      }
    }
  }

  async #quality(event: QualityUpdateEvent): Promise<void> {
    const at = event.timestamp ?? this.deps.clock.now();
    const liftAt = event.timestamp ?? Number.NEGATIVE_INFINITY; // see #accountUpdate
    // max_daily_conversations_per_business only: the removed current_limit of a THROUGHPUT_UPGRADE
    // is a throughput level (TIER_UNLIMITED), and taking it as the messaging limit lifted the cap.
    setLimit(this.deps.state, event.messagingLimit);
    if (event.event === "FLAGGED") {
      await this.deps.account.restrict({
        scope: "marketing",
        source: "phone_number_quality_update:FLAGGED",
        since: at,
      });
    } else if (event.event === "UNFLAGGED") await this.deps.account.clearRestriction("marketing", liftAt);
  }
}

/** A messaging limit as Meta reports it: `TIER_2K`, or a count (`10000`, as a number or digits). */
function setLimit(state: PolicyState, limit: unknown): void {
  if (typeof limit === "number") state.setMessagingLimit(`TIER_${limit}`);
  else if (typeof limit === "string") state.setMessagingLimit(/^\d+$/.test(limit) ? `TIER_${limit}` : limit);
}

function warning(
  event: AccountUpdateEvent,
  kind: string,
  details: Pick<AccountWarningEvent, "reason" | "banDate" | "violationType">,
): AccountWarningEvent {
  const { kind: _, event: __, ...source } = event;
  return { ...source, kind: "accountWarning", warning: kind, ...details };
}

/** A user-preference change as listeners see it (an `optOut` or `optIn` event). */
export function preferenceEvent(
  event: Extract<ParsedEvent, { kind: "preference" }>,
  stop: boolean,
  granted: boolean,
): OptOutEvent | OptInEvent {
  const base = {
    recipient: event.user,
    scope: "marketing",
    source: "meta:user_preferences",
    timestamp: event.timestamp,
  };
  return stop ? { kind: "optOut", ...base } : { kind: "optIn", ...base, granted };
}

/** System message types that announce a changed identifier. */
const IDENTITY_CHANGES = new Set(["user_changed_user_id", "user_changed_number", "customer_changed_number"]);

/**
 * The BSUIDs a `user_changed_user_id` body names ("… changed from <old> to <new>"), read from its
 * end (a profile name before it cannot inject one), and only when both are BSUIDs.
 */
function bodyUserIds(body: string | undefined): [string, string] | undefined {
  const m = /changed from (\S+) to (\S+?)\.?\s*$/.exec(body ?? "");
  return m?.[1] && m[2] && isBsuid(m[1]) && isBsuid(m[2]) ? [m[1], m[2]] : undefined;
}

/** A system message's previous identifiers: `previous_user_id`, or (BSUIDs only) read from its body. */
function systemPrevious(sys: MessageEvent["message"]["system"]): Array<string | undefined> {
  if (!sys) return [];
  const fromBody = sys.type === "user_changed_user_id" ? bodyUserIds(sys.body) : undefined;
  return [sys.previous_user_id, sys.previous_parent_user_id, ...(fromBody ?? [])];
}

/** The `userIdUpdate` event for a system message about a changed identifier, if it is one. */
function identityChange(event: MessageEvent): UserIdUpdateEvent | undefined {
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

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
