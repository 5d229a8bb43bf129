import { ConsentSupersededError, ConsentWithdrawnByUserError } from "../errors/consent.js";
import { isValidationError, ValidationError } from "../errors/validation.js";
import type { Clock } from "../state/clock.js";
import {
  appendOnce,
  type ConsentEvent,
  type ConsentScope,
  type ConsentStatus,
  type ConsentStore,
  consentStatus,
  eventSecond,
  isMetaStop,
  personHistory,
  sameEvent,
  storable,
} from "../state/consent.js";
import { type IdentityStore, MemoryIdentityStore } from "../state/identity.js";
import type { SessionWindowStore } from "../state/session-windows.js";
import {
  type ConsentOptions,
  DEFAULT_OPT_IN_KEYWORDS,
  DEFAULT_OPT_OUT_KEYWORDS,
  DEFAULT_UNSUBSCRIBE_BUTTON_TEXTS,
  normalizeKeyword,
} from "./keywords.js";
import { requireRecipientKey } from "./recipient.js";

// The words and buttons that opt a user out or back in, and how a reply is compared to them.
export * from "./keywords.js";
// `wa.sessions` lives beside `wa.consent`'s module.
export { Sessions } from "./sessions.js";

export interface ConsentImportRecord {
  /** The user: a phone number in international format, or a BSUID. */
  recipient: string;
  /** What the consent covers (`marketing`, `utility`, `all`, …). */
  scope: ConsentScope;
  /** Where it was collected, e.g. `form:checkout` or `import:crm-2025`. */
  source: string;
  /** Evidence you keep (a form submission id, a URL), recorded with the event. */
  proof?: string;
  /**
   * When the consent was given or withdrawn (ms). A revoke without it is recorded now; a grant
   * without it is recorded now only while no withdrawal decides its scope (it cannot be shown to be
   * newer than one), otherwise it is `superseded`.
   */
  at?: number;
  /** @default "grant" */
  action?: "grant" | "revoke";
}

/**
 * One result per imported record:
 * - `recorded`: appended to the ledger (`event`);
 * - `unchanged`: the same event (recipient, action, scope, source, proof, `at`) is already on file,
 *   so a re-import adds nothing (`event` is the one on file); for a grant without `at`, the same
 *   grant at any time, while nothing withdraws its scope;
 * - `superseded`: a grant dated at or before a withdrawal on file (`by`), or undated while a
 *   withdrawal decides its scope; nothing recorded (`error` says why);
 * - `refused`: a grant that would lift Meta's marketing stop (`by`), which only the user can lift;
 *   nothing recorded;
 * - `invalid`: bad input (`error`); nothing recorded.
 */
export type ConsentImportResult =
  | { recipient: string; status: "recorded"; event: ConsentEvent }
  | { recipient: string; status: "unchanged"; event: ConsentEvent }
  | { recipient: string; status: "superseded"; by: ConsentEvent; error: ConsentSupersededError }
  | { recipient: string; status: "refused"; by: ConsentEvent; error: ConsentWithdrawnByUserError }
  | { recipient: string; status: "invalid"; error: ValidationError };

/** How a grant's time is known: `now` (recorded live), `dated` (an explicit `at`), `undated` (an import without `at`). */
type GrantTime = "now" | "dated" | "undated";

type GrantDecision =
  | { kind: "record" }
  | { kind: "unchanged"; event: ConsentEvent }
  | { kind: "superseded"; by: ConsentEvent; error: ConsentSupersededError }
  | { kind: "refused"; by: ConsentEvent; error: ConsentWithdrawnByUserError };

/** Sources only the user's own actions produce: Meta's reports and the user's keywords. */
const USER_SOURCES = ["meta:", "keyword:"] as const;
const isUserSource = (source: string) => USER_SOURCES.some((p) => source.startsWith(p));

/** How far this server's clock and Meta's may disagree (see `#notBeforeNearbyGrant`). */
const CLOCK_SKEW_MS = 5 * 60_000;

