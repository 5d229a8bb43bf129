import { isGraphApiError } from "../errors/graph.js";
import { isPolicyViolation } from "../errors/policy.js";
import { isTransportError } from "../errors/transport.js";
import { ValidationError } from "../errors/validation.js";
import { newCorrelationId } from "../internal/correlation.js";
import { path } from "../internal/path.js";
import { distinctRecipientKeys } from "../internal/recipients.js";
import { check, formatIssues } from "../internal/validate.js";
import { buildMessageBody } from "./build-message.js";
import type { GraphHttp, RequestOptions } from "./http.js";
import { requirePhoneNumberId } from "./ids.js";
import { type SendOutcome, UnknownOutcomes } from "./outcomes.js";
import { isValidTextMessage, type OutboundMessage, outboundMessageSchema } from "./schemas/outbound.js";
import type * as T from "./schemas/outbound-types.js";
import { type SendMessageResponse, sendMessageResponse, successResponse } from "./schemas/responses.js";
import type { SendPolicy } from "./send-policy.js";

/** What Meta returned for an accepted send. Accepted is not delivered: delivery comes by webhook. */
export interface SendResult {
  /** The wamid; status webhooks refer to it. */
  messageId: string;
  /** The `biz_opaque_callback_data` this send carried (yours, or one wa-guard generated). */
  correlationId: string;
  /** The recipient as sent. */
  input: string;
  /** The WhatsApp id Meta resolved; store it and reply to it. Absent for BSUID sends. */
  waId?: string;
  /** Business-scoped user id, when Meta returns one. */
  userId?: string;
  /** `accepted` or `held_for_quality_assessment` (template pacing), when Meta says. */
  messageStatus?: string;
}

export interface SendOptions {
  /**
   * Aborts the send. Before the request leaves, nothing is sent; once it is in flight, the
   * outcome is unknown (`TransportError` with `outcome: "unknown"`) and is not retried.
   */
  signal?: AbortSignal;
}

/** The options of a send given none (never changed: read-only). */
const NO_OPTIONS: SendOptions = Object.freeze({});

/** Validate an outbound message against Meta's documented limits; throws `ValidationError`. */
/** Text messages pass the fast path uncopied; every other shape is already a fresh zod copy. */
function copyMessage(m: OutboundMessage): OutboundMessage {
  return m.type === "text" ? { ...m } : m;
}

export function validateMessage(message: unknown): OutboundMessage {
  if (isValidTextMessage(message)) return message as OutboundMessage;
  const result = check(outboundMessageSchema, message);
  if (!result.ok) throw new ValidationError(`Invalid message: ${formatIssues(result.issues)}`, result.issues);
  return result.value;
}

export { newCorrelationId } from "../internal/correlation.js";

/** `wa.messages`: send every message type, mark as read, typing indicators. */
export class Messages {
  #path: string | undefined;

  constructor(
    private readonly http: GraphHttp,
    private readonly policy?: SendPolicy,
    private readonly unknownOutcomes: UnknownOutcomes = new UnknownOutcomes(),
  ) {}

  /**
   * What became of a send that failed with `TransportError` outcome `"unknown"`: `unknown`
   * until a status webhook with its correlation id arrives, then that status (`sent`,
   * `delivered`, `read`, `failed`). Undefined for correlation ids this process never saw fail.
   */
  outcome(correlationId: string): SendOutcome | undefined {
    return this.unknownOutcomes.get(correlationId);
  }

  /** `/<PHONE_NUMBER_ID>/messages`, built once. */
  private get messagesPath(): string {
    this.#path ??= path`/${requirePhoneNumberId(this.http)}/messages`;
    return this.#path;
  }

