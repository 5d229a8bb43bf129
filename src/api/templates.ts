import * as z from "zod/mini";
import { ValidationError } from "../errors/validation.js";
import { path } from "../internal/path.js";
import { check, formatIssues, lazy } from "../internal/validate.js";
import type { GraphHttp } from "./http.js";
import { requireWabaId } from "./ids.js";
import {
  createTemplateResponse,
  successResponse,
  type TemplateObject,
  templateListResponse,
  templateObject,
} from "./schemas/responses.js";

export type TemplateCategory = "MARKETING" | "UTILITY" | "AUTHENTICATION";
export type TemplateStatus =
  | "APPROVED"
  | "PENDING"
  | "REJECTED"
  | "PAUSED"
  | "DISABLED"
  | "IN_APPEAL"
  | "PENDING_DELETION"
  | "LIMIT_EXCEEDED"
  | "ARCHIVED"
  | (string & {});

/** A message template as the templates API returns it. `components` are in Meta's shape. */
export interface MessageTemplate {
  id: string;
  name: string;
  language: string;
  status: TemplateStatus;
  category: TemplateCategory | (string & {});
  subCategory?: string;
  /** How parameters are written: `{{1}}` (POSITIONAL, Meta's default) or `{{name}}` (NAMED). */
  parameterFormat: "POSITIONAL" | "NAMED" | (string & {});
  components: Array<{ type: string; [key: string]: unknown }>;
  qualityScore?: { score: string; date?: number };
  rejectedReason?: string;
}

export interface ListTemplatesParams {
  /** Only templates with this status (Meta documents `APPROVED` and `REJECTED`). */
  status?: string;
  /** Page size. @default 100 */
  limit?: number;
  /** Other filters Meta accepts (`name`, `language`, `category`, …), passed through. */
  filters?: Record<string, string>;
  signal?: AbortSignal;
}

export interface TemplatePage {
  templates: MessageTemplate[];
  /** Cursor of the next page; absent on the last one. */
  after?: string;
}

const DEFAULT_FIELDS =
  "id,name,language,status,category,sub_category,parameter_format,components,quality_score,rejected_reason";

const createSchema = lazy(() =>
  z.strictObject({
    name: z
      .string()
      .check(
        z.regex(/^[a-z0-9_]{1,512}$/, "must be lowercase letters, digits and underscores (at most 512)"),
      ),
    category: z.enum(["MARKETING", "UTILITY", "AUTHENTICATION"]),
    language: z
      .string()
      .check(z.regex(/^[a-z]{2,3}(_[A-Za-z0-9]{2,4})?$/, 'must be a language code such as "en_US"')),
    parameterFormat: z.optional(z.enum(["POSITIONAL", "NAMED"])),
    components: z
      .array(z.looseObject({ type: z.string() }))
      .check(z.minLength(1, "must hold at least a BODY component")),
  }),
);
export type CreateTemplateInput = z.infer<typeof createSchema>;

export function toTemplate(raw: TemplateObject): MessageTemplate {
  const t: MessageTemplate = {
    id: raw.id,
    name: raw.name ?? "",
    language: raw.language ?? "",
    status: raw.status ?? "",
    category: raw.category ?? "",
    parameterFormat: raw.parameter_format ?? "POSITIONAL",
    components: raw.components ?? [],
  };
  if (raw.sub_category !== undefined) t.subCategory = raw.sub_category;
  if (raw.quality_score !== undefined) {
    t.qualityScore = { score: raw.quality_score.score };
    if (raw.quality_score.date !== undefined) t.qualityScore.date = raw.quality_score.date;
  }
  if (raw.rejected_reason !== undefined) t.rejectedReason = raw.rejected_reason;
  return t;
}

/** `wa.templates`: the WABA's message templates. Needs `wabaId`. */
export class Templates {
  constructor(private readonly http: GraphHttp) {}

  /** Iterate over every template, fetching pages as needed. */
  async *list(params: ListTemplatesParams = {}): AsyncGenerator<MessageTemplate, void, undefined> {
    let after: string | undefined;
    do {
      const page = await this.listPage({ ...params, ...(after !== undefined && { after }) });
      yield* page.templates;
      after = page.after;
    } while (after !== undefined);
  }

  /** One page of templates; pass `after` from the previous page to continue. */
  async listPage(params: ListTemplatesParams & { after?: string } = {}): Promise<TemplatePage> {
    const res = await this.http.request({
      method: "GET",
      path: path`/${requireWabaId(this.http)}/message_templates`,
      query: {
        ...params.filters,
        fields: DEFAULT_FIELDS,
        limit: params.limit ?? params.filters?.["limit"] ?? 100,
        ...(params.status !== undefined && { status: params.status }),
        ...(params.after !== undefined && { after: params.after }),
      },
      schema: templateListResponse,
      idempotent: true,
      ...(params.signal && { signal: params.signal }),
    });
    const page: TemplatePage = { templates: res.data.map(toTemplate) };
    const next = res.paging?.cursors?.after;
    if (res.paging?.next !== undefined && next !== undefined && res.data.length > 0) page.after = next;
    return page;
  }

  /** One template by id. */
  async get(templateId: string, options: { signal?: AbortSignal } = {}): Promise<MessageTemplate> {
    const raw = await this.http.request({
      method: "GET",
      path: path`/${templateId}`,
      query: { fields: DEFAULT_FIELDS },
      schema: templateObject,
      idempotent: true,
      ...(options.signal && { signal: options.signal }),
    });
    return toTemplate(raw);
  }

  /** Submit a template for review. `components` use Meta's shape (`{ type: "BODY", text, example }`). */
  async create(
    input: CreateTemplateInput,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ id: string; status: string; category: string }> {
    const result = check(createSchema, input);
    if (!result.ok)
      throw new ValidationError(`Invalid template: ${formatIssues(result.issues)}`, result.issues);
    const v = result.value;
    const res = await this.http.request({
      method: "POST",
      path: path`/${requireWabaId(this.http)}/message_templates`,
      json: {
        name: v.name,
        category: v.category,
        language: v.language,
        ...(v.parameterFormat && { parameter_format: v.parameterFormat }),
        components: v.components,
      },
      schema: createTemplateResponse,
      ...(options.signal && { signal: options.signal }),
    });
    return { id: res.id, status: res.status ?? "PENDING", category: res.category ?? v.category };
  }

  /**
   * Delete a template. By `name` alone every language of it goes; add `id` to delete one.
   * Deleting an approved template blocks its name for 30 days.
   */
  async delete(target: { name: string; id?: string }, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (!target || typeof target.name !== "string" || !/^[a-z0-9_]{1,512}$/.test(target.name)) {
      throw new ValidationError(
        "templates.delete needs the template name (lowercase letters, digits, underscores)",
      );
    }
    if (target.id !== undefined && !/^\d{1,32}$/.test(target.id)) {
      throw new ValidationError("templates.delete: id must be the template's numeric id");
    }
    await this.http.request({
      method: "DELETE",
      path: path`/${requireWabaId(this.http)}/message_templates`,
      query: { name: target.name, hsm_id: target.id },
      schema: successResponse,
      idempotent: true,
      ...(options.signal && { signal: options.signal }),
    });
  }
}
