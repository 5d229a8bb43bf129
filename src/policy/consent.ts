import { isValidationError, ValidationError } from "../errors/validation.js";
import type { Clock } from "../state/clock.js";
import {
  type ConsentEvent,
  type ConsentScope,
  type ConsentStatus,
  type ConsentStore,
  consentStatus,
} from "../state/consent.js";
import { type SessionWindowStore, windowClosesAt, windowOpen } from "../state/session-windows.js";
import { parseRecipient } from "./recipient.js";

/** Opt-out words, compared after removing case, accents, punctuation and extra spaces. */
export const DEFAULT_OPT_OUT_KEYWORDS: readonly string[] = [
  "STOP",
  "STOPALL",
  "UNSUBSCRIBE",
  "CANCEL",
  "END",
  "QUIT",
  "REVOKE",
  "OPTOUT",
  "OPT OUT",
  "PARAR",
  "SAIR",
  "CANCELAR",
  "BAJA",
  "DETENER",
  "ARRET",
  "ARRETER",
  "STOPPEN",
  "ABMELDEN",
  "ANNULLA",
  "DISISCRIVI",
];
/** Re-subscribe words. */
export const DEFAULT_OPT_IN_KEYWORDS: readonly string[] = [
  "START",
  "UNSTOP",
  "RESUME",
  "SUBSCRIBE",
  "ALTA",
  "REANUDAR",
  "VOLTAR",
];

export interface ConsentOptions {
  /** Replaces the default opt-out words. */
  optOutKeywords?: string[];
  /** Replaces the default re-subscribe words. */
  optInKeywords?: string[];
  /** Quick-reply payloads that mean "unsubscribe" (e.g. a template's "Stop promotions" button). */
  unsubscribePayloads?: string[];
}

/** Upper-case, accents and punctuation removed, spaces collapsed: "¡Párar!" → "PARAR". */
export function normalizeKeyword(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toUpperCase()
    .replace(/[^\p{L}\p{N}\s]/gu, "")
    .replace(/\s+/g, " ")
    .trim();
}

export interface ConsentImportRecord {
  recipient: string;
  scope: ConsentScope;
  source: string;
  proof?: string;
  /** When the consent was given or withdrawn (ms); defaults to now. */
  at?: number;
  /** @default "grant" */
  action?: "grant" | "revoke";
}

export type ConsentImportResult =
  | { recipient: string; status: "recorded"; event: ConsentEvent }
  | { recipient: string; status: "invalid"; error: ValidationError };

export interface InboundSignal {
  /** The user (phone number or wa_id). */
  from: string;
  /** Text of a text message. */
  text?: string;
  /** Payload of a tapped quick-reply button. */
  buttonPayload?: string;
  /** When it arrived (ms); defaults to the clock's now. */
  at?: number;
}

/** `wa.consent`: the consent ledger and the one place opt-outs from every source land. */
export class Consent {
  readonly #optOut: Set<string>;
  readonly #optIn: Set<string>;
  readonly #payloads: Set<string>;

  constructor(
    private readonly store: ConsentStore,
    private readonly windows: SessionWindowStore,
    private readonly clock: Clock,
    options: ConsentOptions = {},
  ) {
    this.#optOut = new Set((options.optOutKeywords ?? DEFAULT_OPT_OUT_KEYWORDS).map(normalizeKeyword));
    this.#optIn = new Set((options.optInKeywords ?? DEFAULT_OPT_IN_KEYWORDS).map(normalizeKeyword));
    this.#payloads = new Set(options.unsubscribePayloads ?? []);
  }

  /** Record an opt-in for a scope, with where it came from and any proof. */
  async grant(
    recipient: string,
    details: { scope: ConsentScope; source: string; proof?: string; at?: number },
  ): Promise<ConsentEvent> {
    return this.#append(recipient, "grant", details);
  }

  /** Record a withdrawal. Scope `all` withdraws every scope (like STOP). */
  async revoke(
    recipient: string,
    details: { scope?: ConsentScope; source: string; proof?: string; at?: number },
  ): Promise<ConsentEvent> {
    return this.#append(recipient, "revoke", { scope: "all", ...details });
  }

