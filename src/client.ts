import { EventEmitter } from "eventemitter3";
import { BlockList } from "./api/block-users.js";
import { GraphHttp } from "./api/http.js";
import { requirePhoneNumberId } from "./api/ids.js";
import { Media } from "./api/media.js";
import { Messages, validateMessage } from "./api/messages.js";
import type { ResolvedConnection } from "./api/options.js";
import { UnknownOutcomes } from "./api/outcomes.js";
import { Account } from "./api/phone-numbers.js";
import { ResumableUploads } from "./api/resumable-upload.js";
import type { OutboundMessage } from "./api/schemas/outbound.js";
import { Templates } from "./api/templates.js";
import { Campaigns } from "./campaigns/campaigns.js";
import { describeError } from "./internal/logger.js";
import { MASK } from "./internal/redact.js";
import type { TypedEmitter } from "./internal/typed-emitter.js";
import { type ClientOptions, resolveOptions } from "./options.js";
import { Consent, Sessions } from "./policy/consent.js";
import { contentChecker } from "./policy/content.js";
import { PolicyState } from "./policy/learn.js";
import { loadNumbering } from "./policy/numbering.js";
import { POLICY_DEFAULTS } from "./policy/options.js";
import { Policy, type PolicyVerdict } from "./policy/pipeline.js";
import {
  businessStores,
  type PolicyStores,
  type StoreRegistry,
  sharedStores,
  storeRegistry,
} from "./state/registry.js";
import { lastInboundOf } from "./state/session-windows.js";
import type { RetryBudget } from "./transport/retry.js";
import type { Transport } from "./transport/types.js";
import type { ClientEventName, ClientEvents } from "./webhooks/events.js";
import { Webhooks } from "./webhooks/handler.js";
import type { CampaignSignals } from "./webhooks/signals.js";

/**
 * What `withOptions()` hands the client it makes: the transport, emitter and retry budget, and the
 * stores it shares. Carried under a symbol only this module holds, so it is no option a user
 * can pass, and nothing is kept between two constructor calls.
 */
const SHARED = Symbol("wa-guard shared client state");
interface Shared {
  emitter: TypedEmitter<ClientEvents>;
  transport: Transport;
  budget: RetryBudget;
  stores: PolicyStores;
}
type ConstructionOptions = ClientOptions & { [SHARED]?: Shared };
/**
 * Per emitter (shared by a client and its `withOptions()` copies), per listener, per event: the
 * wrapper that keeps the listener's exceptions out of the send path and reports them under the
 * event that ran it, through the logger of the client that registered it.
 */
type AnyListener = (...args: never[]) => void;
const guardedListeners = new WeakMap<object, WeakMap<AnyListener, Map<string, AnyListener>>>();

/**
 * The WhatsApp Cloud API client.
 *
 * ```ts
 * const wa = new WhatsAppClient({ accessToken, phoneNumberId });
 * const { messageId } = await wa.messages.sendText({ to: "+16505551234", body: "Hello" });
 * ```
 */
export class WhatsAppClient {
  /** Send messages, mark as read, typing indicators. */
  readonly messages: Messages;
  /** Message templates of the WABA (needs `wabaId`). */
  readonly templates: Templates;
  /** Block, unblock and list blocked users. */
  readonly blocklist: BlockList;
  /** Upload, look up, download and delete media. */
  readonly media: Media;
  /** Meta's Resumable Upload API: a file as a handle (profile pictures, template header examples). */
  readonly uploads: ResumableUploads;
  /** Phone number health and limits. */
  readonly account: Account;
  /** The consent ledger and opt-outs (works with the policy on or off). */
  readonly consent: Consent;
  /** The 24-hour customer service windows. */
  readonly sessions: Sessions;
  /** Webhook handling: handshake, signatures, de-duplication, events; keeps the policy state true. */
  readonly webhooks: Webhooks;
  /** One template to many recipients: `plan()` (a dry run) and `run()` (paced, checkpointed, resumable). */
  readonly campaigns: Campaigns;
  /** The guard pipeline: `check(message)` dry-runs it, `describe()` lists the guards in order. */
  readonly policy: {
    check(message: OutboundMessage): Promise<PolicyVerdict>;
    describe(): Array<{ name: string; consumes: boolean }>;
    /** The underlying pipeline (stores, template cache); `undefined` when the policy is off. */
    readonly pipeline: Policy | undefined;
  };

