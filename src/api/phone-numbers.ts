import { ValidationError } from "../errors/validation.js";
import { describeError } from "../internal/logger.js";
import { path } from "../internal/path.js";
import {
  type HealthLevels,
  RESTRICTION_SCOPES,
  type Restriction,
  type RestrictionLevel,
  type RestrictionScope,
} from "../state/account-health.js";
import { type Clock, systemClock } from "../state/clock.js";
import { type MessagingHealth, toMessagingHealth } from "./health.js";
import type { GraphHttp } from "./http.js";
import { requirePhoneNumberId } from "./ids.js";
import { BusinessProfiles } from "./profile.js";
import { type PhoneNumberResponse, phoneNumberResponse } from "./schemas/responses.js";

/** Health and limits of the business phone number. Values are Meta's, unmapped. */
export interface PhoneNumberInfo {
  /** The phone number id. */
  id: string;
  /** The display name Meta verified. */
  verifiedName?: string;
  /** The number as shown, e.g. `15550783881`. */
  displayPhoneNumber?: string;
  /** `GREEN`, `YELLOW`, `RED` (or `UNKNOWN`). */
  qualityRating?: string;
  /** `CONNECTED` is required to send. */
  status?: string;
  nameStatus?: string;
  codeVerificationStatus?: string;
  platformType?: string;
  /** `STANDARD` (80 msg/s) or `HIGH` (up to 1,000 msg/s). */
  throughputLevel?: string;
  /** `TIER_250`, `TIER_2K`, `TIER_10K`, `TIER_100K`, `TIER_UNLIMITED`, … */
  messagingLimit?: string;
  /** Meta's messaging health status, when the `health_status` field was read. */
  health?: MessagingHealth;
  /** The response as Meta sent it, including fields not mapped above. */
  raw: PhoneNumberResponse;
}

const FIELDS =
  "id,verified_name,display_phone_number,quality_rating,status,name_status,code_verification_status,platform_type,throughput,whatsapp_business_manager_messaging_limit";

export function toPhoneNumberInfo(raw: PhoneNumberResponse): PhoneNumberInfo {
  const info: PhoneNumberInfo = { id: raw.id, raw };
  const set = <K extends keyof PhoneNumberInfo>(key: K, value: PhoneNumberInfo[K] | undefined) => {
    if (value !== undefined) info[key] = value;
  };
  set("verifiedName", raw.verified_name);
  set("displayPhoneNumber", raw.display_phone_number);
  set("qualityRating", raw.quality_rating);
  set("status", raw.status);
  set("nameStatus", raw.name_status);
  set("codeVerificationStatus", raw.code_verification_status);
  set("platformType", raw.platform_type);
  set("throughputLevel", raw.throughput?.level);
  set("messagingLimit", raw.whatsapp_business_manager_messaging_limit ?? raw.messaging_limit_tier);
  if (raw.health_status) info.health = toMessagingHealth(raw.health_status);
  return info;
}

export interface AccountHealth {
  /** Restrictions in force now: what they stop, why, and until when. */
  restrictions: Restriction[];
  /** The phone number as Meta reports it, when `refresh: true`. */
  phoneNumber?: PhoneNumberInfo;
  /**
   * Meta's messaging health status of the phone number, its WABA, the business portfolio and
   * the app (AVAILABLE / LIMITED / BLOCKED, with Meta's errors and possible solutions), when
   * `refresh: true`.
   */
  status?: MessagingHealth;
  /** When this reading was taken (the client's clock, ms since the epoch). */
  checkedAt: number;
}

/** What changed between two health readings (emitted as `health.change`). */
export interface HealthChangeEvent {
  /** The reading before; undefined for the first reading of this client. */
  previous: AccountHealth | undefined;
  current: AccountHealth;
  /** Each change in words: `"overall: AVAILABLE → LIMITED"`, `"quality: GREEN → YELLOW"`, … */
  changes: string[];
  /** One line for a log or a dashboard (see {@link describeHealth}). */
  summary: string;
}

