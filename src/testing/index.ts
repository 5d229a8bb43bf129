import { signWebhookBody } from "../webhooks/verify.js";

export { FAKE_BLOCK_LIST_CAP, FakeBlockList } from "./fake-block-list.js";
export type { FakeClockOptions } from "./fake-clock.js";
export { FakeClock } from "./fake-clock.js";
export type {
  DropMode,
  FakeCloudApiOptions,
  FakeOperation,
  FakePhoneNumberState,
  FaultOptions,
} from "./fake-cloud-api.js";
export { FakeCloudApi } from "./fake-cloud-api.js";
export type { FakeErrorSpec } from "./fake-errors.js";
export type { FakeEntityHealth, FakeHealth, FakeHealthEntity, FakeHealthIssue } from "./fake-health.js";
export type {
  FakeDeliveryError,
  FakeInboundContent,
  FakeInboundMessage,
  FakeSentMessage,
} from "./fake-messaging.js";
export { FakeMessaging } from "./fake-messaging.js";
export type { FakeBusinessProfile } from "./fake-profile.js";
export type { FakeServer, FakeServerOptions } from "./fake-server.js";
export { startFakeServer } from "./fake-server.js";
export type { FakeTemplateInput } from "./fake-template-store.js";
export { FakeTemplates } from "./fake-template-store.js";
export type { FakeTemplate, FakeTemplateStatus } from "./fake-templates.js";
export { fakeTransport } from "./fake-transport.js";
export type { FakeUploadedFile, FakeUploads } from "./fake-uploads.js";
export type {
  FakeDelivery,
  FakeExecutionContext,
  FakeStatusFlow,
  FakeWebhookRequest,
  FakeWebhookTarget,
} from "./fake-webhooks.js";
export { encodeLikeMeta, FakeWebhooks } from "./fake-webhooks.js";

export { signWebhookBody };
/**
 * The `X-Hub-Signature-256` header value Meta would send for `body`.
 * @deprecated Use {@link signWebhookBody} (the same function, also exported from `wa-guard`).
 * This alias will be removed in the next major release.
 */
export const signWebhook: typeof signWebhookBody = signWebhookBody;
