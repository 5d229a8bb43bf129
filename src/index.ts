export type { BlockedUser, BlockSkipReason, BlockUserResult, BlockUsersResult } from "./api/block-users.js";
export { BlockList, MAX_BLOCK_USERS_PER_REQUEST } from "./api/block-users.js";
export type { HealthEntity, HealthIssue, MessagingAvailability, MessagingHealth } from "./api/health.js";
export type { MediaInfo, MediaUpload } from "./api/media.js";
export { MAX_MEDIA_BYTES, Media } from "./api/media.js";
export type { MediaLimit } from "./api/media-limits.js";
export { MEDIA_LIMITS } from "./api/media-limits.js";
export type { SendOptions, SendResult } from "./api/messages.js";
export { Messages, validateMessage } from "./api/messages.js";
export type { SendOutcome } from "./api/outcomes.js";
export type {
  AccountHealth,
  HealthChangeEvent,
  HealthWatch,
  HealthWatchOptions,
  PhoneNumberInfo,
} from "./api/phone-numbers.js";
export { Account, describeHealth, HEALTH_HOLD_MS } from "./api/phone-numbers.js";
export type {
  BusinessProfile,
  BusinessProfileUpdate,
  BusinessVertical,
  ProfileFinding,
  ProfileReport,
} from "./api/profile.js";
export type {
  ResumableUploadOptions,
  ResumableUploads,
  UploadedFile,
  UploadFileType,
} from "./api/resumable-upload.js";
export type {
  AudioMessage,
  ButtonsMessage,
  ContactCard,
  ContactsMessage,
  CtaUrlMessage,
  DocumentMessage,
  ImageMessage,
  InteractiveHeader,
  ListMessage,
  LocationMessage,
  MediaSource,
  MessageBase,
  OutboundMessage,
  ReactionMessage,
  SendAudioParams,
  SendButtonsParams,
  SendContactsParams,
  SendCtaUrlParams,
  SendDocumentParams,
  SendImageParams,
  SendListParams,
  SendLocationParams,
  SendReactionParams,
  SendStickerParams,
  SendTemplateParams,
  SendTextParams,
  SendVideoParams,
  StickerMessage,
  TemplateButtonParameter,
  TemplateHeader,
  TemplateMessage,
  TemplateValue,
  TextMessage,
  VideoMessage,
} from "./api/schemas/outbound.js";
export type {
  CreateTemplateInput,
  ListTemplatesParams,
  MessageTemplate,
  TemplateCategory,
  TemplatePage,
  TemplateStatus,
} from "./api/templates.js";
export { Templates } from "./api/templates.js";
export { Campaigns } from "./campaigns/campaigns.js";
export type { CampaignRunEvents } from "./campaigns/run.js";
export { CampaignRun } from "./campaigns/run.js";
export type {
  CampaignCounts,
  CampaignInput,
  CampaignPlan,
  CampaignPlanOptions,
  CampaignProgress,
  CampaignRecipient,
  CampaignReport,
  CampaignResult,
  CampaignRunOptions,
  CampaignStatus,
  CampaignStopCode,
  CampaignTemplate,
  DeferralReason,
  RefusalReason,
  SettledOutcome,
  TemplateParams,
  UnknownRecipient,
} from "./campaigns/types.js";
export { WhatsAppClient } from "./client.js";
export type { ErrorFamily, WhatsAppErrorCode } from "./errors/base.js";
export { isWhatsAppError, WhatsAppError } from "./errors/base.js";
export type { ConsentWithdrawal } from "./errors/consent.js";
export { ConsentSupersededError, ConsentWithdrawnByUserError } from "./errors/consent.js";
export type { GraphApiErrorInit, GraphErrorBody, GraphErrorCode } from "./errors/graph.js";
export {
  AccountRestrictedError,
  AuthenticationError,
  BillingError,
  BlockListError,
  GraphApiError,
  InvalidRequestError,
  isGraphApiError,
  PermissionError,
  PhoneRegistrationError,
  RateLimitError,
  RecipientError,
  ServiceUnavailableError,
  TemplateError,
} from "./errors/graph.js";
export type { GraphCodeInfo, GraphErrorCategory } from "./errors/graph-codes.js";
export { GRAPH_CODES, graphCodeInfo } from "./errors/graph-codes.js";
export type { GuardName, PolicyErrorCode, PolicyViolationInit } from "./errors/policy.js";
export {
  AccountRestrictedPolicyError,
  ConsentRequiredError,
  ContentPolicyError,
  FrequencyLimitError,
  InvalidRecipientError,
  isPolicyViolation,
  MessagingLimitError,
  PairRateLimitError,
  PolicyViolationError,
  RecipientBlockedError,
  SessionWindowClosedError,
  TemplateNotSendableError,
  ThroughputLimitError,
  WarmUpLimitError,
} from "./errors/policy.js";
export { isStoreUnavailableError, StoreUnavailableError } from "./errors/store.js";
export type { TransportFailure, TransportOutcome } from "./errors/transport.js";
export { isTransportError, TransportError } from "./errors/transport.js";
export type { ValidationErrorCode, ValidationIssue } from "./errors/validation.js";
export { ConfigError, isConfigError, isValidationError, ValidationError } from "./errors/validation.js";
export type { WebhookVerificationFailure } from "./errors/webhook.js";
export { isWebhookVerificationError, WebhookVerificationError } from "./errors/webhook.js";
export type { ClientEventName, ClientEvents } from "./events.js";
export type { Logger } from "./internal/logger.js";
export type { ClientOptions } from "./options.js";
export { DEFAULT_API_VERSION, DEFAULT_BASE_URL } from "./options.js";
export type {
  ConsentImportRecord,
  ConsentImportResult,
  ConsentOptions,
  InboundSignal,
} from "./policy/consent.js";
export {
  Consent,
  DEFAULT_OPT_IN_KEYWORDS,
  DEFAULT_OPT_OUT_KEYWORDS,
  DEFAULT_UNSUBSCRIBE_BUTTON_TEXTS,
  normalizeKeyword,
  Sessions,
} from "./policy/consent.js";
export type { ContentPolicyOptions } from "./policy/content.js";
export { URL_SHORTENERS } from "./policy/content.js";
export type { ThrottleOptions } from "./policy/guards.js";
export type { FrequencyOptions, MessagingLimitOptions, MessagingTier } from "./policy/limits.js";
export { tierFromMeta } from "./policy/limits.js";
export type { TemplateRuleOptions } from "./policy/marketing-rules.js";
export type { PolicyOptions, PolicyStores, PolicyVerdict } from "./policy/pipeline.js";
export { Policy } from "./policy/pipeline.js";
export type { Recipient } from "./policy/recipient.js";
export { canonicalDigits, parseRecipient } from "./policy/recipient.js";
export type { TemplateCacheOptions, TemplateUpdate } from "./policy/template-cache.js";
export { TemplateCache } from "./policy/template-cache.js";
export type { Guard, PolicyContext } from "./policy/types.js";
export type { WarmUpOptions, WarmUpStep } from "./policy/warm-up.js";
export { DEFAULT_WARM_UP_SCHEDULE } from "./policy/warm-up.js";
export type { AccountHealthStore, Restriction, RestrictionScope } from "./state/account-health.js";
export { MemoryAccountHealthStore } from "./state/account-health.js";
export type { BlockMirror } from "./state/block-mirror.js";
export { BLOCK_LIST_CAP, MemoryBlockMirror } from "./state/block-mirror.js";
export type {
  CampaignCheckpointStore,
  CheckpointEntry,
  PendingCheckpoint,
} from "./state/campaign-checkpoints.js";
export { MemoryCampaignCheckpointStore } from "./state/campaign-checkpoints.js";
export type { Clock } from "./state/clock.js";
export { systemClock } from "./state/clock.js";
export type { ConsentEvent, ConsentScope, ConsentStatus, ConsentStore } from "./state/consent.js";
export { consentStatus, MemoryConsentStore, mergeHistories } from "./state/consent.js";
export type { IdentityLink, IdentityStore } from "./state/identity.js";
export { MemoryIdentityStore } from "./state/identity.js";
export type { MemoryStores } from "./state/memory.js";
export { memoryStores } from "./state/memory.js";
export type { RateDecision, RateLimitStore } from "./state/rate-limits.js";
export { MemoryRateLimitStore } from "./state/rate-limits.js";
export type { SendHistoryStore } from "./state/send-history.js";
export { MemorySendHistoryStore } from "./state/send-history.js";
export type { SessionWindowStore } from "./state/session-windows.js";
export { MemorySessionWindowStore } from "./state/session-windows.js";
export type { SharedTemplateList, TemplateListStore } from "./state/template-list.js";
export { MemoryTemplateListStore } from "./state/template-list.js";
export type { DedupState, WebhookDedupStore } from "./state/webhook-dedup.js";
export { DEDUP_LEASE_MS, DEDUP_TTL_MS, MemoryWebhookDedupStore } from "./state/webhook-dedup.js";
export type { FetchTransportOptions } from "./transport/fetch.js";
export { fetchTransport } from "./transport/fetch.js";
export type { Transport, TransportRequest, TransportResponse, TransportTimeouts } from "./transport/types.js";
export type { UndiciTransportOptions } from "./transport/undici.js";
export { undiciTransport } from "./transport/undici.js";
export type {
  AccountUpdateEvent,
  AccountWarningEvent,
  CallEvent,
  ErrorEvent,
  MessageEvent,
  OptInEvent,
  OptOutEvent,
  QualityUpdateEvent,
  StatusEvent,
  StatusPricing,
  TemplateUpdateEvent,
  UnknownEvent,
  UserIdUpdateEvent,
  WebhookError,
  WebhookEvent,
  WebhookSource,
} from "./webhooks/events.js";
export type {
  FetchHandlerContext,
  HandleOptions,
  NodeRequest,
  NodeResponse,
  WebhookFetchHandler,
  WebhookHeaders,
  WebhookOptions,
  WebhookRequest,
  WebhookResponse,
  WebhookResult,
} from "./webhooks/handler.js";
export { Webhooks } from "./webhooks/handler.js";
export type { ContactPayload, InboundMessage, MessageStatusPayload } from "./webhooks/schemas.js";
export type { RawBody } from "./webhooks/verify.js";
export { signWebhookBody, verifyWebhookSignature } from "./webhooks/verify.js";