export interface HealthWatchOptions {
  /** Time between readings. At least 10 s; Meta rate-limits Graph calls. @default 300_000 (5 min) */
  intervalMs?: number;
  /** Stops the watch when aborted. */
  signal?: AbortSignal;
}

/** A running health watch (`wa.account.watch()`). */
export interface HealthWatch {
  /** The latest successful reading, once there is one. */
  readonly latest: AccountHealth | undefined;
  /** Stop polling. Idempotent. */
  stop(): void;
  /** Settles when the watch has stopped. */
  readonly stopped: Promise<void>;
}

const HOUR = 60 * 60 * 1000;
/**
 * How long a BLOCKED or LIMITED reading keeps its restriction in force. Each reading that still
 * says so extends it; a reading that no longer does lets it run out (it is not lifted at once:
 * wa-guard does not lift a restriction on one reading's word).
 */
export const HEALTH_HOLD_MS = 15 * 60 * 1000;
const DEFAULT_WATCH_INTERVAL_MS = 5 * 60 * 1000;
const MIN_WATCH_INTERVAL_MS = 10_000;

/**
 * One line for a log or a dashboard:
 * `health LIMITED · PHONE_NUMBER LIMITED (Display name not approved) · quality GREEN · limit TIER_2K
 * · throughput STANDARD · restrictions marketing_slow(health:LIMITED)`.
 */
export function describeHealth(health: AccountHealth): string {
  const parts = [`health ${health.status?.canSendMessage ?? "UNKNOWN"}`];
  for (const e of health.status?.entities ?? []) {
    if (e.canSendMessage === "AVAILABLE") continue;
    const why = [
      ...e.errors.map((x) => (x.code ? `${x.code} ${x.description}` : x.description)),
      ...e.additionalInfo,
    ];
    parts.push(`${e.type} ${e.canSendMessage}${why.length ? ` (${why.join("; ")})` : ""}`);
  }
  const phone = health.phoneNumber;
  if (phone?.qualityRating) parts.push(`quality ${phone.qualityRating}`);
  if (phone?.messagingLimit) parts.push(`limit ${phone.messagingLimit}`);
  if (phone?.throughputLevel) parts.push(`throughput ${phone.throughputLevel}`);
  parts.push(
    `restrictions ${health.restrictions.length ? health.restrictions.map((r) => `${r.scope}(${r.source})`).join(",") : "none"}`,
  );
  return parts.join(" · ");
}

function differences(before: AccountHealth | undefined, after: AccountHealth): string[] {
  const fields = (h: AccountHealth | undefined): Record<string, string | undefined> => {
    const out: Record<string, string | undefined> = {
      overall: h?.status?.canSendMessage,
      quality: h?.phoneNumber?.qualityRating,
      "messaging limit": h?.phoneNumber?.messagingLimit,
      throughput: h?.phoneNumber?.throughputLevel,
      "phone status": h?.phoneNumber?.status,
      "display name": h?.phoneNumber?.nameStatus,
    };
    for (const e of h?.status?.entities ?? []) out[e.type] = e.canSendMessage;
    return out;
  };
  const a = fields(before);
  const b = fields(after);
  const changes: string[] = [];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (a[key] !== b[key]) changes.push(`${key}: ${a[key] ?? "unknown"} → ${b[key] ?? "unknown"}`);
  }
  return changes;
}

/** `wa.account`: the business phone number's health, limits and restrictions. */
export class Account {
  /** The WhatsApp business profile: read, update, check. */
  readonly profile: BusinessProfiles;
  #last: AccountHealth | undefined;
  #displayNumber: string | undefined;

  constructor(
    private readonly http: GraphHttp,
    /** The number's restrictions and its WABA's (none with the policy off). */
    private readonly store?: HealthLevels,
    /** Why the content guard would refuse a link to this URL in a message (for `profile.check`). */
    linkProblem?: (url: string) => string | undefined,
  ) {
    this.profile = new BusinessProfiles(http, linkProblem, async (signal) => {
      const phone = await this.phoneNumber({
        fields: ["verified_name", "name_status"],
        ...(signal && { signal }),
      });
      return {
        ...(phone.verifiedName !== undefined && { verifiedName: phone.verifiedName }),
        ...(phone.nameStatus !== undefined && { nameStatus: phone.nameStatus }),
      };
    });
  }

