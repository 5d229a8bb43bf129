import type { OutboundMessage } from "../api/schemas/outbound.js";
import type { SendPolicy, SendTicket } from "../api/send-policy.js";
import type { MessageTemplate } from "../api/templates.js";
import {
  FrequencyLimitError,
  isPolicyViolation,
  MessagingLimitError,
  type PolicyViolationError,
  TemplateNotSendableError,
  withOthers,
} from "../errors/policy.js";
import { StoreUnavailableError } from "../errors/store.js";
import { TransportError } from "../errors/transport.js";
import { ConfigError } from "../errors/validation.js";
import type { Logger } from "../internal/logger.js";
import { describeError } from "../internal/logger.js";
import { maskPhone } from "../internal/redact.js";
import type { TypedEmitter } from "../internal/typed-emitter.js";
import type { HealthLevels } from "../state/account-health.js";
import type { Clock } from "../state/clock.js";
import type { PolicyStores, StoreRegistry } from "../state/registry.js";
import type { ReserveRefusal, SendCaps, SendHistoryStore, SendRecord } from "../state/send-history.js";
import { latest, windowOpen } from "../state/session-windows.js";
import { DEFAULT_OPT_OUT_KEYWORDS, DEFAULT_UNSUBSCRIBE_BUTTON_TEXTS, normalizeKeyword } from "./consent.js";
import type { PolicyEvents } from "./events.js";
import { builtInGuards, type GuardConfig } from "./guards.js";
import type { PolicyState } from "./learn.js";
import {
  accountHealthGuard,
  type FrequencyOptions,
  fingerprint,
  frequencyGuard,
  isMarketingContext,
  messagingLimitGuard,
  tierFromMeta,
} from "./limits.js";
import { type PolicyOptions, resolvePolicyOptions } from "./options.js";
import { acrossPerson, personKnown, resolvePerson } from "./person.js";
import { parseRecipient, type Recipient } from "./recipient.js";
import type { TemplateCache } from "./template-cache.js";
import type { Guard, PolicyContext } from "./types.js";
import { resolveWarmUp, WarmUpState, type WarmUpStep } from "./warm-up.js";

// Declared with their defaults and validation (`policy/options.ts`), with the store registry
// (`state/registry.ts`), and with what a send needs from the policy (`api/send-policy.ts`).
export type { PolicyOptions, PolicyStores, SendTicket };

/** A handler that marks a rejection observed (it is read later, in order); one function for all. */
const ignore = (): undefined => undefined;

/**
 * Start every guard's check at once — their store reads go out together (one round trip with a
 * pipelining Redis client) — and return every violation, most specific first (see
 * `mostSpecificFirst`). A failure of a check (a store down) is thrown when no check refused.
 */
async function violationsOf(
  guards: readonly Guard[],
  ctx: PolicyContext,
  undo: Array<() => Promise<void>>,
): Promise<PolicyViolationError[]> {
  // Indexed loops: an iterator kept across an `await` is an object per loop, and its results too.
  const results: Array<PolicyViolationError | undefined | Promise<PolicyViolationError | undefined>> = [];
  let thrown: { error: unknown } | undefined;
  for (let i = 0; i < guards.length; i++) {
    try {
      const r = (guards[i] as Guard).check(ctx, true, undo);
      if (r instanceof Promise) r.catch(ignore); // observed below, in order
      results.push(r);
    } catch (error) {
      thrown ??= { error };
      break;
    }
  }
  const violations: PolicyViolationError[] = [];
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    if (r === undefined) continue; // answered at once: nothing to wait for
    try {
      const v = r instanceof Promise ? await r : r;
      if (v) violations.push(v);
    } catch (error) {
      thrown ??= { error };
    }
  }
  // A refusal is an answer: it stands even when another check could not decide.
  if (violations.length > 0) return mostSpecificFirst(violations);
  if (thrown) throw thrown.error;
  return violations;
}

/** The violation to throw (the most specific), carrying every other one in `violations`. */
async function firstViolation(
  guards: readonly Guard[],
  ctx: PolicyContext,
  undo: Array<() => Promise<void>>,
): Promise<PolicyViolationError | undefined> {
  return withOthers(await violationsOf(guards, ctx, undo));
}

/**
 * Which refusal a caller hears first when several guards refuse one send: what is wrong with the
 * call itself (the recipient, the template, the content) before the state of the recipient
 * (blocked, consent, window, restriction, caps). Fixing the call is the first step, and a
 * consent refusal for a template that does not exist would advise the wrong fix (its category,
 * unknown, is taken as marketing). Custom and capacity guards keep their pipeline order, after.
 */
