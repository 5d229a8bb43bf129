import * as z from "zod/mini";
import { ValidationError } from "../errors/validation.js";
import { path } from "../internal/path.js";
import type { Assert, Same } from "../internal/type-equal.js";
import { check, formatIssues, lazy } from "../internal/validate.js";
import type { MessageTemplate } from "../state/template.js";
import type { GraphHttp } from "./http.js";
import { requireWabaId } from "./ids.js";
import {
  createTemplateResponse,
  successResponse,
  type TemplateObject,
  templateListResponse,
  templateObject,
} from "./schemas/responses.js";

/** The template shape is declared in `state/` (stores keep template lists); re-exported here. */
export type { MessageTemplate, TemplateCategory, TemplateStatus } from "../state/template.js";

export interface ListTemplatesParams {
  /** Only templates with this status (Meta documents `APPROVED` and `REJECTED`). */
  status?: string;
  /** Page size. @default 100 */
  limit?: number;
  /** Other filters Meta accepts (`name`, `language`, `category`, …), passed through. */
  filters?: Record<string, string>;
  /** Aborts the request(s) in flight. */
  signal?: AbortSignal;
}

export interface TemplatePage {
  /** This page's templates. */
  templates: MessageTemplate[];
  /** Cursor of the next page; absent on the last one. */
  after?: string;
}

const unpauseResponse = lazy(() => z.looseObject({ success: z.boolean(), reason: z.optional(z.string()) }));

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
/** `wa.templates.create(input)`: a template submitted for Meta's review. */
export interface CreateTemplateInput {
  /** Lowercase letters, digits and underscores, at most 512 characters; unique per language. */
  name: string;
  /** Meta may recategorise a template on review (see `TemplateUpdate`). */
  category: "MARKETING" | "UTILITY" | "AUTHENTICATION";
  /** A language code such as `en_US` or `en`. */
  language: string;
  /** How parameters are written: `{{1}}` (`POSITIONAL`, Meta's default) or `{{name}}` (`NAMED`). */
  parameterFormat?: "POSITIONAL" | "NAMED" | undefined;
  /**
   * Components in Meta's shape (`{ type: "BODY", text: "…" }`, `HEADER`, `FOOTER`, `BUTTONS`); at
   * least a BODY. Limits: header text 60, body 1024, footer 60 characters; at most 10 buttons.
   */
  components: Array<{ type: string; [key: string]: unknown }>;
}
/** Fails to compile when the interface and the schema drift apart. */
export type CreateTemplateInputMatchesSchema = Assert<
  Same<CreateTemplateInput, z.infer<typeof createSchema>>
>;

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

const editSchema = lazy(() =>
  z.strictObject({
    category: z.optional(z.enum(["MARKETING", "UTILITY", "AUTHENTICATION"])),
    parameterFormat: z.optional(z.enum(["POSITIONAL", "NAMED"])),
    components: z.optional(
      z
        .array(z.looseObject({ type: z.string() }))
        .check(z.minLength(1, "must hold at least a BODY component")),
    ),
    messageSendTtlSeconds: z.optional(z.int().check(z.minimum(-1), z.maximum(30 * 24 * 3600))),
  }),
);
/** What `templates.edit` may change; name and language never change. */
export interface EditTemplateInput {
  /** `MARKETING`, `UTILITY` or `AUTHENTICATION`; Meta refuses a change of an approved template's category. */
  category?: "MARKETING" | "UTILITY" | "AUTHENTICATION" | undefined;
  /** How parameters are written: `{{1}}` (POSITIONAL) or `{{name}}` (NAMED). */
  parameterFormat?: "POSITIONAL" | "NAMED" | undefined;
  /** The new components in Meta's shape (at least a BODY); they replace the old ones. */
  components?: Array<{ type: string; [key: string]: unknown }> | undefined;
  /** How long Meta keeps trying to deliver (seconds; -1 for Meta's default, at most 30 days). */
  messageSendTtlSeconds?: number | undefined;
}
/** Fails to compile when the interface and the schema drift apart. */
export type EditTemplateInputMatchesSchema = Assert<Same<EditTemplateInput, z.infer<typeof editSchema>>>;