  /**
   * Restrictions the policy enforces now (learnt from 368 / 131031 / 131048 / 131064 answers,
   * 130429 storms, account_update webhooks, quality and health readings). With `refresh: true`
   * the phone number and Meta's messaging health status are read in one call and feed the
   * account-health guard:
   * - overall BLOCKED refuses every send, LIMITED slows marketing (see
   *   `throughput.marketingShareWhenSlowed`), each for {@link HEALTH_HOLD_MS} after the last
   *   reading that says so;
   * - a RED quality rating pauses marketing for an hour, YELLOW slows it for an hour, GREEN lifts
   *   the YELLOW slowdown.
   *
   * A reading that differs from this client's previous one emits `health.change`.
   */
  async health(options: { refresh?: boolean; signal?: AbortSignal } = {}): Promise<AccountHealth> {
    const now = this.http.clock.now();
    const out: AccountHealth = { restrictions: [], checkedAt: now };
    if (options.refresh) {
      const phone = await this.#read(`${FIELDS},health_status`, options.signal);
      out.phoneNumber = phone;
      if (phone.health) out.status = phone.health;
      await this.#apply(phone, now);
    }
    out.restrictions = (await this.store?.active(now)) ?? [];
    if (options.refresh) {
      const changes = differences(this.#last, out);
      const previous = this.#last;
      this.#last = out;
      if (changes.length > 0)
        this.http.emitter.emit("health.change", {
          previous,
          current: out,
          changes,
          summary: describeHealth(out),
        });
    }
    return out;
  }

  /**
   * Read the health every `intervalMs` (at once, then on the interval) until stopped, emitting
   * `health.change` on every change. For long-lived services; in a serverless function call
   * `health({ refresh: true })` once per invocation instead. The timer does not keep the process
   * alive. A failed reading is logged (warn) and emitted as `health.error`; the watch goes on.
   */
  watch(options: HealthWatchOptions = {}): HealthWatch {
    const interval = options.intervalMs ?? DEFAULT_WATCH_INTERVAL_MS;
    if (!Number.isFinite(interval) || interval < MIN_WATCH_INTERVAL_MS) {
      throw new ValidationError(
        `account.watch: intervalMs must be a number of milliseconds ≥ ${MIN_WATCH_INTERVAL_MS} (got ${String(options.intervalMs)})`,
      );
    }
    const controller = new AbortController();
    const stopOn = options.signal;
    const onAbort = () => controller.abort();
    if (stopOn?.aborted) controller.abort();
    else stopOn?.addEventListener("abort", onAbort, { once: true });
    const watch = {
      latest: undefined as AccountHealth | undefined,
      stop: () => controller.abort(),
      stopped: Promise.resolve(),
    };
    const signal = controller.signal;
    watch.stopped = (async () => {
      while (!signal.aborted) {
        try {
          watch.latest = await this.health({ refresh: true, signal });
        } catch (error) {
          if (signal.aborted) break;
          this.http.logger.warn("wa-guard: account health reading failed", { error: describeError(error) });
          this.http.emitter.emit("health.error", {
            error: error instanceof Error ? error : new Error(describeError(error)),
          });
        }
        try {
          await sleepUnref(this.http.clock, interval, signal);
        } catch {
          break;
        }
      }
      stopOn?.removeEventListener("abort", onAbort);
    })();
    return watch;
  }

  /**
   * Record a restriction (the webhook handler calls this for account_update events). `level`
   * says whom it stops: `phone_number` (the default) this number, `waba` every number of the
   * WABA that shares the stores' WABA-wide state (`wabaHealth`).
   */
  async restrict(
    restriction: Omit<Restriction, "since"> & { since?: number; level?: RestrictionLevel },
  ): Promise<void> {
    const { level, ...rest } = restriction;
    await this.store
      ?.of(level ?? "phone_number")
      .open({ ...rest, since: rest.since ?? this.http.clock.now() });
  }

  /**
   * Lift a restriction early (e.g. after an account_update reinstatement), at both levels.
   *
   * ```ts
   * await wa.account.clearRestriction("marketing");
   * await wa.account.clearRestriction("all", { source: "health:BLOCKED" });
   * ```
   * @param options.at when the lift happened (Meta's time, ms; default now): a restriction that
   *   began after it stays in force.
   * @param options.source only a restriction opened by that source is lifted.
   * @param options.level only at this level (a WABA's reinstatement does not end what Meta said
   *   of one number).
   * @throws ValidationError for an unknown scope or level, or an `at` that is not whole ms
   */
  async clearRestriction(scope: RestrictionScope, options?: ClearRestrictionOptions): Promise<void>;
  /** @deprecated Pass `{ at, source, level }` as the second argument. */
  async clearRestriction(
    scope: RestrictionScope,
    at?: number,
    source?: string,
    level?: RestrictionLevel,
  ): Promise<void>;
  async clearRestriction(
    scope: RestrictionScope,
    second?: number | ClearRestrictionOptions,
    source?: string,
    level?: RestrictionLevel,
  ): Promise<void> {
    const o: ClearRestrictionOptions =
      typeof second === "object" && second !== null
        ? second
        : { ...(second !== undefined && { at: second as number }), source, level };
    checkClear(scope, o);
    await this.lift(scope, o.at ?? this.http.clock.now(), o.source, o.level);
  }

  /**
   * @internal The webhook handler's lift: `at` may be `-Infinity` (a lift Meta did not stamp,
   * which lifts nothing).
   */
  async lift(scope: RestrictionScope, at: number, source?: string, level?: RestrictionLevel): Promise<void> {
    if (level === undefined) await this.store?.close(scope, at, source);
    else await this.store?.of(level).close(scope, at, source);
  }

  /**
   * @internal Whether the WABA's restrictions are kept apart from the number's (false when the
   * store set has no WABA-wide store: then both levels are the number's one store).
   */
  get wabaHealthApart(): boolean {
    return this.store !== undefined && this.store.waba !== this.store.phone;
  }

  /**
   * This number as users see it (`display_phone_number`), once read or heard in a webhook
   * addressed to it: a `phone_number_quality_update` names its number only so.
   */
  get displayPhoneNumber(): string | undefined {
    return this.#displayNumber;
  }

  /** @internal The webhook handler saw this number's display number. */
  noteDisplayNumber(display: string): void {
    this.#displayNumber = display;
  }

  /** @internal This number's display number: known, or read once (undefined when it cannot be). */
  async ownDisplayNumber(): Promise<string | undefined> {
    if (this.#displayNumber === undefined)
      await this.phoneNumber({ fields: ["display_phone_number"] }).catch(() => undefined);
    return this.#displayNumber;
  }

  /** Quality rating, throughput level, messaging limit, status and names of the phone number. */
  async phoneNumber(options: { fields?: string[]; signal?: AbortSignal } = {}): Promise<PhoneNumberInfo> {
    return this.#read(options.fields ? ["id", ...options.fields].join(",") : FIELDS, options.signal);
  }

  async #read(fields: string, signal: AbortSignal | undefined): Promise<PhoneNumberInfo> {
    const raw = await this.http.request({
      method: "GET",
      path: path`/${requirePhoneNumberId(this.http)}`,
      query: { fields },
      schema: phoneNumberResponse,
      idempotent: true,
      ...(signal && { signal }),
    });
    const info = toPhoneNumberInfo(raw);
    if (info.displayPhoneNumber) this.#displayNumber = info.displayPhoneNumber;
    return info;
  }

  async #apply(phone: PhoneNumberInfo, now: number): Promise<void> {
    const own = this.store?.phone;
    const quality = phone.qualityRating;
    if (quality === "RED") {
      await own?.open({ scope: "marketing", source: "quality:RED", since: now, until: now + HOUR });
    } else if (quality === "YELLOW") {
      await own?.open({
        scope: "marketing_slow",
        source: "quality:YELLOW",
        since: now,
        until: now + HOUR,
      });
    } else if (quality === "GREEN") await own?.close("marketing_slow", now, "quality:YELLOW");
    // Each node's own status, at its level: the number BLOCKED and the WABA LIMITED is a
    // restriction of the number and a slowdown of every number of the WABA.
    const health = phone.health;
    const blocked: Restriction = {
      scope: "all",
      source: "health:BLOCKED",
      since: now,
      until: now + HEALTH_HOLD_MS,
    };
    const limited: Restriction = {
      scope: "marketing_slow",
      source: "health:LIMITED",
      since: now,
      until: now + HEALTH_HOLD_MS,
    };
    const explained = new Set<string>();
    for (const e of health?.entities ?? []) {
      const level = levelOf(e.type);
      const status = String(e.canSendMessage).toUpperCase();
      if (level === undefined) continue;
      if (status === "BLOCKED") await this.store?.of(level).open(blocked);
      else if (status === "LIMITED") await this.store?.of(level).open(limited);
      else continue;
      explained.add(status);
    }
    // An overall status no known node explains (a node wa-guard does not know) is the number's.
    const overall = String(health?.canSendMessage ?? "").toUpperCase();
    if (overall === "BLOCKED" && !explained.has("BLOCKED")) await this.store?.phone.open(blocked);
    else if (overall === "LIMITED" && !explained.has("LIMITED") && !explained.has("BLOCKED"))
      await this.store?.phone.open(limited);
  }
}