const PRECEDENCE: readonly string[] = [
  "recipient",
  "template",
  "content",
  "blocklist",
  "account-health",
  "consent",
  "session-window",
  "frequency",
  "messaging-limit",
];

function mostSpecificFirst(violations: PolicyViolationError[]): PolicyViolationError[] {
  const rank = (v: PolicyViolationError) => {
    const i = PRECEDENCE.indexOf(v.rule);
    return i < 0 ? PRECEDENCE.length : i;
  };
  return violations
    .map((v, i) => ({ v, i }))
    .sort((a, b) => rank(a.v) - rank(b.v) || a.i - b.i)
    .map(({ v }) => v);
}

/**
 * Runs async sections one at a time (a promise chain). A section holds the lock until it settles
 * or, if it hangs, until `boundMs` after it started — the holder's own bound: by then its send
 * has been abandoned (see `Policy.enforce`), and whatever it records later is released.
 */
class Lock {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(section: () => Promise<T>, boundMs: number): Promise<T> {
    let free!: () => void;
    const held = new Promise<void>((resolve) => {
      free = resolve;
    });
    const enter = () => {
      const watch = watchdog(boundMs, free);
      const result = section();
      const leave = () => {
        watch.cancel();
        free();
      };
      result.then(leave, leave);
      return result;
    };
    const result = this.#tail.then(enter, enter);
    this.#tail = held;
    return result;
  }
}

/**
 * One watchdog: `fire()` runs once `ms` of real time (`monotonicMs()`) have passed since
 * `arm(ms)`, unless `cancel()` came first. Armed watches are linked into one list (in and out in
 * constant time, nothing else allocated), which the sweep walks.
 */
class Watch {
  prev: Watch | undefined = undefined;
  next: Watch | undefined = undefined;
  live = false;
  at = 0;
  constructor(readonly onFire?: () => void) {}
  fire(): void {
    this.onFire?.();
  }
  arm(ms: number): void {
    this.at = monotonicMs() + ms;
    this.live = true;
    this.prev = last;
    if (last) last.next = this;
    else first = this;
    last = this;
    watching++;
    if (sweeper === undefined) {
      sweeper = setInterval(sweep, SWEEP_MS);
      (sweeper as { unref?: () => void }).unref?.();
    }
  }
  cancel(): void {
    if (!this.live) return;
    this.live = false;
    if (this.prev) this.prev.next = this.next;
    else first = this.next;
    if (this.next) this.next.prev = this.prev;
    else last = this.prev;
    this.prev = undefined;
    this.next = undefined;
    watching--;
  }
}

/**
 * Call `fire` after `ms` of real time unless cancelled. A watchdog against a promise that never
 * settles is about real time (a hung socket, a stuck guard), not the injected clock — which a
 * test may never move, or move in jumps. One coarse sweep (every 250 ms, only while something is
 * watched, never keeping the process alive) serves every watchdog: a send pays a link into a
 * list and out of it, not a timer of its own.
 */
function watchdog(ms: number, fire: () => void): Watch {
  const watch = new Watch(fire);
  watch.arm(ms);
  return watch;
}

const SWEEP_MS = 250;
let first: Watch | undefined;
let last: Watch | undefined;
let watching = 0;
let sweeper: ReturnType<typeof setInterval> | undefined;

/**
 * Milliseconds of a monotonic clock. `process.uptime()`, not `performance.now()`: the first read
 * of the global `performance` loads `perf_hooks` (~1 ms of a fresh process's first send).
 */
const monotonicMs = (): number => process.uptime() * 1000;

function sweep(): void {
  const t = monotonicMs();
  // In the order they were set, as before. A `fire` may cancel other watches (the next one too):
  // then the walk starts again from the first, which holds only watches not yet due or not seen.
  let watch = first;
  while (watch !== undefined) {
    const next = watch.next;
    if (watch.at > t) {
      watch = next;
      continue;
    }
    watch.cancel();
    watch.fire();
    watch = next === undefined || next.live ? next : first;
  }
  if (watching === 0 && sweeper !== undefined) {
    clearInterval(sweeper);
    sweeper = undefined;
  }
}

/**
 * One `enforce` call waiting for its checks: it settles with them, or gives up first — the
 * caller aborted, or the checks outlived the bound (its own watch) — and then nothing is sent and
 * what the checks take or record when they finish is given back at once. One object per send,
 * not a closure per step.
 */
class PendingEnforce extends Watch {
  #done = false;
  #onAbort: (() => void) | undefined = undefined;

  private constructor(
    readonly work: Promise<SendTicket>,
    readonly resolve: (ticket: SendTicket) => void,
    readonly reject: (error: unknown) => void,
    readonly signal: AbortSignal | undefined,
    readonly timeoutMs: number,
  ) {
    super();
  }

