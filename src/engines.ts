/**
 * The engine classes a client is made of (`wa.messages` is a `Messages`, `wa.policy.pipeline` a
 * `Policy`, …), as types only: an application reaches them through the client and never builds
 * one. Type aliases rather than `export type { X }`, so the published declarations cannot present
 * them as values. (The alias lines repeat one shape on purpose: one line per class.)
 */
import type { BlockList as BlockListClass } from "./api/block-users.js";
import type { Media as MediaClass } from "./api/media.js";
import type { Messages as MessagesClass } from "./api/messages.js";
import type { Account as AccountClass } from "./api/phone-numbers.js";
import type { ResumableUploads as ResumableUploadsClass } from "./api/resumable-upload.js";
import type { Templates as TemplatesClass } from "./api/templates.js";
import type { Campaigns as CampaignsClass } from "./campaigns/campaigns.js";
import type { CampaignRun as CampaignRunClass } from "./campaigns/run.js";
import type { Consent as ConsentClass, Sessions as SessionsClass } from "./policy/consent.js";
import type { Policy as PolicyClass } from "./policy/pipeline.js";
import type { TemplateCache as TemplateCacheClass } from "./policy/template-cache.js";
import type { Webhooks as WebhooksClass } from "./webhooks/handler.js";

export type Account = AccountClass;
export type BlockList = BlockListClass;
export type CampaignRun = CampaignRunClass;
export type Campaigns = CampaignsClass;
export type Consent = ConsentClass;
export type Media = MediaClass;
export type Messages = MessagesClass;
export type Policy = PolicyClass;
export type ResumableUploads = ResumableUploadsClass;
export type Sessions = SessionsClass;
export type TemplateCache = TemplateCacheClass;
export type Templates = TemplatesClass;
export type Webhooks = WebhooksClass;