export interface InboundSignal {
  /** The user (phone number or wa_id). */
  from: string;
  /** Text of a text message. */
  text?: string;
  /** Payload of a tapped quick-reply button. */
  buttonPayload?: string;
  /** When it arrived (ms); defaults to the clock's now. */
  at?: number;
  /**
   * Meta's id of the message (`wamid.…`). Recorded as the consent event's `proof`, and the same
   * message applied twice (a redelivery, a replay) is recorded once.
   */
  messageId?: string;
  /**
   * Whether it opens this phone number's 24-hour window (default true). False for a message to
   * another of the business's numbers: the opt-out still counts, the window is that number's.
   */
  opensWindow?: boolean;
}

/** `wa.consent`: the consent ledger and the one place opt-outs from every source land. */
export class Consent {
  readonly #optOut: Set<string>;
  readonly #optIn: Set<string>;
  readonly #payloads: Set<string>;
  readonly #buttonTexts: Set<string>;

  constructor(
    private readonly store: ConsentStore,
    private readonly windows: SessionWindowStore,
    private readonly clock: Clock,
    options: ConsentOptions = {},
    private readonly identity: IdentityStore = new MemoryIdentityStore(),
  ) {
    this.#optOut = new Set((options.optOutKeywords ?? DEFAULT_OPT_OUT_KEYWORDS).map(normalizeKeyword));
    this.#optIn = new Set((options.optInKeywords ?? DEFAULT_OPT_IN_KEYWORDS).map(normalizeKeyword));
    this.#payloads = new Set((options.unsubscribePayloads ?? []).map(normalizeKeyword).filter(Boolean));
    this.#buttonTexts = new Set(
      (options.unsubscribeButtonTexts ?? DEFAULT_UNSUBSCRIBE_BUTTON_TEXTS)
        .map(normalizeKeyword)
        .filter(Boolean),
    );
  }

  /**
   * Record an opt-in for a scope, with where it came from and any proof. Throws, recording
   * nothing:
   * - `ConsentWithdrawnByUserError` for `marketing` (or `all`) while Meta's marketing stop is in
   *   force: only the user lifts it (Meta's resume, or an opt-in keyword);
   * - `ConsentSupersededError` when `at` is given and a withdrawal of the scope (or of `all`) at or
   *   after it is on file: a grant from before a withdrawal never lifts it;
   * - `ValidationError` for bad input, an `at` in the future, or a source reserved for the user's
   *   own actions (`meta:…`, `keyword:…`).
   */
  async grant(
    recipient: string,
    details: { scope: ConsentScope; source: string; proof?: string; at?: number },
  ): Promise<ConsentEvent> {
    const source = details?.source;
    if (typeof source === "string" && isUserSource(source)) {
      throw new ValidationError(
        `source ${JSON.stringify(source)} is reserved: "meta:…" is what Meta reports (wa.consent.resume()) and ` +
          `"keyword:…" what the user sends (wa.consent.processInbound()); name where your opt-in came from`,
      );
    }
    const event = this.#event(recipient, "grant", details);
    this.#notInFuture(event);
    const history = await this.#history(event.key);
    const decision = decideGrant(recipient, history, event, details.at === undefined ? "now" : "dated");
    switch (decision.kind) {
      case "unchanged":
        return decision.event;
      case "superseded":
      case "refused":
        throw decision.error;
      default:
        await this.store.append(event);
        return event;
    }
  }

  /** Record a withdrawal. Scope `all` withdraws every scope (like STOP). Always recorded. */
  async revoke(
    recipient: string,
    details: { scope?: ConsentScope; source: string; proof?: string; at?: number },
  ): Promise<ConsentEvent> {
    return this.#append(recipient, "revoke", { scope: "all", ...details });
  }

  /**
   * Record Meta's report that the user resumed (`user_preferences` resume; `source` must start
   * with `meta:`). It lifts Meta's stops of the scope that happened before it — only the user can
   * — and restores consent given before them; it never grants by itself. `granted` says whether
   * the scope is granted now. A resume older than the stop (a late delivery) is recorded but lifts
   * nothing.
   */
  async resume(
    recipient: string,
    details: { scope: ConsentScope; source: string; at?: number },
  ): Promise<{ granted: boolean; event?: ConsentEvent }> {
    if (typeof details?.source !== "string" || !details.source.startsWith("meta:")) {
      throw new ValidationError(
        `resume records what Meta reported, so its source must start with "meta:" (e.g. "meta:user_preferences"), ` +
          `got ${JSON.stringify(details?.source)}; record the business's own opt-in with wa.consent.grant()`,
      );
    }
    const event = this.#event(recipient, "grant", details);
    const history = await this.#history(event.key);
    const same = history.find((e) => sameEvent(e, event));
    if (!same) await this.store.append(event);
    const after = same ? history : [...history, event];
    return { granted: consentStatus(after, details.scope).granted, event: same ?? event };
  }

  /**
   * Record many grants or withdrawals at once (a CRM export, a migration). Each record is
   * checked on its own: exactly one result per input, in order; a bad record never stops the
   * others. Revokes are always recorded. A grant from a business source follows the rules of
   * `grant()` — never lifting Meta's stop (`refused`) or a newer withdrawal (`superseded`) — and an
   * undated one cannot lift any withdrawal. Records from the user's own sources (`meta:…`,
   * `keyword:…`, a migrated ledger) are kept as they are and ordered by their `at`, which a grant
   * from them must have. An event already on file is not added twice (`unchanged`).
   */
  async import(records: readonly ConsentImportRecord[]): Promise<ConsentImportResult[]> {
    if (!Array.isArray(records)) throw new ValidationError("consent.import needs an array of records");
    const results: ConsentImportResult[] = [];
    for (const record of records) {
      const recipient = typeof record?.recipient === "string" ? record.recipient : String(record?.recipient);
      try {
        if (typeof record !== "object" || record === null)
          throw new ValidationError("each record must be an object");
        if (record.action !== undefined && record.action !== "grant" && record.action !== "revoke") {
          throw new ValidationError('action must be "grant" or "revoke"');
        }
        const action = record.action ?? "grant";
        const event = this.#event(recipient, action, {
          scope: record.scope,
          source: record.source,
          ...(record.proof !== undefined && { proof: record.proof }),
          ...(record.at !== undefined && { at: record.at }),
        });
        if (action === "grant") {
          this.#notInFuture(event);
          // "Now" would make a migrated START or resume lift every withdrawal before it.
          if (isUserSource(event.source) && record.at === undefined)
            throw new ValidationError(
              `a grant from the user's own source (${JSON.stringify(event.source)}) needs its at: when it happened`,
              [
                {
                  path: ["at"],
                  message: "required for a grant from a meta: or keyword: source",
                  code: "invalid_type",
                },
              ],
            );
        }
        const history = await this.#history(event.key);
        // An imported user lift (a START, a resume) is history, never a lift: one as new as a
        // withdrawal on file would lift it, and only the user can — by sending it.
        const lifted =
          action === "grant" && isUserSource(event.source)
            ? history.find(
                (w) =>
                  w.action === "revoke" &&
                  (w.scope === "all" || w.scope === event.scope || event.scope === "all") &&
                  eventSecond(w) <= eventSecond(event),
              )
            : undefined;
        const decision: GrantDecision = lifted
          ? {
              kind: "refused",
              by: lifted,
              error: new ConsentWithdrawnByUserError({ recipient, scope: event.scope, withdrawal: lifted }),
            }
          : action === "revoke" || isUserSource(event.source)
            ? duplicate(history, event)
            : decideGrant(recipient, history, event, record.at === undefined ? "undated" : "dated");
        if (decision.kind === "record") {
          await this.store.append(event);
          results.push({ recipient, status: "recorded", event });
        } else if (decision.kind === "unchanged") {
          results.push({ recipient, status: "unchanged", event: decision.event });
        } else if (decision.kind === "superseded") {
          results.push({ recipient, status: "superseded", by: decision.by, error: decision.error });
        } else {
          results.push({ recipient, status: "refused", by: decision.by, error: decision.error });
        }
      } catch (error) {
        if (!isValidationError(error)) throw error;
        results.push({ recipient, status: "invalid", error });
      }
    }
    return results;
  }

  /** Whether the recipient currently consents to a scope, and which event decided it. */
  async status(recipient: string, scope: ConsentScope): Promise<ConsentStatus> {
    return consentStatus(await this.#history(requireRecipientKey(recipient)), scope, this.clock.now());
  }

  /**
   * Every consent event of the person, in time order: under this identifier and every other one
   * Meta linked to it (phone number, BSUIDs; each event's `key` says which).
   */
  history(recipient: string): Promise<ConsentEvent[]> {
    return this.#history(requireRecipientKey(recipient));
  }

  /** The person's ledger across their identifiers. */
  async #history(k: string): Promise<ConsentEvent[]> {
    return personHistory(this.store, await this.identity.aliases(k));
  }

  /**
   * Feed an inbound message: opens the 24-hour window, and records an opt-out (STOP, PARAR, a
   * configured unsubscribe button, …) or a re-subscribe (START, UNSTOP, …). Returns what it
   * recorded. A re-subscribe older than a withdrawal already on record (a late delivery) is not
   * recorded.
   */
  async processInbound(signal: InboundSignal): Promise<"opt-out" | "opt-in" | undefined> {
    checkSignal(signal);
    // A message from the future is taken as arriving now: dated later, a START would outrank the
    // STOP the user sends next.
    const now = this.clock.now();
    const at = signal.at === undefined || signal.at <= now ? signal.at : now;
    return (await this.recordInbound({ ...signal, ...(at !== undefined && { at }) }))?.signal;
  }

  /**
   * @internal `processInbound` returning the consent event it recorded too, for the webhook
   * handler's `optOut` / `optIn` events.
   */
  async recordInbound(
    signal: InboundSignal,
    /** `optIn: false`: a message that cannot be ordered against a STOP (its opt-in lifts nothing). */
    options: { optIn?: boolean } = {},
  ): Promise<{ signal: "opt-out" | "opt-in"; event: ConsentEvent } | undefined> {
    checkSignal(signal);
    // `at` is Meta's time, which may run ahead of this clock. A withdrawal keeps it (later is the
    // strict side); a window and a grant are never dated after now (a window must not outlast 24
    // hours from now; a START dated later would outrank a revoke recorded here after it).
    const now = this.clock.now();
    const at = signal.at ?? now;
    const notAfterNow = Math.min(at, now);
    const k = requireRecipientKey(signal.from);
    if (signal.opensWindow !== false) await this.windows.recordInbound(k, notAfterNow);
    // A tap on an unsubscribe button: by its payload, or by its text (Meta's "Stop promotions").
    const tapped =
      signal.buttonPayload === undefined
        ? undefined
        : this.#payloads.has(normalizeKeyword(signal.buttonPayload)) ||
            this.#buttonTexts.has(normalizeKeyword(signal.buttonPayload))
          ? signal.buttonPayload
          : signal.text !== undefined && this.#buttonTexts.has(normalizeKeyword(signal.text))
            ? signal.text
            : undefined;
    if (tapped !== undefined) {
      const event = await this.#appendInbound(signal, "revoke", {
        scope: "marketing",
        source: `button:${tapped}`,
        at,
      });
      return { signal: "opt-out", event };
    }
    if (signal.text === undefined) return undefined;
    const word = normalizeKeyword(signal.text);
    if (this.#optOut.has(word)) {
      const event = await this.#appendInbound(signal, "revoke", {
        scope: "all",
        source: `keyword:${word}`,
        at,
      });
      return { signal: "opt-out", event };
    }
    if (this.#optIn.has(word) && options.optIn !== false) {
      // A START that arrives after a newer withdrawal (a late or out-of-order delivery) must not
      // undo it.
      const history = await this.#history(k);
      if (history.some((e) => e.action === "revoke" && e.at > notAfterNow)) return undefined;
      const event = await this.#appendInbound(signal, "grant", {
        scope: "all",
        source: `keyword:${word}`,
        at: notAfterNow,
      });
      return { signal: "opt-in", event };
    }
    return undefined;
  }

  /**
   * What a message said: with Meta's message id it is the event's proof, and the same message is
   * recorded once. Without one, two messages of one second cannot be told apart (a second STOP
   * after a grant of that second must count), so it is always recorded.
   */
  async #appendInbound(
    signal: InboundSignal,
    action: ConsentEvent["action"],
    details: { scope: ConsentScope; source: string; at: number },
  ): Promise<ConsentEvent> {
    if (action === "revoke")
      details = { ...details, at: await this.#notBeforeNearbyGrant(signal.from, details.at) };
    if (signal.messageId === undefined) return this.#append(signal.from, action, details);
    const event = this.#event(signal.from, action, { ...details, proof: signal.messageId });
    return appendOnce(this.store, { ...event, proof: event.proof ?? "" });
  }

  /**
   * A withdrawal's time against the business's grants: this server's clock and Meta's disagree by
   * seconds, sometimes minutes, so a STOP that Meta stamped shortly before a grant recorded here
   * (by this server's clock) may have come after it. Within `CLOCK_SKEW_MS`, the withdrawal is taken
   * as the later of the two (the strict side): it gets the grant's time, and comes after it.
   */
  async #notBeforeNearbyGrant(recipient: string, at: number): Promise<number> {
    let latest = at;
    for (const e of await this.#history(requireRecipientKey(recipient))) {
      if (e.action === "grant" && !isUserSource(e.source) && e.at > latest && e.at - at <= CLOCK_SKEW_MS)
        latest = e.at;
    }
    return latest;
  }

  async #append(
    recipient: string,
    action: ConsentEvent["action"],
    details: { scope: ConsentScope; source: string; proof?: string; at?: number },
  ): Promise<ConsentEvent> {
    const event = this.#event(recipient, action, details);
    await this.store.append(event);
    return event;
  }

  /** Check and build an event (nothing is stored). */
  #event(
    recipient: string,
    action: ConsentEvent["action"],
    details: { scope: ConsentScope; source: string; proof?: string; at?: number },
  ): ConsentEvent {
    if (typeof details?.source !== "string" || details.source.length === 0) {
      throw new ValidationError("consent events need a source (where the opt-in or opt-out came from)");
    }
    if (typeof details.scope !== "string" || details.scope.length === 0)
      throw new ValidationError("consent events need a scope");
    if (details.at !== undefined) checkAt(details.at);
    const event: ConsentEvent = {
      key: requireRecipientKey(recipient),
      action,
      scope: details.scope,
      source: storable(details.source),
      at: details.at ?? this.clock.now(),
    };
    if (details.proof !== undefined) event.proof = storable(details.proof);
    return event;
  }

  /** A grant happens when it is recorded or before: one dated later would outrank what comes first. */
  #notInFuture(event: ConsentEvent): void {
    const now = this.clock.now();
    if (event.at > now) {
      throw new ValidationError(
        `a grant cannot be dated in the future: at ${new Date(event.at).toISOString()} is after now ` +
          `(${new Date(now).toISOString()}); leave out at to record it now`,
        [{ path: ["at"], message: "a grant cannot be dated in the future", code: "too_big" }],
      );
    }
  }
}