  static start(
    work: Promise<SendTicket>,
    resolve: (ticket: SendTicket) => void,
    reject: (error: unknown) => void,
    signal: AbortSignal | undefined,
    timeoutMs: number,
  ): void {
    const pending = new PendingEnforce(work, resolve, reject, signal, timeoutMs);
    if (signal?.aborted) {
      pending.handleEvent();
      return;
    }
    if (signal) {
      // A function, not this object: any AbortSignal-like the caller passes can call it.
      pending.#onAbort = () => pending.handleEvent();
      signal.addEventListener("abort", pending.#onAbort, { once: true });
    }
    pending.arm(timeoutMs);
    work.then(
      (ticket) => {
        if (pending.#done) return;
        pending.#finish();
        resolve(ticket);
      },
      (error: unknown) => {
        if (pending.#done) return;
        pending.#finish();
        reject(error);
      },
    );
  }

  /** The checks outlived the bound. */
  override fire(): void {
    this.#abandon(
      new StoreUnavailableError(
        "policy",
        "enforce",
        `the policy checks did not settle within ${this.timeoutMs} ms (a store or a custom guard hangs)`,
      ),
      false,
    );
  }

  /** The caller's signal aborted. */
  handleEvent(): void {
    this.#abandon(
      new TransportError("the send was aborted before it was sent (during the policy checks)", {
        outcome: "not_sent",
        reason: "aborted",
        cause: this.signal?.reason,
      }),
      true,
    );
  }

  #finish(): void {
    this.#done = true;
    this.cancel();
    if (this.#onAbort) this.signal?.removeEventListener("abort", this.#onAbort);
  }

  #abandon(error: unknown, settleFirst: boolean): void {
    if (this.#done) return;
    this.#finish();
    // A store failing now must neither leave capacity taken nor keep the caller waiting.
    const cleaned = this.work
      .then(
        (ticket) =>
          ticket
            .release()
            .catch(() => undefined)
            .then(() => ticket.returnCapacity()),
        () => undefined,
      )
      .catch(() => undefined);
    if (!settleFirst) {
      this.reject(error);
      return;
    }
    // An abort ends every wait of the checks at once: let them give back what they took
    // (briefly), so a retry made right after does not meet this send's reservation.
    let lapse: Watch | undefined;
    const lapsed = new Promise<void>((r) => {
      lapse = watchdog(1_000, r);
    });
    Promise.race([cleaned, lapsed]).then(() => {
      lapse?.cancel();
      this.reject(error);
    });
  }
}

/** Give back what a send took, last first; a store failing now must not hide why it stopped. */
async function unwind(undo: Array<() => Promise<void>>): Promise<void> {
  undo.reverse();
  for (let i = 0; i < undo.length; i++) await (undo[i] as () => Promise<void>)().catch(ignore);
}

/** What `enforce` hands back: the send recorded (if any) and the capacity it took. */
class Ticket implements SendTicket {
  constructor(
    readonly history: SendHistoryStore,
    readonly reserved: SendRecord | undefined,
    readonly capacity: Array<() => Promise<void>>,
  ) {}
  async release(): Promise<void> {
    if (this.reserved) await this.history.release(this.reserved);
  }
  async returnCapacity(): Promise<void> {
    for (const u of this.capacity.splice(0).reverse()) await u().catch(() => undefined);
  }
}

/**
 * The check-then-record lock of a send history without an atomic `reserve`, kept with the store:
 * every client using the store (`withOptions()` copies, separate clients) queues on the same one.
 */
const historyLocks = new WeakMap<SendHistoryStore, Lock>();
function historyLock(store: SendHistoryStore): Lock {
  let lock = historyLocks.get(store);
  if (!lock) {
    lock = new Lock();
    historyLocks.set(store, lock);
  }
  return lock;
}

export interface PolicyVerdict {
  allowed: boolean;
  /**
   * Every violation, most specific first: the call's own problems (recipient, template, content)
   * before the recipient's state (block, consent, window, limits). A send throws the first.
   */
  violations: PolicyViolationError[];
}

export interface PolicyDeps {
  clock: Clock;
  emitter: TypedEmitter<PolicyEvents>;
  phoneNumberId: () => string;
  /** The phone number's `whatsapp_business_manager_messaging_limit`, for `tier: "auto"`. */
  readMessagingLimit: () => Promise<string | undefined>;
  /** Where warnings go (a marketing template without an opt-out, in `"warn"` mode). */
  logger?: Logger;
}

const HOUR = 60 * 60 * 1000;
const RESERVE_REASON = {
  identical: "the same message already went to this user recently",
  day: "this user reached the marketing messages allowed in 24 hours",
  week: "this user reached the marketing messages allowed in 7 days",
  limit: "the messaging limit's unique users for 24 hours are reached",
  full: "the send history cannot hold another recipient (every one was sent to in the last 7 days; use a shared store or raise its max)",
} as const;
/**
 * Capacity tried alongside the reads is kept only if the checks answered within this long;
 * otherwise the unit would be counted well before the send goes out, and it is taken afresh.
 */
const SPECULATION_MAX_MS = 50;
/**
 * A send whose checks took longer than this (it waited for throughput or pair-rate capacity)
 * has its state guards run again before it goes: what arrived meanwhile counts.
 */
const RECHECK_AFTER_MS = 50;

/** The ordered guard pipeline in front of every send. */
export class Policy implements SendPolicy {
  /** The stores the guards read and write (the client's store registry). */
  readonly stores: StoreRegistry;
  /** The templates the template guard checks against. */
  readonly templates: TemplateCache;
  /** The stores, the template cache and what Meta's answers teach them (shared with the webhooks). */
  readonly #state: PolicyState;
  /** The number's restrictions and its WABA's, read together by the account-health guard. */
  readonly health: HealthLevels;
  #warmUp: WarmUpState | undefined;
  #warmUpOff = false;
  readonly #guards: Guard[];
  /** Whether template sends need the definition looked up, and whether failing to do so refuses. */
  readonly #templateLookup: { wanted: boolean; failClosed: boolean };
  readonly #deps: PolicyDeps;
  readonly #timeoutMs: number;
  /** What a shared send history re-checks atomically when it records (see `SendHistoryStore.reserve`). */
  #caps: {
    frequency: Required<FrequencyOptions> | undefined;
    limit: (() => Promise<number>) | undefined;
  } = { frequency: undefined, limit: undefined };
  readonly #throughput: GuardConfig["throughput"] | undefined;
  /** The built-in pure guards: they only read state, so they run together (one batch of reads). */
  #builtInPure: Guard[] = [];
  /** Custom guards, in order (they run one at a time, after the built-in pure guards). */
  #custom: Guard[] = [];
  /** The capacity guards, in order. */
  #capacity: Guard[] = [];
  /** The guards that read what webhooks and the business change, re-run after a wait. */
  #stateGuards: Guard[] = [];
  /** Try capacity alongside the reads (a remote rate store): one round trip per decision. */
  #speculative = false;

