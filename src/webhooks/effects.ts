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
import type { Consent, Sessions } from "../policy/consent.js";
import type { PolicyState } from "../policy/learn.js";
import { parseRecipient } from "../policy/recipient.js";
import type { TemplateUpdate } from "../policy/template-cache.js";
import type { Clock } from "../state/clock.js";
import { storable } from "../state/consent.js";
import { META_REDELIVERY_MS } from "../state/webhook-dedup.js";
import { applyAccountUpdate, applyQualityUpdate } from "./account-effects.js";
import type {
  MessageEvent,
  OptInEvent,
  OptOutEvent,
  StatusEvent,
  TemplateUpdateEvent,
  WebhookEvent,
} from "./events.js";
import { IDENTITY_CHANGES, identityChange, systemPrevious } from "./identity-change.js";
import type { ParsedEvent, ParsedItem } from "./parse.js";
import { UNREADABLE_ID } from "./parse-common.js";
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
  /** This client's WABA: account and template updates of another WABA (one app, one URL) change nothing here. */
  wabaId: string | undefined;
  logger?: Logger;
}

const DAY_MS = 24 * 60 * 60 * 1000;

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
    await this.#effects(event, out, item.untrusted === true);
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

  async #effects(event: ParsedEvent, out: WebhookEvent[], untrusted: boolean): Promise<void> {
    // A preference change becomes an optOut/optIn event only once the ledger has it; every
    // other event is delivered as parsed, before the events its effects add.
    if (event.kind === "preference") return this.#preference(event, out, untrusted);
    out.push(event);
    // This client's own number also hears the webhooks of the app's other numbers and WABAs.
    if (event.kind === "message" || event.kind === "status") this.#noteDisplayNumber(event);
    switch (event.kind) {
      case "message":
        return this.#message(event, out, untrusted);
      case "status":
        return this.#status(event, out);
      case "error":
        for (const e of event.errors)
          await this.deps.state.learnFromCode(e.code, undefined, undefined, this.#about(event));
        return;
      case "templateUpdate":
        if (!this.#ourWaba(event.wabaId)) return;
        await this.#template(event);
        this.deps.campaignSignals?.emit("templateUpdate", event);
        return;
      case "accountUpdate":
        if (!this.#ourWaba(event.wabaId)) return;
        return applyAccountUpdate(this.deps, event, out);
      case "qualityUpdate":
        if (!this.#ourWaba(event.wabaId)) return;
        return applyQualityUpdate(this.deps, event);
      case "call":
        if (
          !untrusted &&
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
    if (phoneNumberId === UNREADABLE_ID) return false;
    return phoneNumberId === undefined || mine === undefined || phoneNumberId === mine;
  }

  /** Whether an event of WABA `wabaId` concerns this client's WABA (unknown on either side: yes). */
  #ourWaba(wabaId: string | undefined): boolean {
    const ours = this.deps.wabaId;
    return wabaId === undefined || wabaId === "" || ours === undefined || wabaId === ours;
  }

  /** Whose send an event is about: this number, another number of this WABA, or another WABA's. */
  #about(event: { phoneNumberId?: string; wabaId?: string }): { phoneNumber: boolean; waba: boolean } {
    const waba = this.#ourWaba(event.wabaId);
    // A restriction from a number that cannot be read may be this number's: the strict reading.
    const phoneNumber = event.phoneNumberId === UNREADABLE_ID || this.#mine(event.phoneNumberId);
    return { phoneNumber: waba && phoneNumber, waba };
  }

  /** This number as users see it, from a webhook addressed to it (quality updates name it so). */
  #noteDisplayNumber(event: { phoneNumberId?: string; displayPhoneNumber?: string }): void {
    const mine = this.deps.phoneNumberId;
    if (mine !== undefined && event.phoneNumberId === mine && event.displayPhoneNumber)
      this.deps.account.noteDisplayNumber(event.displayPhoneNumber);
  }

  async #message(event: MessageEvent, out: WebhookEvent[], untrusted: boolean): Promise<void> {
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
    const now = this.deps.clock.now();
    // A message older than Meta's redelivery window is a replay or a time that is wrong: like one
    // whose id or time could not be read, it cannot be ordered against a STOP. It opens no window,
    // an opt-in in it lifts nothing, and an opt-out in it counts from now (the strict side; a
    // replay of a message on file is the event on file, whatever its time).
    // (A day's margin: Meta's last retry comes 7 days after its first try, itself after the message.)
    const trusted = !untrusted && event.timestamp >= now - META_REDELIVERY_MS - DAY_MS;
    // Meta's time (consent clamps a window and a grant to now; a withdrawal keeps it).
    const at = trusted ? event.timestamp : now;
    const recorded = await this.deps.consent.recordInbound(
      {
        from: event.from,
        at,
        ...(event.id !== UNREADABLE_ID && { messageId: event.id }),
        // A group message opens a window with the group, not a 1:1 window with the sender; an
        // opt-out typed in a group still counts.
        opensWindow: trusted && this.#mine(event.phoneNumberId) && event.groupId === undefined,
        ...(text !== undefined && { text }),
        ...(event.replyId !== undefined && { buttonPayload: event.replyId }),
      },
      { optIn: trusted },
    );
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
      const learnt = await this.deps.state.learnFromCode(e.code, key, event.timestamp, {
        ...this.#about(event),
        ...(event.id !== UNREADABLE_ID && storable(event.id) === event.id && { messageId: event.id }),
      });
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

  async #preference(
    event: Extract<ParsedEvent, { kind: "preference" }>,
    out: WebhookEvent[],
    untrusted: boolean,
  ): Promise<void> {
    if (!parseRecipient(event.user)) {
      out.push({
        kind: "unknown",
        field: event.field,
        reason: "user preference for an unreadable user",
        value: event,
      });
      return;
    }
    // Meta's time. A stop keeps it (later is the strict side); a resume is never dated after this
    // clock's now, or it would outrank what is recorded here after it. (With Meta's clock minutes
    // ahead, a resume within those minutes of the stop lifts nothing: the strict side.)
    if (event.value === "stop") {
      await this.deps.consent.revoke(event.user, {
        scope: "marketing",
        source: "meta:user_preferences",
        at: event.timestamp,
      });
      out.push(preferenceEvent(event, true, false));
    } else if (event.value === "resume" && untrusted) {
      // Meta wrote no time for it: it cannot be ordered against a stop, so it lifts nothing.
      this.deps.logger?.warn("wa-guard: a marketing resume without a time lifts nothing");
      out.push(preferenceEvent(event, false, false));
    } else if (event.value === "resume") {
      const { granted } = await this.deps.consent.resume(event.user, {
        scope: "marketing",
        source: "meta:user_preferences",
        at: Math.min(event.timestamp, this.deps.clock.now()),
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

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