const TEMPLATE_ID = /^\d{1,32}$/;

function requireTemplateId(call: string, id: unknown): string {
  if (typeof id !== "string" || !TEMPLATE_ID.test(id))
    throw new ValidationError(
      `${call}: the template id must be its numeric id as a string (got ${typeof id === "string" ? JSON.stringify(id.slice(0, 40)) : typeof id})`,
    );
  return id;
}

/** `wa.templates`: the WABA's message templates. Needs `wabaId`. */
export class Templates {
  #changed: (() => Promise<void>) | undefined;

  constructor(private readonly http: GraphHttp) {}

  /**
   * Run a change and empty the policy's template cache whatever the outcome: a change Meta applied
   * whose answer was lost (a reset connection, a timeout) must not leave the cache saying
   * APPROVED. An error of the change is thrown, never one of the cache.
   */
  async #changing<T>(change: () => Promise<T>): Promise<T> {
    try {
      return await change();
    } finally {
      await this.#changed?.().catch(() => undefined);
    }
  }

  /** @internal The client points this at the policy's template cache: a change empties it. */
  onChange(listener: () => Promise<void>): void {
    this.#changed = listener;
  }

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
    const res = await this.#changing(() =>
      this.http.request({
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
      }),
    );
    return { id: res.id, status: res.status ?? "PENDING", category: res.category ?? v.category };
  }

  /**
   * Edit a template (`POST /<TEMPLATE_ID>`): its components, category (not of an approved
   * template), parameter format or time to live. An edited template goes back to review (PENDING)
   * and cannot be sent until approved again; the policy's template cache is emptied so the next
   * send sees that. Meta allows editing an approved template once a day and 10 times in 30 days;
   * rejected and paused templates any number of times.
   */
  async edit(
    templateId: string,
    changes: EditTemplateInput,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    const id = requireTemplateId("templates.edit", templateId);
    const result = check(editSchema, changes);
    if (!result.ok)
      throw new ValidationError(`Invalid template edit: ${formatIssues(result.issues)}`, result.issues);
    const v = result.value;
    if (
      v.components === undefined &&
      v.category === undefined &&
      v.parameterFormat === undefined &&
      v.messageSendTtlSeconds === undefined
    )
      throw new ValidationError(
        "templates.edit: nothing to change (give components, category, parameterFormat or messageSendTtlSeconds)",
      );
    await this.#changing(() =>
      this.http.request({
        method: "POST",
        path: path`/${id}`,
        json: {
          ...(v.category && { category: v.category }),
          ...(v.parameterFormat && { parameter_format: v.parameterFormat }),
          ...(v.components && { components: v.components }),
          ...(v.messageSendTtlSeconds !== undefined && { message_send_ttl_seconds: v.messageSendTtlSeconds }),
        },
        schema: successResponse,
        ...(options.signal && { signal: options.signal }),
      }),
    );
  }

  /**
   * Unpause a template Meta paused for low quality (`POST /<TEMPLATE_ID>/unpause`). Meta answers
   * `success` and, when it refuses, a `reason`. The policy's template cache is emptied so the next
   * send reads the template's status again.
   */
  async unpause(
    templateId: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ success: boolean; reason?: string }> {
    const id = requireTemplateId("templates.unpause", templateId);
    const res = await this.#changing(() =>
      this.http.request({
        method: "POST",
        path: path`/${id}/unpause`,
        schema: unpauseResponse,
        ...(options.signal && { signal: options.signal }),
      }),
    );
    return { success: res.success, ...(res.reason !== undefined && { reason: res.reason }) };
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
    await this.#changing(() =>
      this.http.request({
        method: "DELETE",
        path: path`/${requireWabaId(this.http)}/message_templates`,
        query: { name: target.name, hsm_id: target.id },
        schema: successResponse,
        idempotent: true,
        ...(options.signal && { signal: options.signal }),
      }),
    );
  }
}