  constructor(deps: PolicyDeps, given: PolicyOptions, state: PolicyState) {
    const options = resolvePolicyOptions(given);
    this.#deps = deps;
    this.#timeoutMs = options.timeoutMs;
    this.#state = state;
    this.stores = state.stores;
    this.templates = state.templates;
    this.health = state.health;
    const normalised = (words: readonly string[]) => new Set(words.map(normalizeKeyword).filter(Boolean));
    const warmUp = options.warmUp === undefined ? undefined : resolveWarmUp(options.warmUp);
    if (typeof warmUp === "string") throw new ConfigError(warmUp);
    this.#warmUp = warmUp && new WarmUpState(warmUp, this.stores.rateLimits, deps.phoneNumberId);
    this.#warmUpOff = options.disable?.includes("warm-up") ?? false;
    const config: GuardConfig = {
      ...(this.#warmUp && { warmUp: this.#warmUp }),
      consent: { requireForReplies: options.consent.requireForReplies },
      template: {
        optOut: options.template.optOut,
        usMarketing: options.template.usMarketing,
        // The words the webhook listener takes as opt-outs: the guard and the listener agree.
        vocabulary: {
          keywords: normalised(options.consent.optOutKeywords ?? DEFAULT_OPT_OUT_KEYWORDS),
          payloads: normalised(options.consent.unsubscribePayloads ?? []),
          buttonTexts: normalised(options.consent.unsubscribeButtonTexts ?? DEFAULT_UNSUBSCRIBE_BUTTON_TEXTS),
        },
        warn: (message) => deps.logger?.warn(message),
      },
      sessionWindow: { safetyMarginMs: options.sessionWindow.safetyMarginMs },
      content: options.content ?? {},
      throughput: options.throughput,
      pairRate: options.pairRate,
    };
    const builtIn = builtInGuards(
      {
        clock: deps.clock,
        consent: this.stores.consent,
        windows: this.stores.sessionWindows,
        blocks: this.stores.blockMirror,
        rates: this.stores.rateLimits,
        health: this.health,
        phoneNumberId: deps.phoneNumberId,
        templateHint: (name, language) => this.templates.hint(name, language),
        onWait: (rule, waitMs, recipient) => {
          if (deps.emitter.listenerCount("throttle.wait") > 0) {
            deps.emitter.emit("throttle.wait", { rule, waitMs, recipient: maskPhone(recipient) });
          }
        },
      },
      config,
    );
    const tier = options.messagingLimit.tier;
    const frequency = options.frequency;
    const limit = () =>
      tier === "auto"
        ? this.#autoLimit()
        : Promise.resolve(tier === "unlimited" ? Number.POSITIVE_INFINITY : tier);
    const [recipient, ...rest] = builtIn;
    const pure = rest.filter((g) => !g.consumes);
    const capacity = rest.filter((g) => g.consumes);
    const ordered: Guard[] = [
      recipient as Guard,
      accountHealthGuard(this.health),
      ...pure,
      frequencyGuard(this.stores.sendHistory, frequency, this.stores.rateLimits),
      messagingLimitGuard(this.stores.sendHistory, this.stores.sessionWindows, limit),
      ...capacity,
    ];
    const disabled = new Set<string>(options.disable ?? []);
    const enabled = ordered.filter((g) => !disabled.has(g.name));
    this.#throughput = disabled.has("throughput") ? undefined : config.throughput;
    this.#caps = {
      frequency: disabled.has("frequency") ? undefined : frequency,
      limit: disabled.has("messaging-limit") ? undefined : limit,
    };
    const custom: Guard[] = (options.guards ?? []).map((g) => ({
      name: g.name,
      check: (ctx, take, undo) => g.check(ctx, take, undo),
    }));
    const firstCapacity = enabled.findIndex((g) => g.consumes);
    const cut = firstCapacity < 0 ? enabled.length : firstCapacity;
    this.#guards = [...enabled.slice(0, cut), ...custom, ...enabled.slice(cut)];
    this.#builtInPure = enabled.slice(0, cut);
    this.#custom = custom;
    this.#capacity = this.#guards.filter((g) => g.consumes);
    const stateful = new Set(["account-health", "blocklist", "consent", "session-window", "template"]);
    this.#stateGuards = this.#builtInPure.filter((g) => stateful.has(g.name));
    // Not with custom guards: they may take long (a CRM lookup), and a unit tried before them would
    // be counted long before the send goes out.
    this.#speculative =
      this.stores.rateLimits.remote === true &&
      custom.length === 0 &&
      this.#capacity.length > 0 &&
      this.#capacity.every((g) => typeof g.attempt === "function");
    const on = (name: string) => enabled.some((g) => g.name === name);
    const failClosed = on("template") || on("consent");
    this.#templateLookup = {
      failClosed,
      wanted: failClosed || on("frequency") || on("messaging-limit") || on("account-health"),
    };
  }

  /** The tier from Meta, read at most hourly; 250 (a new portfolio's tier) when unreadable. */
  async #autoLimit(): Promise<number> {
    const now = this.#deps.clock.now();
    const known = this.#state.messagingLimit;
    if (known && now - known.at < HOUR) return known.value;
    let value = 250;
    try {
      value = tierFromMeta(await this.#deps.readMessagingLimit());
      this.#state.messagingLimit = { value, at: now };
    } catch {
      this.#state.messagingLimit = { value, at: now - HOUR + 60_000 }; // try again in a minute
    }
    return value;
  }

  /** Unique users business-initiated messages may reach in 24 hours (Infinity: no limit or guard off). */
  messagingLimit(): Promise<number> {
    return this.#caps.limit?.() ?? Promise.resolve(Number.POSITIVE_INFINITY);
  }

  /**
   * Messages per second the throughput guard lets through now: `perSecond`, or its marketing
   * share while quality is YELLOW (for marketing messages). Infinity with the guard off.
   */
  async throughputNow(marketing: boolean): Promise<number> {
    const t = this.#throughput;
    if (!t) return Number.POSITIVE_INFINITY;
    if (!marketing) return t.perSecond;
    const active = await this.health.active(this.#deps.clock.now());
    return active.some((r) => r.scope === "marketing_slow")
      ? Math.max(1, Math.floor(t.perSecond * t.marketingShareWhenSlowed))
      : t.perSecond;
  }

  /**
   * The warm-up step in force now (`policy.warmUp`) and the business-initiated sends it still
   * allows in the rolling 24 hours; undefined when there is none or it is over.
   */
  async warmUpNow(): Promise<{ step: WarmUpStep; leftToday: number } | undefined> {
    if (!this.#warmUp || this.#warmUpOff) return undefined;
    const now = this.#deps.clock.now();
    const step = await this.#warmUp.step(now);
    if (!step) return undefined;
    const leftToday = Number.isFinite(step.perDay)
      ? step.perDay - (await this.#warmUp.sentToday(step.perDay, now))
      : Number.POSITIVE_INFINITY;
    return { step, leftToday };
  }

  /** The guards in the order they run. */
  describe(): Array<{ name: string; consumes: boolean }> {
    return this.#guards.map((g) => ({ name: g.name, consumes: g.consumes === true }));
  }

  /** Every violation this message would meet now; consumes nothing, sends nothing. */
  async check(message: OutboundMessage): Promise<PolicyVerdict> {
    const made = this.#context(message);
    const ctx = made instanceof Promise ? await made : made;
    const known = personKnown(ctx);
    if (known) await known;
    const violations: PolicyViolationError[] = [];
    const guards = this.#guards;
    for (let i = 0; i < guards.length; i++) {
      const result = (guards[i] as Guard).check(ctx, false, []);
      const v = result instanceof Promise ? await result : result;
      if (v) violations.push(v);
    }
    const sorted = mostSpecificFirst(violations);
    withOthers(sorted);
    return { allowed: sorted.length === 0, violations: sorted };
  }

  /**
   * Run the pipeline before a send: throws the most specific violation (the others in its
   * `violations`). Pure guards run first; for business-initiated messages they run one at a
   * time with the send recorded in the history in the same step, so concurrent sends cannot
   * both pass a per-user or per-tier cap.
   * Capacity is taken only when every pure guard passed, and given back if a later capacity
   * guard refuses. The returned ticket forgets the recorded send if it never went out.
   */
  enforce(message: OutboundMessage, options: { signal?: AbortSignal } = {}): Promise<SendTicket> {
    const { signal } = options;
    const work = this.#enforce(message, signal);
    const timeoutMs = this.#timeoutMs;
    return new Promise<SendTicket>((resolve, reject) => {
      PendingEnforce.start(work, resolve, reject, signal, timeoutMs);
    });
  }

  async #enforce(message: OutboundMessage, signal: AbortSignal | undefined): Promise<SendTicket> {
    const made = this.#context(message, signal);
    const ctx = made instanceof Promise ? await made : made;
    const undo: Array<() => Promise<void>> = [];
    // A reply with no custom guard (the common send) only runs the built-in checks; a template is
    // recorded in the history with them, and custom guards run after them (see `#startPure`).
    const plain = !ctx.businessInitiated && this.#custom.length === 0;
    const slot: { record: SendRecord | undefined } = { record: undefined };
    // The in-process lock makes check-then-record atomic for a memory history; a shared history
    // re-checks atomically in `reserve`, and a lock would only queue sends behind a slow store.
    const locked = ctx.businessInitiated && !this.stores.sendHistory.reserve;
    const pure = plain
      ? violationsOf(this.#builtInPure, ctx, undo)
      : this.#startPure(ctx, undo, slot, locked);
    // With a remote rate store, capacity is tried in the same round trip as the reads (and, for a
    // template, the history reservation) and given back if a check or the reservation refuses.
    // Not behind the in-process history lock: a unit must not be held while a send queues.
    const speculative = this.#speculative && !locked ? this.#tryCapacity(ctx) : undefined;
    let violation: PolicyViolationError | undefined;
    try {
      const found = await pure;
      violation = Array.isArray(found) ? (found.length > 0 ? withOthers(found) : undefined) : found;
    } catch (error) {
      // A check failed (a store down, a custom guard that threw): nothing it or an earlier
      // custom guard took stays taken.
      await speculative?.giveBack();
      await unwind(undo);
      throw error;
    }
    if (violation) {
      await speculative?.giveBack();
      await this.#refuse(undo, violation);
    }
    const history = this.stores.sendHistory;
    const reserved = slot.record;
    if (reserved) undo.push(() => history.release(reserved));
    let granted = false;
    const capacityFrom = undo.length;
    if (speculative) {
      const outcome = await speculative.settled;
      const prompt = this.#deps.clock.now() - ctx.now <= SPECULATION_MAX_MS;
      if (outcome.error === undefined && outcome.granted && prompt) {
        undo.push(...outcome.undo);
        granted = true;
      } else {
        await speculative.giveBack();
        if (outcome.error !== undefined) {
          await unwind(undo);
          throw outcome.error.value;
        }
      }
    }
    if (!granted) {
      const capacity = this.#capacity;
      for (let i = 0; i < capacity.length; i++) {
        let v: PolicyViolationError | undefined;
        try {
          const result = (capacity[i] as Guard).check(ctx, true, undo);
          v = result instanceof Promise ? await result : result;
        } catch (error) {
          await unwind(undo); // a store failed: nothing stays taken or recorded
          throw error;
        }
        if (v) await this.#refuse(undo, v);
      }
    }
    // A send that waited for capacity: a STOP, a block or a ban may have arrived meanwhile.
    // Read afresh, the template too: a pause may have arrived while it waited.
    if (this.#deps.clock.now() - ctx.now > RECHECK_AFTER_MS) {
      let v: PolicyViolationError | undefined;
      try {
        v = await firstViolation(this.#stateGuards, await this.#context(message, signal), []);
      } catch (error) {
        await unwind(undo);
        throw error;
      }
      if (v) await this.#refuse(undo, v);
    }
    if (this.#deps.emitter.listenerCount("policy.allowed") > 0) {
      this.#deps.emitter.emit("policy.allowed", { type: message.type, recipient: maskPhone(message.to) });
    }
    return new Ticket(history, reserved, undo.slice(capacityFrom));
  }

  /** Give back what was taken, then refuse: a store failing now must not hide why the send stopped. */
  async #refuse(undo: Array<() => Promise<void>>, v: PolicyViolationError): Promise<never> {
    await unwind(undo);
    this.#emitRefused(v);
    throw v;
  }

  /**
   * The pure checks of a template send or of a pipeline with custom guards, behind the history
   * lock when `locked`: the built-in guards, then the custom ones, then (a template) the send
   * recorded in the history, in `slot.record`, in the same step.
   */
  #startPure(
    ctx: PolicyContext,
    undo: Array<() => Promise<void>>,
    slot: { record: SendRecord | undefined },
    locked: boolean,
  ): Promise<PolicyViolationError | undefined> {
    const custom = this.#custom;
    // The window decides whether a template counts toward the messaging limit: read with the rest.
    const lastInbound = ctx.businessInitiated
      ? acrossPerson(ctx, (k) => this.stores.sessionWindows.lastInbound(k)).then(latest)
      : undefined;
    lastInbound?.catch(() => undefined); // observed below
    const runPure = async () => {
      const refused = await violationsOf(this.#builtInPure, ctx, undo);
      if (refused.length > 0) {
        // Refused already: the custom guards are asked too, as a dry run (take = false: nothing is
        // taken), so the error lists every refusal, as policy.check() does. One that cannot
        // decide adds nothing.
        if (custom.length > 0) await personKnown(ctx)?.catch(() => undefined);
        for (const guard of custom) {
          try {
            const result = guard.check(ctx, false, []);
            const v = result instanceof Promise ? await result : result;
            if (v) refused.push(v);
          } catch {
            // The refusal above stands.
          }
        }
        return withOthers(refused);
      }
      const known = custom.length > 0 ? personKnown(ctx) : undefined;
      if (known) await known; // custom guards see every identifier in ctx.keys
      for (const guard of custom) {
        const result = guard.check(ctx, true, undo);
        const v = result instanceof Promise ? await result : result;
        if (v) return v;
      }
      if (!ctx.businessInitiated) return undefined;
      // Given up already: record nothing (the caller has been told nothing was sent).
      if (ctx.signal?.aborted) throw ctx.signal.reason ?? new Error("aborted");
      const last = await lastInbound;
      const record: SendRecord = {
        key: ctx.key,
        at: ctx.now,
        marketing: isMarketingContext(ctx),
        fingerprint: fingerprint(ctx),
        reach: !windowOpen(last, ctx.now),
      };
      slot.record = record;
      if (ctx.keys.length > 1) record.aliases = ctx.keys.slice(1);
      const history = this.stores.sendHistory;
      if (!history.reserve) {
        await history.record(record);
        return undefined;
      }
      // A shared history: the caps are checked again in the same atomic step as the record, so
      // another instance deciding at the same moment cannot take the same last slot.
      const { frequency, limit } = this.#caps;
      const auth = ctx.template?.category?.toUpperCase() === "AUTHENTICATION";
      const caps: SendCaps = {};
      if (frequency && !auth) caps.identicalSince = ctx.now - frequency.identicalWithinMs;
      if (frequency && record.marketing) {
        caps.marketingPerDay = frequency.marketingPerDay;
        caps.marketingPerWeek = frequency.marketingPerWeek;
      }
      if (limit && record.reach) caps.reachLimit = await limit();
      let full: ReserveRefusal | undefined;
      try {
        full = await history.reserve(record, caps);
      } catch (error) {
        // A reservation that timed out may still land on the store later; a release sent after
        // it is applied after it, so the unsent message does not count.
        const lost = record;
        slot.record = undefined;
        await history.release(lost).catch(() => undefined);
        throw error;
      }
      if (full === undefined) return undefined;
      slot.record = undefined;
      const reason =
        full === "full"
          ? RESERVE_REASON.full
          : `${RESERVE_REASON[full]} (taken by another sender at the same moment)`;
      return full === "limit"
        ? new MessagingLimitError({ rule: "messaging-limit", recipient: ctx.message.to, reason })
        : new FrequencyLimitError({ rule: "frequency", recipient: ctx.message.to, reason });
    };
    return locked ? historyLock(this.stores.sendHistory).run(runPure, this.#timeoutMs) : runPure();
  }

  /**
   * Check again, consuming nothing, what may have changed since `enforce` let the message
   * through: the state guards (account health, block list, consent, window, template). Throws
   * the most specific violation. Called when a send waited (for capacity, or to retry).
   */
  async recheck(message: OutboundMessage): Promise<void> {
    const ctx = await this.#context(message);
    const v = await firstViolation(this.#stateGuards, ctx, []);
    if (v) {
      this.#emitRefused(v);
      throw v;
    }
  }

  /** Learn from Meta's answer to a send (see `PolicyState.learnFromError`). */
  learnFromError(message: OutboundMessage, error: unknown): Promise<void> {
    return this.#state.learnFromError(message, error);
  }

  /** Learn from a Graph error code about a send to `key` (see `PolicyState.learnFromCode`). */
  learnFromCode(code: number, key?: string, at?: number): Promise<"blocked" | "opted-out" | undefined> {
    return this.#state.learnFromCode(code, key, at);
  }

  /** Record that Meta named one person by these identifiers (see `PolicyState.link`). */
  link(ids: ReadonlyArray<string | undefined>, at: number, source: string): Promise<void> {
    return this.#state.link(ids, at, source);
  }

  /** Take the messaging limit Meta reported (`TIER_2K`, …) for `tier: "auto"`, without asking. */
  setMessagingLimit(metaValue: string): void {
    this.#state.setMessagingLimit(metaValue);
  }

  /**
   * One try at every capacity guard at once, without waiting. `settled` says whether all were
   * granted; `giveBack()` (idempotent) returns whatever was taken once every try has finished.
   */
  #tryCapacity(ctx: PolicyContext) {
    const undo: Array<() => Promise<void>> = [];
    const tries = this.#capacity.map((g) => (g.attempt as NonNullable<Guard["attempt"]>)(ctx, undo));
    const settled = Promise.allSettled(tries).then((results) => {
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      return {
        granted: results.every((r) => r.status === "fulfilled" && r.value),
        error: failed ? { value: failed.reason as unknown } : undefined,
        undo,
      };
    });
    let returned: Promise<void> | undefined;
    const giveBack = () => {
      returned ??= settled.then(async () => {
        for (const u of undo.reverse()) await u().catch(() => undefined);
      });
      return returned;
    };
    return { settled, giveBack };
  }

  #emitRefused(error: PolicyViolationError) {
    if (this.#deps.emitter.listenerCount("policy.refused") > 0)
      this.#deps.emitter.emit("policy.refused", { error });
  }

  /** The context the guards see; a promise only for a template send that looks its template up. */
  #context(message: OutboundMessage, signal?: AbortSignal): PolicyContext | Promise<PolicyContext> {
    if (message.type === "template" && this.#templateLookup.wanted)
      return this.#templateContext(message, signal);
    return this.#makeContext(message, parseRecipient(message.to), undefined, signal);
  }

  async #templateContext(
    message: OutboundMessage & { type: "template" },
    signal: AbortSignal | undefined,
  ): Promise<PolicyContext> {
    const recipient = parseRecipient(message.to);
    let template: MessageTemplate | undefined;
    const { failClosed } = this.#templateLookup;
    try {
      template = await this.templates.get(message.name, message.language);
    } catch (error) {
      // The other guards only miss the category and treat it as unknown; the template and
      // consent guards cannot decide without it: fail closed.
      if (failClosed) {
        const why = isPolicyViolation(error)
          ? error.reason
          : error instanceof Error
            ? error.message
            : describeError(error);
        const refusal = new TemplateNotSendableError({
          rule: "template",
          recipient: message.to,
          reason: `could not load the templates to check "${message.name}": ${why}`,
        });
        this.#emitRefused(refusal);
        throw refusal;
      }
    }
    return this.#makeContext(message, recipient, template, signal);
  }

  #makeContext(
    message: OutboundMessage,
    recipient: Recipient | undefined,
    template: MessageTemplate | undefined,
    signal: AbortSignal | undefined,
  ): PolicyContext {
    const key = recipient?.key ?? message.to;
    const ctx: PolicyContext = {
      message,
      recipient,
      key,
      keys: [key],
      now: this.#deps.clock.now(),
      template,
      businessInitiated: message.type === "template",
      ...(signal && { signal }),
    };
    // The person's other identifiers are looked up while the guards read under `key` (a store
    // that fails fails the guards that need them: closed).
    if (recipient) resolvePerson(ctx, this.stores.identity);
    return ctx;
  }
}
