/**
 * `wa.webhooks`: the webhook endpoint, in four steps that each live in a module of their own —
 * adapters (framework in, response out), receive (handshake, signature, parsing), effects (what
 * each event changes in policy state) and delivery to listeners (after the acknowledgement).
 *
 * The contract between them is here: an event counts as processed only after its effects are
 * stored. Each event is leased, its effects stored, then marked done; a delivery that fails
 * anywhere answers non-2xx and leaves nothing marked, so Meta's redelivery applies it in full.
 */
import type { WhatsAppError } from "../errors/base.js";
import type { WebhookVerificationError } from "../errors/webhook.js";
import type { Logger } from "../internal/logger.js";
import { describeError } from "../internal/logger.js";
import type { TypedEmitter } from "../internal/typed-emitter.js";
import {
  fetchAdapter,
  type HandleOptions,
  type NodeRequest,
  type NodeResponse,
  nodeAdapter,
  type WebhookFetchHandler,
  type WebhookRequest,
  type WebhookResponse,
} from "./adapters.js";
import { deliverToListeners } from "./deliver.js";
import { type EffectDeps, preferenceEvent, WebhookEffects } from "./effects.js";
import type { ClientEvents, WebhookEvent } from "./events.js";
import { resolveWebhookOptions, type WebhookOptions } from "./options.js";
import { type ParsedEvent, parseWebhookPayload } from "./parse.js";
import { answer, receive } from "./receive.js";
import { type RawBody, verifyWebhookSignature } from "./verify.js";

/** Declared with its defaults and validation (`webhooks/options.ts`). */
export type { WebhookOptions };

export interface WebhookResult extends WebhookResponse {
  /**
   * The events of this delivery that were new (duplicates removed) and whose effects are stored,
   * in order. On a non-2xx answer, the events stored before the failure (the rest come again).
   */
  events: WebhookEvent[];
  /** How many events of this delivery had been processed before. */
  duplicates: number;
  /** Why the request was refused, when it was. */
  error?: WhatsAppError | Error;
  /** Settles when every handler has run for every new event (never rejects). */
  delivered: Promise<void>;
}

/** What the handler needs: what the effects need (`EffectDeps`), and the secrets, emitter and logger. */
interface WebhookDeps extends EffectDeps {
  appSecrets: readonly string[];
  verifyToken: string | undefined;
  emitter: TypedEmitter<ClientEvents>;
  logger: Logger;
}

const DONE: Promise<void> = Promise.resolve();

const isMarketingStop = (event: ParsedEvent): boolean =>
  event.kind === "preference" && event.value === "stop";

/** Another delivery of the same event is storing its effects right now: Meta should come back. */
class EventInProgress extends Error {
  override readonly name = "EventInProgress";
}

/**
 * `wa.webhooks`: Meta's GET handshake, signature verification over the raw bytes, parsing,
 * de-duplication, and the policy state kept true — before the 200 goes back. Your handlers
 * (`wa.on("message", …)`) run after the acknowledgement.
 */
export class Webhooks {
  readonly #deps: WebhookDeps;
  readonly #effects: WebhookEffects;
  readonly #ttl: number;
  readonly #lease: number;
  readonly #maxBody: number;

  constructor(deps: WebhookDeps, options: WebhookOptions = {}) {
    this.#deps = deps;
    this.#effects = new WebhookEffects(deps);
    const resolved = resolveWebhookOptions(options);
    this.#ttl = resolved.dedupTtlMs;
    this.#lease = resolved.leaseMs;
    this.#maxBody = resolved.maxBodyBytes;
  }

