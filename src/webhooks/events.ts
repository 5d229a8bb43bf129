import type { ApiEvents } from "../api/events.js";
import type { WebhookVerificationError } from "../errors/webhook.js";
import type { PolicyEvents } from "../policy/events.js";
import type { ContactPayload, InboundMessage, MessageStatusPayload } from "./schemas.js";

/** A Graph error as it appears inside a webhook (failed statuses, unsupported messages, value errors). */
export interface WebhookError {
  /** Meta's error code (e.g. 131047 re-engagement, 131026 undeliverable); see `graphCodeInfo(code)`. */
  code: number;
  /** Meta's short title. */
  title?: string;
  /** Meta's message (often the same as the title). */
  message?: string;
  /** `error_data.details`: Meta's explanation, when given. */
  details?: string;
  /** Link to Meta's page about the code. */
  href?: string;
}

/** Where a change came from: the WABA (`entry.id`) and, for messages, the business number. */
export interface WebhookSource {
  /** The webhook field: `messages`, `account_update`, … */
  field: string;
  /** WhatsApp Business Account id (`entry[].id`). */
  wabaId: string;
  /**
   * The business phone number id (`value.metadata.phone_number_id`), on `messages` changes; a
   * JSON number that is an exact integer is given as its digits. `"(unreadable)"` when Meta sent
   * one that cannot be read (a fraction, a number beyond 2^53, an object): such an event opens no
   * window, and what it says of a number is taken as this client's number's.
   */
  phoneNumberId?: string;
  /** The business number as shown (`value.metadata.display_phone_number`), on `messages` changes. */
  displayPhoneNumber?: string;
}

/** A user wrote, tapped a button, reacted, ordered, … */
export interface MessageEvent extends WebhookSource {
  /** Discriminant of `WebhookEvent`. */
  kind: "message";
  /**
   * The message id (`wamid…`); reply to it or mark it read. `"(unreadable)"` when the message had
   * none that could be read (such a message opens no window; a STOP in it still counts).
   */
  id: string;
  /** The user: wa_id (phone digits), or the BSUID when Meta withholds the number. */
  from: string;
  /** The business-scoped user id, when Meta sends one. */
  fromUserId?: string;
  /** When the user sent it (ms since epoch). */
  timestamp: number;
  /** `text`, `image`, `audio`, `video`, `document`, `sticker`, `location`, `contacts`, `interactive`, `button`, `reaction`, `order`, `system`, `unsupported`, … */
  type: string;
  /** Text typed by the user, a caption, or the title of the tapped button or row. */
  text?: string;
  /** The id of a tapped reply button or list row, or the payload of a template quick-reply button. */
  replyId?: string;
  /** Set when the message was recorded as an opt-out (STOP, an unsubscribe button) or an opt-in (START). */
  consent?: "optOut" | "optIn";
  /**
   * The group it was written in (Groups API). A group message opens a window with the group, not
   * a 1:1 window with the sender.
   */
  groupId?: string;
  /** Profile name from `contacts[]`, when given. */
  profileName?: string;
  /** The matching `contacts[]` entry, as Meta sent it. */
  contact?: ContactPayload;
  /** The whole message as Meta sent it, unknown fields included. */
  message: InboundMessage;
}

/** A delivery receipt for a message the business sent. */
export interface StatusEvent extends WebhookSource {
  /** Discriminant of `WebhookEvent`. */
  kind: "status";
  /**
   * The id of the message the business sent; `"(unreadable)"` when the status had none that could
   * be read (a 131050 in it still counts).
   */
  id: string;
  /** `sent`, `delivered`, `read`, `failed`, `played`, or anything newer. */
  status: string;
  /** When the status happened (ms since epoch). */
  timestamp: number;
  /** wa_id of the recipient, or the BSUID when Meta withholds the number. */
  recipient?: string;
  /** The recipient's business-scoped user id (`recipient_user_id`), when Meta sends one. */
  recipientUserId?: string;
  /** The matching `contacts[]` entry (sent, delivered and read statuses), as Meta sent it. */
  contact?: ContactPayload;
  /** The `biz_opaque_callback_data` the send carried: wa-guard's correlation id, or yours. */
  correlationId?: string;
  /** On `failed`: why. */
  errors: WebhookError[];
  /** What Meta charges for the message (`pricing`), on `sent` and one of `delivered`/`read`. */
  pricing?: StatusPricing;
  /** True when this status settles a send of this process whose outcome was unknown (see `wa.messages.outcome`). */
  reconciled?: boolean;
  /** The whole status as Meta sent it, unknown fields included. */
  raw: MessageStatusPayload;
}