/**
 * Where a node's BLOCKED or LIMITED belongs: the WABA's state for the WABA, the business
 * portfolio and the app (every number of the WABA is stopped alike), the number's for the number.
 */
function levelOf(type: string): RestrictionLevel | undefined {
  const t = String(type).toUpperCase();
  if (t === "PHONE_NUMBER") return "phone_number";
  if (t === "WABA" || t === "BUSINESS" || t === "APP") return "waba";
  return undefined;
}

/** `clock.sleep`, except that on the system clock the timer does not keep the process alive. */
function sleepUnref(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  if (clock !== systemClock) return clock.sleep(ms, signal);
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    timer.unref?.();
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** How `wa.account.clearRestriction(scope, options)` lifts. */
export interface ClearRestrictionOptions {
  /** When the lift happened (ms since 1970; Meta's time). Default: now. */
  at?: number | undefined;
  /** Only a restriction opened by this source (`graph:368`, `health:BLOCKED`, …). */
  source?: string | undefined;
  /** Only at this level; default both. */
  level?: RestrictionLevel | undefined;
}

function checkClear(scope: unknown, o: ClearRestrictionOptions): void {
  const bad = (what: string) => {
    throw new ValidationError(`clearRestriction: ${what}`);
  };
  if (typeof scope !== "string" || !RESTRICTION_SCOPES.has(scope))
    bad(
      `scope must be one of ${[...RESTRICTION_SCOPES].join(", ")}, got ${typeof scope === "string" ? JSON.stringify(scope) : typeof scope}`,
    );
  if (o.at !== undefined && !(typeof o.at === "number" && Number.isSafeInteger(o.at)))
    bad(`at must be a time in whole milliseconds since 1970, got ${String(o.at)}`);
  if (o.source !== undefined && (typeof o.source !== "string" || o.source === ""))
    bad(`source must be a non-empty string, got ${typeof o.source === "string" ? '""' : typeof o.source}`);
  if (o.level !== undefined && o.level !== "phone_number" && o.level !== "waba")
    bad(
      `level must be "phone_number" or "waba", got ${typeof o.level === "string" ? JSON.stringify(o.level) : typeof o.level}`,
    );
}
