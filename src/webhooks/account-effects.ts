/**
 * What Meta's account-level webhooks change: `account_update` (restrictions, bans, violations,
 * the messaging limit) and `phone_number_quality_update` (the limit; FLAGGED slows marketing).
 * Lifts and restrictions are ordered by Meta's timestamps, as every effect is.
 */
import type { Account } from "../api/phone-numbers.js";
import type { PolicyState } from "../policy/learn.js";
import type { RestrictionScope } from "../state/account-health.js";
import type { Clock } from "../state/clock.js";
import type { AccountUpdateEvent, AccountWarningEvent, QualityUpdateEvent, WebhookEvent } from "./events.js";
import { endMs, isObject } from "./parse-common.js";

/** What account effects change: the account's restrictions and the policy state's messaging limit. */
export interface AccountEffectDeps {
  account: Account;
  state: PolicyState;
  clock: Clock;
  /** This client's WABA: a lift is applied only when the webhook names it (a restriction always). */
  wabaId?: string | undefined;
}

const DAY = 24 * 60 * 60 * 1000;
/** How long marketing stays slowed after an ACCOUNT_VIOLATION (Meta sends no lift for it). */
const VIOLATION_SLOWDOWN_MS = 7 * DAY;

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

/** A string as Meta sent it; a number written out; the one string of a one-element list. */
const text = (x: unknown): string | undefined =>
  typeof x === "string"
    ? x
    : typeof x === "number" && Number.isFinite(x)
      ? String(x)
      : Array.isArray(x) && x.length === 1 && typeof x[0] === "string"
        ? x[0]
        : undefined;

/** `restriction_info`: a list, or one restriction on its own. */
const restrictionsOf = (x: unknown): unknown[] =>
  Array.isArray(x) ? x : x === undefined || x === null ? [] : [x];

function restrictionScope(type: string): RestrictionScope | null {
  // Own keys only: a type named "constructor" or "__proto__" is unknown, not Object's property.
  if (Object.hasOwn(RESTRICTION_SCOPE, type)) return RESTRICTION_SCOPE[type] ?? null;
  return /CALL/.test(type) ? null : "business_initiated";
}

/** What an `account_update` changes (see the module comment); a warning event for some. */
export async function applyAccountUpdate(
  deps: AccountEffectDeps,
  event: AccountUpdateEvent,
  out: WebhookEvent[],
): Promise<void> {
  const { account, state } = deps;
  // When Meta says it happened. A restriction Meta did not stamp is taken as happening now (the
  // strict reading); a lift it did not stamp cannot be ordered, so it lifts nothing — use
  // wa.account.clearRestriction() once you know.
  const at = event.timestamp ?? deps.clock.now();
  // A lift stamped ahead of this clock would void what is learnt meanwhile: never later than now.
  const liftAt =
    event.timestamp === undefined ? Number.NEGATIVE_INFINITY : Math.min(event.timestamp, deps.clock.now());
  // A restriction is taken from any WABA the client cannot tell apart from its own (the strict
  // reading); a lift only from its own, named: another WABA's REINSTATE must not end this one's ban.
  const ours = event.wabaId !== undefined && event.wabaId !== "" && event.wabaId === deps.wabaId;
  const lift = ours ? liftAt : Number.NEGATIVE_INFINITY;
  // Read field by field, whatever shape each arrives in (see `accountUpdate` in schemas.ts).
  const v = event.value;
  const ban = isObject(v["ban_info"]) ? v["ban_info"] : {};
  const banState = text(ban["waba_ban_state"])?.trim().toUpperCase();
  const banDate = text(ban["waba_ban_date"]);
  const violationType = isObject(v["violation_info"])
    ? text(v["violation_info"]["violation_type"])
    : undefined;
  // An account_update is about the WABA: what it restricts, it restricts for every number of it.
  switch (event.event) {
    case "ACCOUNT_RESTRICTION":
      for (const r of restrictionsOf(v["restriction_info"])) {
        // A restriction without a readable type may be any of them: it stops everything.
        const type =
          (isObject(r) ? text(r["restriction_type"])?.trim().toUpperCase() : undefined) || undefined;
        const scope = type === undefined ? "all" : restrictionScope(type);
        if (!scope) continue;
        // An expiration that cannot be read is no end: the restriction holds until lifted.
        const until = isObject(r) ? endMs(r["expiration"]) : undefined;
        await account.restrict({
          level: "waba",
          scope,
          source: `account_update:${type ?? "UNNAMED"}`,
          since: at,
          ...(until !== undefined && { until }),
        });
      }
      return;
    case "DISABLED_UPDATE": {
      const state = banState;
      if (state === "DISABLE")
        await account.restrict({
          scope: "all",
          source: "account_update:DISABLED_UPDATE",
          since: at,
          level: "waba",
        });
      else if (state === "REINSTATE") {
        await liftWaba(account, lift, "account_update:DISABLED_UPDATE");
        // Ends the slowdown a scheduled disable opened — not one for a violation (no lift exists).
        for (const level of ["waba", "phone_number"] as const)
          await account.lift("marketing_slow", liftAt, "account_update:SCHEDULE_FOR_DISABLE", level);
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
            reason: `Meta scheduled this account to be disabled${banDate ? ` on ${banDate}` : ""}`,
            ...(banDate !== undefined && { banDate }),
          }),
        );
      }
      return;
    }
    case "ACCOUNT_VIOLATION": {
      const type = violationType;
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
      await liftWaba(account, lift, "account_update:ACCOUNT_DELETED", "account_update:ACCOUNT_OFFBOARDED");
      return;
    case "CAPABILITY_UPDATE": {
      setLimit(state, v["max_daily_conversations_per_business"] ?? v["max_daily_conversation_per_phone"]);
      return;
    }
  }
}