/**
 * The user's business-scoped user id changed (a `user_changed_user_id` or `user_changed_number`
 * system message, or the `user_id_update` field Meta documented until August 2026). wa-guard has
 * linked the old and new identifiers: the person's consent, blocks, windows and history carry
 * over. Update your own records here.
 */
export interface UserIdUpdateEvent extends WebhookSource {
  /** Discriminant of `WebhookEvent`. */
  kind: "userIdUpdate";
  /** The BSUID the user had, when Meta says. */
  previousUserId?: string;
  /** The BSUID the user has now, when Meta says. */
  userId?: string;
  /** The parent BSUID (`US.ENT.…`, businesses enrolled across portfolios) the user had, when Meta says. */
  previousParentUserId?: string;
  /** The parent BSUID the user has now, when Meta says. */
  parentUserId?: string;
  /** The user's phone number, when it can be shared (after a change of number: the new one). */
  waId?: string;
  /** The phone number the user had, after a change of number. */
  previousWaId?: string;
  /** When the change happened (ms since epoch). */
  timestamp: number;
  /** What Meta sent: `user_changed_user_id`, `user_changed_number` or `user_id_update`. */
  via: string;
}

/**
 * `statuses[].pricing` as Meta sends it. Decide on `type` and `category`: `billable` is being
 * deprecated and may be absent.
 */
export interface StatusPricing {
  /** `regular` (charged), `free_customer_service`, `free_entry_point`, `free_group_customer_service`, … */
  type?: string;
  /**
   * `marketing`, `marketing_lite`, `utility`, `authentication`, `authentication-international`,
   * `service`, `referral_conversion`, `group_marketing`, `group_utility`, `group_service`, …
   */
  category?: string;
  /** `PMP` (per message, since July 2025) or `CBP`. */
  model?: string;
  /** Deprecated by Meta; kept when sent. */
  billable?: boolean;
}

/** A user stopped messages: a STOP keyword, an unsubscribe button, Meta's marketing stop, a 131050 failure. */
export interface OptOutEvent {
  /** Discriminant of `WebhookEvent`. */
  kind: "optOut";
  /** The user who stopped messages (wa_id, or the BSUID). */
  recipient: string;
  /** `all` for STOP keywords; `marketing` for buttons, `user_preferences` and 131050. */
  scope: string;
  /** `keyword:STOP`, `button:<payload>`, `meta:user_preferences`, `meta:131050`. */
  source: string;
  /** When it happened (ms since epoch). */
  timestamp: number;
}

/** A user resumed messages: START-like keywords or Meta's marketing resume. */
export interface OptInEvent {
  /** Discriminant of `WebhookEvent`. */
  kind: "optIn";
  /** The user who resumed messages (wa_id, or the BSUID). */
  recipient: string;
  /** `all` for START-like keywords; `marketing` for Meta's marketing resume. */
  scope: string;
  /** `keyword:START`, `meta:user_preferences`, … */
  source: string;
  /** When it happened (ms since epoch). */
  timestamp: number;
  /**
   * Whether consent now holds. A resume only restores consent given before the stop; it never
   * creates consent that was not given.
   */
  granted: boolean;
}

