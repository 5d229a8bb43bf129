/**
 * The root entry, `wa-guard`: what an application needs — the client, the errors and their type
 * guards, the message and event types, the options and their types. Stores live in
 * `wa-guard/stores` (`state/index.ts`); engine classes are types only (`engines.ts`). Every line
 * re-exports one module, so the lists share one shape with the other entries' by nature.
 */
export type { BlockedUser, BlockSkipReason, BlockUserResult, BlockUsersResult } from "./api/block-users.js";
export { MAX_BLOCK_USERS_PER_REQUEST } from "./api/block-users.js";
export type { HealthEntity, HealthIssue, MessagingAvailability, MessagingHealth } from "./api/health.js";
export type { MediaInfo, MediaUpload } from "./api/media.js";
export { MAX_MEDIA_BYTES } from "./api/media.js";
export type { MediaLimit } from "./api/media-limits.js";
export { MEDIA_LIMITS } from "./api/media-limits.js";
export type { SendOptions, SendResult } from "./api/messages.js";
export { validateMessage } from "./api/messages.js";
export type { SendOutcome } from "./api/outcomes.js";
export type {
  AccountHealth,
  ClearRestrictionOptions,
  HealthChangeEvent,
  HealthWatch,
  HealthWatchOptions,
  PhoneNumberInfo,
} from "./api/phone-numbers.js";
export { describeHealth, HEALTH_HOLD_MS } from "./api/phone-numbers.js";
export type {
  BusinessProfile,
  BusinessProfileUpdate,
  BusinessVertical,
  ProfileFinding,
  ProfileReport,
} from "./api/profile.js";
export type { ResumableUploadOptions, UploadedFile, UploadFileType } from "./api/resumable-upload.js";
export type * from "./api/schemas/outbound-types.js";
export type {
  CreateTemplateInput,
  ListTemplatesParams,
  MessageTemplate,
  TemplateCategory,
  TemplatePage,
  TemplateStatus,
} from "./api/templates.js";
export type { CampaignRunEvents } from "./campaigns/run.js";
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
export * from "./deprecated.js";
export type * from "./engines.js";
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
  DEFAULT_OPT_IN_KEYWORDS,
  DEFAULT_OPT_OUT_KEYWORDS,
  DEFAULT_UNSUBSCRIBE_BUTTON_TEXTS,
  normalizeKeyword,
} from "./policy/consent.js";
export type { ContentPolicyOptions } from "./policy/content.js";
export { URL_SHORTENERS } from "./policy/content.js";
export type { ThrottleOptions } from "./policy/guards.js";
export type { FrequencyOptions, MessagingLimitOptions, MessagingTier } from "./policy/limits.js";
export { tierFromMeta } from "./policy/limits.js";
export type { TemplateRuleOptions } from "./policy/marketing-rules.js";
export type { PolicyOptions } from "./policy/options.js";
export type { PolicyVerdict } from "./policy/pipeline.js";
export type { Recipient } from "./policy/recipient.js";
export { canonicalDigits, parseRecipient } from "./policy/recipient.js";
export type { TemplateCacheOptions, TemplateUpdate } from "./policy/template-cache.js";
export type { Guard, PolicyContext } from "./policy/types.js";
export type { WarmUpOptions, WarmUpStep } from "./policy/warm-up.js";
export { DEFAULT_WARM_UP_SCHEDULE } from "./policy/warm-up.js";
export type { Restriction, RestrictionScope } from "./state/account-health.js";
export type { Clock } from "./state/clock.js";
export { systemClock } from "./state/clock.js";
export type { ConsentEvent, ConsentScope, ConsentStatus } from "./state/consent.js";
export type { PolicyStores } from "./state/registry.js";
export type { FetchTransportOptions } from "./transport/fetch.js";
export { fetchTransport } from "./transport/fetch.js";
export type { Transport, TransportRequest, TransportResponse, TransportTimeouts } from "./transport/types.js";
export type { UndiciTransportOptions } from "./transport/undici.js";
export { undiciTransport } from "./transport/undici.js";
export type {
  FetchHandlerContext,
  HandleOptions,
  NodeRequest,
  NodeResponse,
  WebhookFetchHandler,
  WebhookHeaders,
  WebhookRequest,
  WebhookResponse,
} from "./webhooks/adapters.js";
export type * from "./webhooks/events.js";
export type { WebhookResult } from "./webhooks/handler.js";
export type { WebhookOptions } from "./webhooks/options.js";
export type { ContactPayload, InboundMessage, MessageStatusPayload } from "./webhooks/schemas.js";
export type { RawBody } from "./webhooks/verify.js";
export { signWebhookBody, verifyWebhookSignature } from "./webhooks/verify.js";
