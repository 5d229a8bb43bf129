import { maskPhone } from "../internal/redact.js";
import { ValidationError } from "./validation.js";

/** The withdrawal a refused grant ran into: what, where from, when (no recipient id). */
export interface ConsentWithdrawal {
  /** The scope withdrawn: `marketing`, `all`, … */
  scope: string;
  /** Where it came from: `meta:user_preferences`, `meta:131050`, `keyword:STOP`, … */
  source: string;
  /** When it happened (ms). */
  at: number;
}

interface ConsentConflictInit {
  /** The recipient as given (kept on the error; masked in its message and toJSON). */
  recipient: string;
  /** The scope of the grant that was not recorded. */
  scope: string;
  withdrawal: ConsentWithdrawal;
}

/** An ISO date for a message; never throws on an out-of-range time. */
function describeTime(at: number): string {
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? String(at) : date.toISOString();
}

/**
 * A business grant that would lift Meta's marketing stop: the user stopped marketing messages in
 * WhatsApp (a `user_preferences` stop, or a 131050 failure), and only the user can resume them —
 * in WhatsApp, which Meta reports as a `user_preferences` resume, or by sending an opt-in keyword
 * such as START. Nothing was recorded.
 */
export class ConsentWithdrawnByUserError extends ValidationError {
  override readonly code = "consent_withdrawn_by_user";
  /** The recipient as given, for your code; not enumerable, so printing shows it masked. */
  declare readonly recipient: string;
  /** The scope of the refused grant (`marketing` or `all`). */
  readonly scope: string;
  /** Meta's stop that is still in force. */
  readonly withdrawal: ConsentWithdrawal;

  constructor(init: ConsentConflictInit) {
    const { withdrawal: w } = init;
    const others = init.scope === "all" ? "; to record consent for other scopes, grant them by name" : "";
    const message =
      `Consent for ${init.scope} not recorded (recipient ${maskPhone(init.recipient)}): the user stopped ` +
      `${w.scope} messages in WhatsApp (Meta reported it on ${describeTime(w.at)}, source ${w.source}); ` +
      `only the user can resume them, in WhatsApp (Meta then sends a user_preferences resume) or by ` +
      `sending an opt-in keyword such as START${others}`;
    super(message, [{ path: ["scope"], message, code: "consent_withdrawn_by_user" }]);
    Object.defineProperty(this, "recipient", { value: init.recipient, enumerable: false });
    this.scope = init.scope;
    this.withdrawal = { scope: w.scope, source: w.source, at: w.at };
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), recipient: maskPhone(this.recipient) };
  }
}

/**
 * A grant dated at or before a withdrawal on file for its scope (or for `all`), or an imported
 * grant without a date while a withdrawal decides its scope: it would not lift the withdrawal, so
 * nothing was recorded. Events are ordered by the second they happened in.
 */
export class ConsentSupersededError extends ValidationError {
  override readonly code = "consent_superseded";
  /** The recipient as given, for your code; not enumerable, so printing shows it masked. */
  declare readonly recipient: string;
  /** The scope of the grant that was not recorded. */
  readonly scope: string;
  /** When the grant happened (ms); undefined for an undated import record. */
  readonly at?: number;
  /** The withdrawal that is newer (or that an undated record cannot be shown to be newer than). */
  readonly withdrawal: ConsentWithdrawal;

  constructor(init: ConsentConflictInit & { at?: number }) {
    const { withdrawal: w } = init;
    const on = `${w.source}, scope ${w.scope}, on ${describeTime(w.at)}`;
    const message =
      init.at === undefined
        ? `Consent for ${init.scope} not recorded (recipient ${maskPhone(init.recipient)}): the record has no ` +
          `date, and a withdrawal is on file (${on}); give the record its \`at\` so it can be shown to be newer`
        : `Consent for ${init.scope} dated ${describeTime(init.at)} not recorded (recipient ` +
          `${maskPhone(init.recipient)}): a withdrawal at or after it is on file (${on}); a grant lifts a ` +
          `withdrawal only when dated after it (in a later second)`;
    super(message, [{ path: ["at"], message, code: "consent_superseded" }]);
    Object.defineProperty(this, "recipient", { value: init.recipient, enumerable: false });
    this.scope = init.scope;
    if (init.at !== undefined) this.at = init.at;
    this.withdrawal = { scope: w.scope, source: w.source, at: w.at };
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), recipient: maskPhone(this.recipient) };
  }
}