  /**
   * Check the signature of a raw body; returns the bytes, or throws
   * {@link WebhookVerificationError} saying what is wrong.
   */
  verify(rawBody: RawBody, signature: string | readonly string[] | null | undefined): Uint8Array {
    return verifyWebhookSignature(rawBody, signature, this.#deps.appSecrets);
  }

  /** Parse a verified payload into events, without de-duplication or state changes. */
  parse(payload: unknown): WebhookEvent[] {
    return parseWebhookPayload(payload, this.#deps.clock.now()).map(({ event }) =>
      event.kind === "preference" ? preferenceEvent(event, event.value === "stop", false) : event,
    );
  }

  /**
   * Handle one webhook request: the GET handshake or a POST notification. Resolves once the
   * policy state has taken the delivery in; handlers run afterwards (see `delivered`). A store
   * failure answers 500 and another delivery still processing the same event answers 503, so
   * Meta delivers again; nothing is ever marked processed before its effects are stored.
   */
  async handle(request: WebhookRequest, options: HandleOptions = {}): Promise<WebhookResult> {
    const now = this.#deps.clock.now();
    const received = receive(
      request,
      {
        appSecrets: this.#deps.appSecrets,
        verifyToken: this.#deps.verifyToken,
        maxBodyBytes: this.#maxBody,
        onRejected: (error) => this.#rejected(error),
      },
      now,
    );
    if ("answer" in received) return result(received.answer);
    const dedup = this.#deps.state.stores.webhookDedup;
    const events: WebhookEvent[] = [];
    let duplicates = 0;
    let leased: string | undefined;
    try {
      // Per receiving number: one delivery handed to every number's client (one app, one URL) is
      // applied once by each, which learns what is its own number's.
      const scope = this.#deps.phoneNumberId === undefined ? "" : `${this.#deps.phoneNumberId}/`;
      for (const item of received.items) {
        const key = scope + item.key;
        const state = await dedup.begin(key, this.#lease, now);
        if (state === "done") {
          duplicates++;
          // Meta's marketing stop has no id: a stop after a resume of the same second has the key
          // of the stop before it; so does a message whose id or time could not be read. Their
          // effects are applied again (a stop only withdraws, ordered by Meta's time; such a
          // message opens no window and its opt-in lifts nothing), so a STOP is never lost; no
          // listener hears of it twice.
          if (item.untrusted || isMarketingStop(item.event)) await this.#effects.apply(item, []);
          continue;
        }
        if (state === "processing") {
          // Another delivery holds the event (it may have died): store the effects now — they are
          // idempotent — but leave the event to the lease holder, and have Meta come back.
          await this.#effects.apply(item, []);
          throw new EventInProgress(`event ${item.key} is being processed by another delivery`);
        }
        leased = key;
        const found: WebhookEvent[] = [];
        await this.#effects.apply(item, found);
        await dedup.complete(key, this.#ttl, this.#deps.clock.now());
        leased = undefined;
        events.push(...found);
      }
    } catch (error) {
      // Nothing of the failed event is marked done; its lease is given back if the store lets us,
      // and lapses otherwise. Events completed before it stay done (their effects are stored) and
      // reach listeners now: the redelivery will count them as duplicates.
      if (leased !== undefined) await dedup.abandon(leased).catch(() => undefined);
      const delivered = this.#deliver(events, options);
      if (error instanceof EventInProgress) {
        const busy = answer(
          503,
          "Service Unavailable: this event is being processed",
          { "retry-after": "60" },
          error,
        );
        return { ...result(busy), events, duplicates, delivered };
      }
      this.#deps.logger.error(
        "wa-guard: could not record a webhook delivery; answering 500 so Meta retries",
        {
          error: describeError(error),
        },
      );
      return {
        ...result(answer(500, "Internal Server Error", {}, error as Error)),
        events,
        duplicates,
        delivered,
      };
    }
    return { ...result(answer(200, "OK")), events, duplicates, delivered: this.#deliver(events, options) };
  }

  #deliver(events: WebhookEvent[], options: HandleOptions): Promise<void> {
    if (events.length === 0) return DONE;
    const delivered = deliverToListeners(this.#deps.emitter, this.#deps.logger, events);
    options.waitUntil?.(delivered);
    return delivered;
  }

  /**
   * A fetch-style handler: `(request: Request) => Promise<Response>`, for Next.js route
   * handlers, Hono, Cloudflare Workers, Bun and Deno. A second argument with `waitUntil`
   * (Workers' `ctx`) is used when present.
   */
  fetchHandler(options: HandleOptions = {}): WebhookFetchHandler {
    return fetchAdapter((request, opts) => this.handle(request, opts), this.#maxBody, options);
  }

  /**
   * A Node handler `(req, res)` for node:http, Express and Fastify (`reply.raw`). It uses a raw
   * body already read (`express.raw()`, `req.rawBody`) or reads the stream itself; a body parsed
   * into an object is refused, because the bytes Meta signed are gone.
   */
  nodeHandler(): (req: NodeRequest, res: NodeResponse, next?: (error?: unknown) => void) => void {
    return nodeAdapter((request) => this.handle(request), this.#maxBody);
  }

  #rejected(error: WebhookVerificationError): void {
    this.#deps.logger.warn(`wa-guard: refused a webhook: ${error.message}`, { reason: error.reason });
    if (this.#deps.emitter.listenerCount("webhook.rejected") > 0)
      this.#deps.emitter.emit("webhook.rejected", { error });
  }
}

function result(response: WebhookResponse & { error?: WhatsAppError | Error }): WebhookResult {
  return { events: [], duplicates: 0, delivered: DONE, ...response };
}