  /**
   * Send any message. Every send carries a correlation id in `biz_opaque_callback_data`
   * (your own `bizOpaqueCallbackData` is kept as is) and returns it.
   * @throws ValidationError before anything is sent, when the message breaks Meta's limits
   * @throws PolicyViolationError before anything is sent, when a guard refuses it
   */
  async send(message: OutboundMessage, options: SendOptions = NO_OPTIONS): Promise<SendResult> {
    // A copy: what the policy checked is exactly what is sent, even if the caller's object
    // changes while a send waits for capacity.
    const valid = Object.freeze(copyMessage(validateMessage(message)));
    const ticket = this.policy
      ? await this.policy.enforce(valid, options.signal ? { signal: options.signal } : NO_OPTIONS)
      : undefined;
    const correlationId = valid.bizOpaqueCallbackData ?? newCorrelationId();
    let res: Awaited<ReturnType<typeof this.post>>;
    try {
      res = await this.post(valid, correlationId, options.signal);
    } catch (error) {
      // Not delivered for sure: it must not count toward frequency caps or the messaging limit.
      // A release that fails (a store down) must not hide Meta's answer or stop the learning.
      const notSent = isTransportError(error) && error.outcome === "not_sent";
      // A retry the policy stopped: Meta refused (or never got) every attempt.
      const stopped = isPolicyViolation(error);
      if (isGraphApiError(error) || notSent || stopped) await ticket?.release().catch(() => undefined);
      if (stopped) throw error;
      // Meta never saw it: its throughput and pair-rate units are free again. (An error answer
      // means Meta received the request, and counted it.)
      if (notSent) await ticket?.returnCapacity();
      else if (isTransportError(error))
        this.unknownOutcomes.record(correlationId, valid.to, this.http.clock.now());
      await this.policy?.learnFromError(valid, error);
      throw error;
    }
    const contact = res.contacts?.[0];
    // Meta named the person by more than one identifier (a BSUID beside the number): link them,
    // so their state is one. The message is sent: a store failing now must not hide that, and the
    // next webhook carrying both links them again. (Most answers name one: nothing to link.)
    if (contact && this.policy) {
      const ids = [valid.to, contact.input, contact.wa_id, contact.user_id];
      if (distinctRecipientKeys(ids) !== undefined)
        await this.policy.link(ids, this.http.clock.now(), "send:contacts").catch(() => undefined);
    }
    const msg = res.messages[0]!;
    const result: SendResult = { messageId: msg.id, correlationId, input: contact?.input ?? valid.to };
    if (contact?.wa_id !== undefined) result.waId = contact.wa_id;
    if (contact?.user_id !== undefined) result.userId = contact.user_id;
    if (msg.message_status !== undefined) result.messageStatus = msg.message_status;
    return result;
  }

  private post(valid: OutboundMessage, correlationId: string, signal: AbortSignal | undefined) {
    const policy = this.policy;
    const request: RequestOptions<SendMessageResponse> & { schema: typeof sendMessageResponse } = {
      method: "POST",
      path: this.messagesPath,
      json: buildMessageBody(valid, correlationId),
      schema: sendMessageResponse,
      correlationId,
    };
    if (signal) request.signal = signal;
    // Meta did not accept the last attempt; what changed during the back-off (a STOP, a block,
    // a ban) must stop the retry as it would have stopped the send.
    if (policy) request.beforeRetry = () => policy.recheck(valid);
    return this.http.request(request);
  }

  sendText(message: T.SendTextParams, options?: SendOptions) {
    return this.send({ ...message, type: "text" }, options);
  }
  sendImage(message: T.SendImageParams, options?: SendOptions) {
    return this.send({ ...message, type: "image" }, options);
  }
  sendVideo(message: T.SendVideoParams, options?: SendOptions) {
    return this.send({ ...message, type: "video" }, options);
  }
  sendAudio(message: T.SendAudioParams, options?: SendOptions) {
    return this.send({ ...message, type: "audio" }, options);
  }
  sendDocument(message: T.SendDocumentParams, options?: SendOptions) {
    return this.send({ ...message, type: "document" }, options);
  }
  sendSticker(message: T.SendStickerParams, options?: SendOptions) {
    return this.send({ ...message, type: "sticker" }, options);
  }
  sendLocation(message: T.SendLocationParams, options?: SendOptions) {
    return this.send({ ...message, type: "location" }, options);
  }
  sendContacts(message: T.SendContactsParams, options?: SendOptions) {
    return this.send({ ...message, type: "contacts" }, options);
  }
  sendReaction(message: T.SendReactionParams, options?: SendOptions) {
    return this.send({ ...message, type: "reaction" }, options);
  }
  sendButtons(message: T.SendButtonsParams, options?: SendOptions) {
    return this.send({ ...message, type: "buttons" }, options);
  }
  sendList(message: T.SendListParams, options?: SendOptions) {
    return this.send({ ...message, type: "list" }, options);
  }
  sendCtaUrl(message: T.SendCtaUrlParams, options?: SendOptions) {
    return this.send({ ...message, type: "cta_url" }, options);
  }
  sendTemplate(message: T.SendTemplateParams, options?: SendOptions) {
    return this.send({ ...message, type: "template" }, options);
  }

  /** Mark an inbound message (and the ones before it) as read. */
  async markAsRead(messageId: string, options: SendOptions = {}): Promise<void> {
    await this.status(messageId, undefined, options);
  }

  /** Show "typing…" to the user (also marks the message read). It disappears on reply or after 25 s. */
  async showTypingIndicator(messageId: string, options: SendOptions = {}): Promise<void> {
    await this.status(messageId, { type: "text" }, options);
  }

  private async status(messageId: string, typing: { type: "text" } | undefined, options: SendOptions) {
    if (typeof messageId !== "string" || messageId.length === 0 || messageId.length > 256) {
      throw new ValidationError("messageId must be the non-empty wamid of an inbound message");
    }
    await this.http.request({
      method: "POST",
      path: this.messagesPath,
      json: {
        messaging_product: "whatsapp",
        status: "read",
        message_id: messageId,
        ...(typing && { typing_indicator: typing }),
      },
      schema: successResponse,
      idempotent: true,
      ...(options.signal && { signal: options.signal }),
    });
  }
}