  readonly #http: GraphHttp;
  /** The client's events: shared with its `withOptions()` copies, emitted by every layer. */
  readonly #emitter: TypedEmitter<ClientEvents>;
  readonly #stores: StoreRegistry;
  readonly #input: ClientOptions;

  constructor(options?: ClientOptions) {
    const shared = (options as ConstructionOptions | undefined)?.[SHARED];
    if (shared) {
      const { [SHARED]: _, ...own } = options as ConstructionOptions;
      options = own;
    }
    this.#input = { ...options };
    const resolved = resolveOptions(options);
    this.#emitter = shared?.emitter ?? (new EventEmitter() as TypedEmitter<ClientEvents>);
    this.#http = new GraphHttp(resolved, {
      emitter: this.#emitter,
      ...(shared && { transport: shared.transport, budget: shared.budget }),
    });
    this.templates = new Templates(this.#http);
    // The stores and what Meta's answers teach them exist with the policy on or off; the guard
    // engine only when it is on.
    this.#stores = storeRegistry(
      resolved.stores,
      shared?.stores ?? {},
      this.#http.clock,
      resolved.phoneNumberId,
    );
    const state = new PolicyState(
      this.#stores,
      { clock: this.#http.clock, loadTemplates: () => this.templates.list() },
      resolved.policy === false ? undefined : resolved.policy.template,
    );
    const enforced =
      resolved.policy === false
        ? undefined
        : new Policy(
            {
              clock: this.#http.clock,
              emitter: this.#emitter,
              phoneNumberId: () => requirePhoneNumberId(this.#http),
              logger: this.#http.logger,
              readMessagingLimit: async () =>
                (await this.account.phoneNumber({ fields: ["whatsapp_business_manager_messaging_limit"] }))
                  .messagingLimit,
            },
            resolved.policy,
            state,
          );
    const stores = this.#stores;
    // The recipient guard's phone-number metadata loads in the background, ready for the first send.
    if (enforced?.describe().some((g) => g.name === "recipient")) void loadNumbering();
    const consentOptions = resolved.policy === false ? {} : (resolved.policy.consent ?? {});
    this.consent = new Consent(
      stores.consent,
      stores.sessionWindows,
      this.#http.clock,
      consentOptions,
      stores.identity,
    );
    const margin =
      (resolved.policy === false ? undefined : resolved.policy.sessionWindow?.safetyMarginMs) ??
      POLICY_DEFAULTS.sessionWindow.safetyMarginMs;
    this.sessions = new Sessions(stores.sessionWindows, this.#http.clock, margin, stores.identity);
    this.policy = {
      check: async (message) => {
        const valid = validateMessage(message);
        return enforced ? enforced.check(valid) : { allowed: true, violations: [] };
      },
      describe: () => enforced?.describe() ?? [],
      pipeline: enforced,
    };
    const outcomes = new UnknownOutcomes();
    const campaignSignals: CampaignSignals = new EventEmitter();
    this.messages = new Messages(this.#http, enforced, outcomes);
    // With the policy off, the block list is a plain client: no local pre-checks, no mirror.
    this.blocklist = new BlockList(
      this.#http,
      enforced && {
        mirror: stores.blockMirror,
        lastInbound: async (key) => lastInboundOf(stores.sessionWindows, await stores.identity.aliases(key)),
        now: () => this.#http.clock.now(),
        aliases: (key) => stores.identity.aliases(key),
        link: (ids, at, source) => state.link(ids, at, source),
      },
    );
    this.campaigns = new Campaigns(
      enforced && {
        messages: this.messages,
        policy: enforced,
        clock: this.#http.clock,
        logger: this.#http.logger,
        checkpoints: stores.campaigns,
        signals: campaignSignals,
      },
    );
    this.media = new Media(this.#http);
    this.uploads = new ResumableUploads(this.#http);
    // profile.check() judges the profile's websites by the content guard's link rules (built on first use).
    const content =
      resolved.policy === false || resolved.policy.disable?.includes("content")
        ? undefined
        : (resolved.policy.content ?? {});
    let linkCheck: ((texts: readonly string[]) => string | undefined) | undefined;
    this.account = new Account(
      this.#http,
      state.health,
      content &&
        ((url) => {
          linkCheck ??= contentChecker(content);
          return linkCheck([url]);
        }),
    );
    this.templates.onChange(() => state.templates.invalidate());
    this.webhooks = new Webhooks(
      {
        appSecrets: resolved.appSecrets,
        verifyToken: resolved.verifyToken,
        clock: this.#http.clock,
        emitter: this.#emitter,
        logger: this.#http.logger,
        state,
        consent: this.consent,
        sessions: this.sessions,
        account: this.account,
        unknownOutcomes: outcomes,
        campaignSignals,
        phoneNumberId: resolved.phoneNumberId,
        wabaId: resolved.wabaId,
      },
      resolved.webhooks,
    );
  }

  /**
   * A new client with some options changed. It shares this client's transport (and its
   * connections), event listeners, retry budget and policy state (consent, windows, block
   * mirror, rate limits, …) unless `stores` are given. When `phoneNumberId` changes it shares
   * only the consent ledger and identities (and, for the same WABA, the WABA's restrictions and
   * template list), since windows, blocks and limits belong to one phone number; if this client
   * was given shared stores of its own (Redis), the copy needs the new number's `stores` too (a
   * `ConfigError` says so). Nothing of this client is modified.
   */
  withOptions(overrides: ClientOptions): WhatsAppClient {
    const samePhone =
      overrides.phoneNumberId === undefined || overrides.phoneNumberId === this.#http.options.phoneNumberId;
    const sameWaba = overrides.wabaId === undefined || overrides.wabaId === this.#http.options.wabaId;
    // This client's own `stores` option came along in its options: for another number, keep only
    // what is the business's (and the WABA's) — never its windows, blocks, rates or reach.
    let input = this.#input;
    if (!samePhone && overrides.stores === undefined && input.stores !== undefined) {
      input = { ...input, stores: businessStores(input.stores, this.#http.options.phoneNumberId) };
    }
    // A warm-up's start date is the first number's: another number warms up from its first send,
    // unless the copy is given its own.
    const warmUp = input.policy ? input.policy.warmUp : undefined;
    const overridden = overrides.policy ? overrides.policy.warmUp !== undefined : false;
    if (!samePhone && warmUp && warmUp.since !== "first-send" && input.policy && !overridden) {
      input = { ...input, policy: { ...input.policy, warmUp: { ...warmUp, since: "first-send" } } };
    }
    const shared: Shared = {
      emitter: this.#emitter,
      transport: this.#http.transport,
      budget: this.#http.budget,
      stores: sharedStores(this.#stores, { phoneNumber: samePhone, waba: sameWaba }),
    };
    const options: ConstructionOptions = { ...input, ...overrides, [SHARED]: shared };
    return new WhatsAppClient(options);
  }

  /**
   * Subscribe to client events (`request`, `response`, `retry`, `policy.refused`,
   * `policy.allowed`, `throttle.wait`) and webhook events (`message`, `status`, `optOut`,
   * `optIn`, `templateUpdate`, `accountUpdate`, `qualityUpdate`, `call`, `error`, `unknown`,
   * `webhook.rejected`). A listener that throws or rejects never breaks a send or another
   * listener: the error goes to the logger's `error`, or — without a logger — to `console.warn`
   * (stderr), naming the event.
   */
  on<E extends ClientEventName>(event: E, listener: ClientEvents[E]): this {
    this.#emitter.on(event, this.#guarded(event, listener) as never);
    return this;
  }

  once<E extends ClientEventName>(event: E, listener: ClientEvents[E]): this {
    this.#emitter.once(event, this.#guarded(event, listener) as never);
    return this;
  }

  off<E extends ClientEventName>(event: E, listener?: ClientEvents[E]): this {
    const wrapped = listener && this.#wrappers(listener).get(event);
    this.#emitter.off(event, (wrapped ?? listener) as never);
    return this;
  }

  #wrappers(listener: AnyListener): Map<string, AnyListener> {
    const emitter = this.#emitter;
    let byListener = guardedListeners.get(emitter);
    if (!byListener) {
      byListener = new WeakMap();
      guardedListeners.set(emitter, byListener);
    }
    let byEvent = byListener.get(listener);
    if (!byEvent) {
      byEvent = new Map();
      byListener.set(listener, byEvent);
    }
    return byEvent;
  }

  #guarded<E extends ClientEventName>(event: E, listener: ClientEvents[E]): ClientEvents[E] {
    const wrappers = this.#wrappers(listener as AnyListener);
    let wrapped = wrappers.get(event) as ClientEvents[E] | undefined;
    if (!wrapped) {
      const logger = this.#http.options.logger;
      const redact = this.#http.redact;
      const report = (error: unknown) =>
        logger
          ? logger.error(`wa-guard: a "${event}" listener threw`, { error: describeError(error) })
          : warnOnStderr(event, error, redact);
      wrapped = ((...args: unknown[]) => {
        try {
          const result = (listener as (...a: unknown[]) => unknown)(...args);
          // An async handler's rejection is reported the same way, never left unhandled.
          if (result && typeof (result as Promise<unknown>).then === "function")
            return (result as Promise<unknown>).then(undefined, report);
        } catch (error) {
          report(error);
        }
        return undefined;
      }) as ClientEvents[E];
      wrappers.set(event, wrapped as AnyListener);
    }
    return wrapped;
  }

  /** The resolved options with secrets masked. */
  toJSON(): Record<string, unknown> {
    return describe(this.#http.options);
  }

  /** What `console.log(client)` and `util.inspect` show: no secrets. */
  [Symbol.for("nodejs.util.inspect.custom")](): Record<string, unknown> {
    return this.toJSON();
  }
}

/**
 * Without a logger, a listener that throws is the one thing wa-guard prints: otherwise the error
 * would vanish (the webhook was answered 200, the reply never sent). Pass a `logger` to take it.
 */
function warnOnStderr(event: string, error: unknown, redact: (text: string) => string): void {
  const stack = error instanceof Error && typeof error.stack === "string" ? `\n${error.stack}` : "";
  console.warn(
    redact(
      `wa-guard: a "${event}" listener threw: ${describeError(error)} (pass a logger to the client to handle this yourself)${stack}`,
    ),
  );
}

function describe(o: ResolvedConnection): Record<string, unknown> {
  return {
    accessToken: MASK,
    ...(o.appSecrets.length > 0 && {
      appSecret: o.appSecrets.length === 1 ? MASK : o.appSecrets.map(() => MASK),
    }),
    ...(o.verifyToken !== undefined && { verifyToken: MASK }),
    phoneNumberId: o.phoneNumberId,
    wabaId: o.wabaId,
    apiVersion: o.apiVersion,
    baseUrl: o.baseUrl,
    timeouts: o.timeouts,
    maxRetries: o.maxRetries,
    maxRetryAfterMs: o.maxRetryAfterMs,
  };
}
