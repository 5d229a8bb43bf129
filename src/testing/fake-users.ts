/**
 * The users the fake simulates: who is on WhatsApp, when each last wrote (their 24-hour window),
 * their marketing preference and Meta's per-user marketing limit, and the messages they send to
 * the business, with the webhooks Meta would queue for them. Meta's rules for a send are in
 * `fake-send-rules.ts`; the messages endpoint that joins both is `fake-messaging.ts`.
 */
import type { Clock } from "../state/clock.js";
import { type FakeRecipientState, fakeIdentity, wamid } from "./fake-send-rules.js";
import type { FakeWebhooks } from "./fake-webhooks.js";

/** A message "sent by a user" to the business through {@link FakeMessaging.receiveMessage}. */
export interface FakeInboundMessage {
  id: string;
  from: string;
  text?: string;
  at: number;
}

/** What the user sends: text, a tap on a template quick-reply button, or an interactive reply. */
export interface FakeInboundContent {
  text?: string;
  /** A template quick-reply tap (`type: "button"`). */
  button?: { payload: string; text: string };
  /** A reply-button or list-row tap (`type: "interactive"`). */
  reply?: { id: string; title: string; list?: boolean };
  /** The profile name Meta reports in `contacts[]`. @default "Test User" */
  profileName?: string;
}

const WINDOW_MS = 24 * 60 * 60 * 1000;

/** What the users need from the rest of the fake. */
export interface FakeUsersContext {
  businessNumber: string;
  /** Where inbound webhooks are queued (set by FakeCloudApi after construction). */
  webhooks: () => FakeWebhooks | undefined;
  /** The business's last message to a user: a reply to it carries it as `context`. */
  lastSentTo: (identity: string) => { id: string } | undefined;
}

/** The simulated users (see the module comment). */
export class FakeUsers implements FakeRecipientState {
  /** Every simulated inbound message, in order. */
  readonly inbound: FakeInboundMessage[] = [];
  /** Users who stopped marketing messages: marketing templates are accepted, then fail with 131050. */
  readonly marketingStopped = new Set<string>();
  /**
   * Users Meta's per-user marketing limit holds back (digits, or BSUIDs): marketing templates are
   * accepted, then fail with 131049.
   */
  readonly marketingCapped = new Set<string>();
  readonly #lastInbound = new Map<string, number>();
  /** Who is on WhatsApp; undefined: everyone. */
  readonly #users: Set<string> | undefined;
  readonly #clock: Clock;
  readonly #context: FakeUsersContext;

  constructor(clock: Clock, recipients: "all" | string[], context: FakeUsersContext) {
    this.#clock = clock;
    this.#context = context;
    this.#users = recipients === "all" ? undefined : new Set(recipients.map((r) => fakeIdentity(r) ?? r));
  }

  /**
   * Simulate a user writing to the business: opens (or refreshes) the 24-hour window and queues
   * the `messages` webhook Meta would send.
   */
  receiveMessage(from: string, message: FakeInboundContent = {}): FakeInboundMessage {
    const identity = fakeIdentity(from);
    if (!identity)
      throw new Error(`FakeCloudApi.receiveMessage: ${JSON.stringify(from)} is not a phone number or BSUID`);
    this.#users?.add(identity);
    const inbound: FakeInboundMessage = { id: wamid(identity), from: identity, at: this.#clock.now() };
    const text = message.text ?? message.button?.text ?? message.reply?.title;
    if (text !== undefined) inbound.text = text;
    this.inbound.push(inbound);
    this.#lastInbound.set(identity, inbound.at);
    const webhooks = this.#context.webhooks();
    if (webhooks?.enabled) {
      // 2026: `from_user_id` whenever the user has a BSUID; `from` and `wa_id` unless withheld.
      const who = webhooks.identityOf(identity);
      const m: Record<string, unknown> = {
        ...(who.waId !== undefined && { from: who.waId }),
        ...(who.userId !== undefined && { from_user_id: who.userId }),
        id: inbound.id,
        timestamp: String(Math.floor(inbound.at / 1000)),
      };
      const last = this.#context.lastSentTo(identity);
      const context = last && { from: this.#context.businessNumber, id: last.id };
      if (message.button)
        Object.assign(m, { type: "button", button: message.button, ...(context && { context }) });
      else if (message.reply) {
        const { list, ...reply } = message.reply;
        Object.assign(m, {
          type: "interactive",
          interactive: list
            ? { type: "list_reply", list_reply: reply }
            : { type: "button_reply", button_reply: reply },
          ...(context && { context }),
        });
      } else Object.assign(m, { type: "text", text: { body: message.text ?? "" } });
      webhooks.queueMessages({
        contacts: [
          {
            profile: { name: message.profileName ?? "Test User" },
            ...(who.waId !== undefined && { wa_id: who.waId }),
            ...(who.userId !== undefined && { user_id: who.userId }),
          },
        ],
        messages: [m],
      });
    }
    return inbound;
  }

  /** The user stopped (or resumed) marketing messages in WhatsApp; queues `user_preferences`. */
  setMarketingPreference(user: string, value: "stop" | "resume"): void {
    const identity = fakeIdentity(user);
    if (!identity) throw new Error(`FakeCloudApi: ${JSON.stringify(user)} is not a phone number or BSUID`);
    if (value === "stop") this.marketingStopped.add(identity);
    else this.marketingStopped.delete(identity);
    this.#context.webhooks()?.queueUserPreference(identity, value);
  }

  /** When the user last wrote, or undefined. */
  lastInboundAt(recipient: string): number | undefined {
    const identity = fakeIdentity(recipient);
    return identity === undefined ? undefined : this.#lastInbound.get(identity);
  }

  /** True while the user's 24-hour customer service window is open. */
  windowOpen(recipient: string): boolean {
    const last = this.lastInboundAt(recipient);
    return last !== undefined && this.#clock.now() - last < WINDOW_MS;
  }

  /** Whether the recipient is on WhatsApp. */
  isOnWhatsApp(recipient: string): boolean {
    const identity = fakeIdentity(recipient);
    return identity !== undefined && (this.#users === undefined || this.#users.has(identity));
  }
}
