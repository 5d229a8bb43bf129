import type { OutboundMessage } from "../api/schemas/outbound.js";
import type { MessageTemplate } from "../api/templates.js";
import type { PolicyViolationError } from "../errors/policy.js";
import type { Recipient } from "./recipient.js";

/** What a guard sees about one outbound message. */
export interface PolicyContext {
  readonly message: OutboundMessage;
  /** Parsed recipient; `undefined` only when the recipient guard is disabled and parsing failed. */
  readonly recipient: Recipient | undefined;
  /** Canonical key for state lookups (the recipient's key, or the raw `to`). */
  readonly key: string;
  /**
   * Every identifier known for the person: `key` first, then the phone number and BSUIDs Meta
   * linked to it (see `IdentityStore`). Read state under all of them: a STOP under a BSUID stops
   * sends to the phone number too.
   */
  readonly keys: readonly string[];
  readonly now: number;
  /** The template definition, for template messages, when it could be looked up. */
  readonly template: MessageTemplate | undefined;
  /** Template messages are business-initiated; everything else is a reply in a window. */
  readonly businessInitiated: boolean;
  /** The send's own signal, when it has one: a guard that waits or calls out should honour it. */
  readonly signal?: AbortSignal;
}

/**
 * A guard: a name and a check. Pure guards only read state; capacity guards (`consumes: true`)
 * run after every pure guard passed and, when `take` is true, consume what they grant and
 * register how to give it back.
 */
export interface Guard {
  readonly name: string;
  readonly consumes?: boolean;
  check(
    ctx: PolicyContext,
    take: boolean,
    undo: Array<() => Promise<void>>,
  ): Promise<PolicyViolationError | undefined> | PolicyViolationError | undefined;
  /**
   * Capacity guards: one try at taking capacity, without waiting. True (and the undo registered)
   * when granted. With a remote rate store the pipeline tries this alongside the pure checks, so
   * a decision costs one round trip; a refusal or a busy limit gives it back.
   */
  attempt?(ctx: PolicyContext, undo: Array<() => Promise<void>>): Promise<boolean>;
}