/** What a `phone_number_quality_update` changes: the messaging limit, and FLAGGED restricts marketing. */
export async function applyQualityUpdate(deps: AccountEffectDeps, event: QualityUpdateEvent): Promise<void> {
  const at = event.timestamp ?? deps.clock.now();
  const liftAt =
    event.timestamp === undefined ? Number.NEGATIVE_INFINITY : Math.min(event.timestamp, deps.clock.now()); // see applyAccountUpdate
  // One app, one webhook URL: an update of the WABA's other number is not this number's. This
  // number's display number is known (read, or from a webhook addressed to it) or read now; when
  // it cannot be, a FLAGGED is taken (the strict reading) and an UNFLAGGED is not.
  const own = event.displayPhoneNumber === undefined ? undefined : await deps.account.ownDisplayNumber();
  // As written: "+1 555-000-1111", "15550001111", "0015550001111" (international prefix) alike.
  const digits = (n: string) => n.replace(/\D/g, "").replace(/^0+/, "");
  const named = event.displayPhoneNumber;
  const mine = named === undefined || (own !== undefined && digits(own) === digits(named));
  if (!mine && (own !== undefined || event.event !== "FLAGGED")) {
    setLimit(deps.state, event.messagingLimit);
    return;
  }
  // max_daily_conversations_per_business only: the removed current_limit of a THROUGHPUT_UPGRADE
  // is a throughput level (TIER_UNLIMITED), and taking it as the messaging limit lifted the cap.
  setLimit(deps.state, event.messagingLimit);
  if (event.event === "FLAGGED") {
    await deps.account.restrict({
      scope: "marketing",
      source: "phone_number_quality_update:FLAGGED",
      since: at,
    });
  } else if (event.event === "UNFLAGGED") await deps.account.lift("marketing", liftAt);
}

/**
 * The sources of the WABA's `all` restrictions that are the WABA's alone (never a number's): the
 * webhooks about the account and Meta's answers recorded at the WABA level (learn.ts). A health
 * reading's BLOCKED (`health:BLOCKED`) is not one: the number's node and the WABA's share it.
 */
const WABA_ONLY_SOURCES = [
  "account_update:DISABLED_UPDATE",
  "account_update:ACCOUNT_DELETED",
  "account_update:ACCOUNT_OFFBOARDED",
  "graph:368",
  "graph:131031",
  "graph:131064",
];

/**
 * An account_update lift (a reinstatement, a reconnection): the WABA's `all` restrictions, and
 * the ones the same webhooks recorded per number before the WABA had a store of its own. What Meta
 * said of one number (a health reading, its quality) is not lifted by the WABA's reinstatement.
 * Without a WABA store of its own (`redisStores` without `wabaId`, a set with only
 * `accountHealth`) both levels are one store: then only the sources that are the WABA's alone are
 * lifted, each by source (a BLOCKED reading stays: it may be the number's).
 */
async function liftWaba(account: Account, at: number, ...formerSources: string[]): Promise<void> {
  if (at === Number.NEGATIVE_INFINITY) return;
  if (!account.wabaHealthApart) {
    for (const source of WABA_ONLY_SOURCES) await account.lift("all", at, source, "waba");
    return;
  }
  await account.lift("all", at, undefined, "waba");
  for (const source of formerSources) await account.lift("all", at, source, "phone_number");
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