  /**
   * Lift an automatic withdrawal (Meta's marketing stop, a 131050 failure) when the user
   * resumes. It restores consent that was given before the stop and never creates consent that
   * was not: with no earlier grant, nothing is recorded and `granted` is false.
   */
  async resume(
    recipient: string,
    details: { scope: ConsentScope; source: string; at?: number },
  ): Promise<{ granted: boolean; event?: ConsentEvent }> {
    const history = await this.store.history(key(recipient));
    const current = consentStatus(history, details.scope);
    if (current.granted) return { granted: true };
    const stop = current.decidedBy;
    if (stop?.action !== "revoke" || !stop.source.startsWith("meta:")) return { granted: false };
    // A resume older than the stop it would lift arrived out of order: the stop stands.
    if (stop.at > (details.at ?? this.clock.now())) return { granted: false };
    const before = consentStatus(history.slice(0, history.indexOf(stop)), details.scope);
    if (!before.granted) return { granted: false };
    return { granted: true, event: await this.#append(recipient, "grant", details) };
  }

  /**
   * Record many grants or withdrawals at once (a CRM export, a migration). Each record is
   * checked on its own: exactly one result per input, in order; a bad record never stops the
   * others.
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
        const details = {
          scope: record.scope,
          source: record.source,
          ...(record.proof !== undefined && { proof: record.proof }),
          ...(record.at !== undefined && { at: record.at }),
        };
        const event = await this.#append(recipient, record.action ?? "grant", details);
        results.push({ recipient, status: "recorded", event });
      } catch (error) {
        if (!isValidationError(error)) throw error;
        results.push({ recipient, status: "invalid", error });
      }
    }
    return results;
  }

  /** Whether the recipient currently consents to a scope, and which event decided it. */
  async status(recipient: string, scope: ConsentScope): Promise<ConsentStatus> {
    return consentStatus(await this.store.history(key(recipient)), scope);
  }

  /** Every consent event for the recipient, oldest first. */
  history(recipient: string): Promise<ConsentEvent[]> {
    return this.store.history(key(recipient));
  }

  /**
   * Feed an inbound message: opens the 24-hour window, and records an opt-out (STOP, PARAR, a
   * configured unsubscribe button, …) or a re-subscribe (START, UNSTOP, …). Returns what it
   * recorded. A re-subscribe older than a withdrawal already on record (a late delivery) is not
   * recorded.
   */
  async processInbound(signal: InboundSignal): Promise<"opt-out" | "opt-in" | undefined> {
    return (await this.recordInbound(signal))?.signal;
  }

  /**
   * @internal `processInbound` returning the consent event it recorded too, for the webhook
   * handler's `optOut` / `optIn` events.
   */
  async recordInbound(
    signal: InboundSignal,
  ): Promise<{ signal: "opt-out" | "opt-in"; event: ConsentEvent } | undefined> {
    const at = signal.at ?? this.clock.now();
    const k = key(signal.from);
    await this.windows.recordInbound(k, at);
    if (signal.buttonPayload !== undefined && this.#payloads.has(signal.buttonPayload)) {
      const event = await this.#append(signal.from, "revoke", {
        scope: "marketing",
        source: `button:${signal.buttonPayload}`,
        at,
      });
      return { signal: "opt-out", event };
    }
    if (signal.text === undefined) return undefined;
    const word = normalizeKeyword(signal.text);
    if (this.#optOut.has(word)) {
      const event = await this.#append(signal.from, "revoke", {
        scope: "all",
        source: `keyword:${word}`,
        at,
      });
      return { signal: "opt-out", event };
    }
    if (this.#optIn.has(word)) {
      // A START that arrives after a newer withdrawal (a late or out-of-order delivery) must not
      // undo it.
      const history = await this.store.history(k);
      if (history.some((e) => e.action === "revoke" && e.at > at)) return undefined;
      const event = await this.#append(signal.from, "grant", { scope: "all", source: `keyword:${word}`, at });
      return { signal: "opt-in", event };
    }
    return undefined;
  }

  async #append(
    recipient: string,
    action: ConsentEvent["action"],
    details: { scope: ConsentScope; source: string; proof?: string; at?: number },
  ): Promise<ConsentEvent> {
    if (typeof details?.source !== "string" || details.source.length === 0) {
      throw new ValidationError("consent events need a source (where the opt-in or opt-out came from)");
    }
    if (typeof details.scope !== "string" || details.scope.length === 0)
      throw new ValidationError("consent events need a scope");
    const event: ConsentEvent = {
      key: key(recipient),
      action,
      scope: details.scope,
      source: details.source,
      at: details.at ?? this.clock.now(),
    };
    if (details.proof !== undefined) event.proof = details.proof;
    await this.store.append(event);
    return event;
  }
}

function key(recipient: string): string {
  const parsed = parseRecipient(recipient);
  if (!parsed)
    throw new ValidationError(
      `Invalid recipient ${JSON.stringify(recipient)}: expected a phone number in international format or a BSUID`,
    );
  return parsed.key;
}

/** `wa.sessions`: the 24-hour customer service windows. */
export class Sessions {
  constructor(
    private readonly windows: SessionWindowStore,
    private readonly clock: Clock,
    private readonly safetyMarginMs: number,
  ) {}

  /** A user wrote (or called): open or refresh their window. Webhooks do this for you. */
  async recordInbound(from: string, at?: number): Promise<void> {
    await this.windows.recordInbound(key(from), at ?? this.clock.now());
  }

  /** Whether a free-form message may be sent now, and until when. */
  async status(recipient: string): Promise<{ open: boolean; lastInboundAt?: number; expiresAt?: number }> {
    const last = await this.windows.lastInbound(key(recipient));
    if (last === undefined) return { open: false };
    const expiresAt = windowClosesAt(last, this.safetyMarginMs) as number;
    return { open: windowOpen(last, this.clock.now(), this.safetyMarginMs), lastInboundAt: last, expiresAt };
  }
}