/** A time in whole milliseconds since 1970 (the stores keep integers), or a `ValidationError`. */
function checkAt(at: unknown): void {
  // From 1970 to the last instant a Date holds: what every store keeps and reads back.
  if (typeof at === "number" && Number.isSafeInteger(at) && at >= 0 && at <= 8.64e15) return;
  throw new ValidationError(
    `at must be a time in milliseconds since 1970, whole (e.g. Date.now()), got ${typeof at === "number" ? String(at) : JSON.stringify(at)}`,
    [{ path: ["at"], message: "expected an integer number of milliseconds", code: "invalid_type" }],
  );
}

/** A value as an error message shows it (any type: a bigint or a symbol cannot be JSON). */
function shown(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null) return "null";
  if (typeof value === "object") return Array.isArray(value) ? "an array" : "an object";
  return `${typeof value} ${String(value)}`;
}

/** What `processInbound` takes, checked before anything is recorded (the window included). */
function checkSignal(signal: InboundSignal): void {
  if (typeof signal !== "object" || signal === null) {
    throw new ValidationError(
      `processInbound takes { from, text?, buttonPayload?, at?, messageId? }, got ${shown(signal)}`,
    );
  }
  for (const field of ["text", "buttonPayload", "messageId"] as const) {
    const value: unknown = signal[field];
    if (
      value !== undefined &&
      (typeof value !== "string" ||
        (field === "messageId" && (value.trim() === "" || storable(value) !== value)))
    ) {
      throw new ValidationError(
        `${field} must be ${field === "messageId" ? "Meta's id of the message (not blank, no NUL or lone surrogate)" : "a string"}, got ${shown(value)}`,
        [{ path: [field], message: "expected a string", code: "invalid_type" }],
      );
    }
  }
  if (signal.at !== undefined) checkAt(signal.at);
  if (signal.opensWindow !== undefined && typeof signal.opensWindow !== "boolean") {
    throw new ValidationError(`opensWindow must be true or false, got ${shown(signal.opensWindow)}`);
  }
}