/** A template changed: status (approved, paused, disabled, …), quality or category. */
export interface TemplateUpdateEvent extends WebhookSource {
  /** Discriminant of `WebhookEvent`. */
  kind: "templateUpdate";
  /** Which webhook field: `message_template_status_update`, `…_quality_update` or `…_category_update`. */
  change: "status" | "quality" | "category";
  /** Meta's template id (`message_template_id`). */
  templateId?: string;
  /** The template's name (`message_template_name`). */
  name?: string;
  /** The template's language (`message_template_language`), e.g. `en_US`. */
  language?: string;
  /** On status changes: `APPROVED`, `REJECTED`, `PAUSED`, `DISABLED`, `REINSTATED`, `FLAGGED`, … */
  event?: string;
  /** Why, as Meta sent it (`INVALID_FORMAT`, `PROMOTIONAL`, …; `NONE` when Meta gives no reason). */
  reason?: string;
  /** The template's category now (on category changes: `new_category`). */
  category?: string;
  /** On a completed category change: the category before it. */
  previousCategory?: string;
  /**
   * On an impending category change: the category Meta will give the template at
   * {@link categoryUpdateAt}; until then `category` is in force.
   */
  correctCategory?: string;
  /** On an impending category change: when it takes effect (ms). */
  categoryUpdateAt?: number;
  /** On quality changes: `GREEN`, `YELLOW`, `RED`, `UNKNOWN`. */
  quality?: string;
  /** When it happened (ms since epoch), when Meta says. */
  timestamp?: number;
  /** The change's `value` as Meta sent it, unknown fields included. */
  value: Record<string, unknown>;
}

/** Something happened to the account: a restriction, a violation, a ban, a capability change. */
export interface AccountUpdateEvent extends WebhookSource {
  /** Discriminant of `WebhookEvent`. */
  kind: "accountUpdate";
  /** `ACCOUNT_RESTRICTION`, `ACCOUNT_VIOLATION`, `DISABLED_UPDATE`, …; `CAPABILITY_UPDATE` for business_capability_update. */
  event: string;
  /** When it happened (ms since epoch), when Meta says. */
  timestamp?: number;
  /** The change's `value` as Meta sent it, unknown fields included. */
  value: Record<string, unknown>;
}

/**
 * Meta warned that enforcement is coming: a disable is scheduled (`DISABLED_UPDATE` with
 * `SCHEDULE_FOR_DISABLE`) or a policy violation was recorded (`ACCOUNT_VIOLATION`). Marketing is
 * already slowed; act before the account is restricted.
 */
export interface AccountWarningEvent extends WebhookSource {
  /** Discriminant of `WebhookEvent`. */
  kind: "accountWarning";
  /** `SCHEDULE_FOR_DISABLE`, `ACCOUNT_VIOLATION`, or a newer warning. */
  warning: string;
  /** What Meta said, in a sentence. */
  reason: string;
  /** `ban_info.waba_ban_date`, when a disable is scheduled. */
  banDate?: string;
  /** `violation_info.violation_type`, for a violation. */
  violationType?: string;
  /** When it happened (ms since epoch), when Meta says. */
  timestamp?: number;
  /** The change's `value` as Meta sent it, unknown fields included. */
  value: Record<string, unknown>;
}

/** The phone number's throughput level (or, in older events, its quality) changed. */
export interface QualityUpdateEvent extends WebhookSource {
  /** Discriminant of `WebhookEvent`. */
  kind: "qualityUpdate";
  /** `THROUGHPUT_UPGRADE`, `ONBOARDING`, `FLAGGED`, `UNFLAGGED`, `DOWNGRADE`, `UPGRADE`, … */
  event: string;
  /**
   * The business portfolio's messaging limit (`max_daily_conversations_per_business`), as Meta
   * sent it (`TIER_2K`, or a number). `current_limit` was removed in February 2026 and is not read.
   */
  messagingLimit?: string;
  /** When it happened (ms since epoch), when Meta says. */
  timestamp?: number;
  /** The change's `value` as Meta sent it, unknown fields included. */
  value: Record<string, unknown>;
}

/**
 * A call: a user called the business (opens the customer service window like a message), or the
 * status of a call (`RINGING`, `ACCEPTED`, `REJECTED`, …), which is not a message status.
 */
export interface CallEvent extends WebhookSource {
  /** Discriminant of `WebhookEvent`. */
  kind: "call";
  /** The call id (`wacid…`). */
  id?: string;
  /** The caller: wa_id, or the BSUID when Meta withholds the number. */
  from?: string;
  /** The caller's business-scoped user id, when Meta sends one. */
  fromUserId?: string;
  /** `connect`, `terminate`, … (call events). */
  event?: string;
  /** `USER_INITIATED` or `BUSINESS_INITIATED`. */
  direction?: string;
  /** On call statuses: `RINGING`, `ACCEPTED`, `REJECTED`, … */
  status?: string;
  /** On call statuses: the user called (wa_id, or the BSUID when Meta withholds the number). */
  recipient?: string;
  /** When it happened (ms since epoch). */
  timestamp: number;
  /** The call or call status as Meta sent it, unknown fields included. */
  value: Record<string, unknown>;
}

/** Meta reported errors for the whole change (e.g. 130429), not for one message. */
export interface ErrorEvent extends WebhookSource {
  /** Discriminant of `WebhookEvent`. */
  kind: "error";
  /** The errors Meta reported (`value.errors`). */
  errors: WebhookError[];
}

/** A field, kind or element wa-guard does not model (or that lacks a required field). Nothing is dropped. */
export interface UnknownEvent {
  /** Discriminant of `WebhookEvent`. */
  kind: "unknown";
  /** The webhook field it came in, when known. */
  field?: string;
  /** The WABA it came from (`entry[].id`), when known. */
  wabaId?: string;
  /** Why it is unknown: `unmodelled field`, or what was missing. */
  reason: string;
  /** What Meta sent, untouched. */
  value: unknown;
}

/** Everything a webhook delivery can turn into. */
export type WebhookEvent =
  | MessageEvent
  | StatusEvent
  | OptOutEvent
  | OptInEvent
  | TemplateUpdateEvent
  | AccountUpdateEvent
  | AccountWarningEvent
  | QualityUpdateEvent
  | CallEvent
  | ErrorEvent
  | UserIdUpdateEvent
  | UnknownEvent;

/** A handler of a webhook event; a returned promise is awaited by `delivered` and `waitUntil`. */
type Handler<E> = (event: E) => unknown;

/**
 * Events emitted by a client: those of the Graph API layer (`ApiEvents`), of the policy
 * (`PolicyEvents`) and of the webhooks (below). Payloads never contain tokens, secrets or message
 * bodies.
 */
export interface ClientEvents extends ApiEvents, PolicyEvents {
  // Webhook events: delivered after the 200 went back, once per event (duplicates removed).
  /** A user wrote, tapped a button, reacted, ordered, … */
  message: Handler<MessageEvent>;
  /** A status (sent, delivered, read, failed, played) for a message the business sent. */
  status: Handler<StatusEvent>;
  /** A user opted out (keyword, unsubscribe button, Meta's marketing stop, 131050); already recorded. */
  optOut: Handler<OptOutEvent>;
  /** A user opted back in (keyword, Meta's marketing resume); already recorded. */
  optIn: Handler<OptInEvent>;
  /** A template's status, quality or category changed; the template cache already knows. */
  templateUpdate: Handler<TemplateUpdateEvent>;
  /** account_update or business_capability_update; restrictions are already in force. */
  accountUpdate: Handler<AccountUpdateEvent>;
  /** Meta warned of enforcement to come (a scheduled disable, a violation); marketing is already slowed. */
  accountWarning: Handler<AccountWarningEvent>;
  /** phone_number_quality_update. */
  qualityUpdate: Handler<QualityUpdateEvent>;
  /** A user called the business (the window is already open). */
  call: Handler<CallEvent>;
  /** The user's BSUID changed; wa-guard already linked the old and new identifiers. */
  userIdUpdate: Handler<UserIdUpdateEvent>;
  /** Meta reported errors for a whole change (e.g. 130429) rather than for one message. */
  error: Handler<ErrorEvent>;
  /** Anything wa-guard does not model; nothing is dropped. */
  unknown: Handler<UnknownEvent>;
  /** A webhook request was refused (bad signature, wrong verify token). */
  "webhook.rejected": (event: { error: WebhookVerificationError }) => void;
}

export type ClientEventName = keyof ClientEvents;