/** `unchanged` when the event is already on file (at any time, for an undated grant). */
function duplicate(history: readonly ConsentEvent[], event: ConsentEvent, anyTime = false): GrantDecision {
  const same = history.find((e) => sameEvent(e, event, anyTime));
  return same ? { kind: "unchanged", event: same } : { kind: "record" };
}

/**
 * Whether a grant from a business source may be recorded. Meta's stop in force for its scope (any
 * scope, for `all`) refuses it — or supersedes it, when the grant is dated at or before the stop.
 * Otherwise a withdrawal deciding its scope supersedes it unless the grant is dated in a later
 * second (an undated import record never is; a live grant always is). A dated or undated grant
 * that passes is compared with what is on file (`unchanged`).
 */
function decideGrant(
  recipient: string,
  history: readonly ConsentEvent[],
  event: ConsentEvent,
  time: GrantTime,
): GrantDecision {
  const newer = (w: ConsentEvent) =>
    time === "now" || (time === "dated" && eventSecond(event) > eventSecond(w));
  const superseded = (by: ConsentEvent): GrantDecision => ({
    kind: "superseded",
    by,
    error: new ConsentSupersededError({
      recipient,
      scope: event.scope,
      withdrawal: by,
      ...(time !== "undated" && { at: event.at }),
    }),
  });
  const scopes =
    event.scope === "all" ? [...new Set(history.filter(isMetaStop).map((e) => e.scope))] : [event.scope];
  for (const scope of scopes) {
    const stop = consentStatus(history, scope).decidedBy;
    if (stop === undefined || !isMetaStop(stop)) continue;
    if (time === "dated" && !newer(stop)) return superseded(stop);
    return {
      kind: "refused",
      by: stop,
      error: new ConsentWithdrawnByUserError({ recipient, scope: event.scope, withdrawal: stop }),
    };
  }
  const current = consentStatus(history, event.scope);
  const withdrawal = current.decidedBy;
  if (!current.granted && withdrawal?.action === "revoke" && !newer(withdrawal))
    return superseded(withdrawal);
  // A live grant is a new decision even when it looks like an earlier one (a clock that stands
  // still), and lands after whatever was recorded in between. An undated record that got here has
  // no withdrawal deciding its scope, so the same grant on file at another time makes it a
  // re-import of an unchanged CRM row: nothing to add.
  return time === "now" ? { kind: "record" } : duplicate(history, event, time === "undated");
}
