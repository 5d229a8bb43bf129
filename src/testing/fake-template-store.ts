import type { Clock } from "../state/clock.js";
import { systemClock } from "../state/clock.js";
import type { TransportResponse } from "../transport/types.js";
import { errorResponse, jsonResponse } from "./fake-errors.js";
import type { FakeTemplate, FakeTemplateStatus } from "./fake-templates.js";

export type FakeTemplateInput = Omit<FakeTemplate, "id" | "status" | "parameterFormat"> &
  Partial<Pick<FakeTemplate, "id" | "status" | "parameterFormat">>;

const NAME = /^[a-z0-9_]{1,512}$/;
const CATEGORIES = new Set(["MARKETING", "UTILITY", "AUTHENTICATION"]);
const HOUR = 3_600_000;
/** Deleting an approved template locks its name this long. */
const NAME_LOCK_MS = 30 * 24 * HOUR;
/** Templates a WABA may create in a rolling hour. */
const CREATED_PER_HOUR = 100;

function encodeCursor(offset: number): string {
  return btoa(JSON.stringify({ o: offset }));
}
function decodeCursor(cursor: string | null): number | undefined {
  if (!cursor) return 0;
  try {
    const o = (JSON.parse(atob(cursor)) as { o?: unknown }).o;
    return typeof o === "number" && o >= 0 ? o : undefined;
  } catch {
    return undefined;
  }
}

/** The WABA's templates and the `/<WABA_ID>/message_templates` endpoints. */
export class FakeTemplates {
  readonly #byId = new Map<string, FakeTemplate>();
  /** Names of deleted approved templates → when the lock ends (ms). */
  readonly #locked = new Map<string, number>();
  /** When each template created through the API in the last hour was created. */
  #created: number[] = [];
  /** When each approved template was edited (the last 30 days). */
  readonly #edits = new Map<string, number[]>();
  #seq = 0;

  constructor(
    private readonly createdStatus: "PENDING" | "APPROVED",
    private readonly clock: Clock = systemClock,
    /** Templates (each language counts) the WABA may hold: 250, or up to 6,000 when verified. */
    private readonly maxTemplates = 250,
  ) {}

  /** Add a template directly (as if created and reviewed). Status defaults to APPROVED. */
  add(input: FakeTemplateInput): FakeTemplate {
    const template: FakeTemplate = {
      status: "APPROVED",
      parameterFormat: "POSITIONAL",
      ...input,
      id: input.id ?? String(1_000_000_000_000 + ++this.#seq),
    };
    this.#byId.set(template.id, template);
    return template;
  }

  /** Change the status of every language of a template (or one language). */
  setStatus(name: string, status: FakeTemplateStatus, language?: string): void {
    let found = false;
    for (const t of this.#byId.values()) {
      if (t.name === name && (language === undefined || t.language === language)) {
        t.status = status;
        found = true;
      }
    }
    if (!found)
      throw new Error(`FakeCloudApi: no template named ${name}${language ? ` in ${language}` : ""}`);
  }

  find(name: string, language: string): FakeTemplate | undefined {
    for (const t of this.#byId.values()) if (t.name === name && t.language === language) return t;
    return undefined;
  }

  byId(id: string): FakeTemplate | undefined {
    return this.#byId.get(id);
  }

  all(): FakeTemplate[] {
    return [...this.#byId.values()];
  }

  handle(method: string, body: unknown, query: URLSearchParams): TransportResponse {
    if (method === "GET") return this.#list(query);
    if (method === "POST") return this.#create(body);
    if (method === "DELETE") return this.#delete(query);
    return errorResponse({ code: 100, details: `Unsupported method ${method}` });
  }

  handleOne(
    method: string,
    id: string,
    query: URLSearchParams = new URLSearchParams(),
    body?: unknown,
  ): TransportResponse {
    if (method === "POST") return this.#edit(this.#byId.get(id)!, body);
    if (method !== "GET") return errorResponse({ code: 100, details: `Unsupported method ${method}` });
    return jsonResponse(withFields(toJson(this.#byId.get(id)!), query.get("fields")));
  }

  /**
   * `POST /<TEMPLATE_ID>/unpause`: a PAUSED template is APPROVED again. Anything else is refused
   * with `success: false` and a reason. Returns whether the status changed.
   */
  unpause(id: string): { response: TransportResponse; unpaused: boolean } {
    const t = this.#byId.get(id)!;
    if (t.status !== "PAUSED")
      return {
        response: jsonResponse({ success: false, reason: `Template is ${t.status}, not PAUSED` }),
        unpaused: false,
      };
    t.status = "APPROVED";
    return { response: jsonResponse({ success: true }), unpaused: true };
  }

  /**
   * Meta's edit rules: only APPROVED, REJECTED and PAUSED templates can be edited; an approved
   * one once in 24 hours and 10 times in 30 days, and not its category; the edit goes back to
   * review. (The error codes for these refusals are not documented; the fake answers 100.)
   */
  #edit(t: FakeTemplate, body: unknown): TransportResponse {
    const b = (body ?? {}) as Record<string, unknown>;
    if (!["APPROVED", "REJECTED", "PAUSED"].includes(t.status))
      return errorResponse({ code: 100, details: `A ${t.status} template cannot be edited` });
    const category = typeof b["category"] === "string" ? b["category"].toUpperCase() : undefined;
    if (category !== undefined && !CATEGORIES.has(category))
      return errorResponse({ code: 100, details: "category must be MARKETING, UTILITY or AUTHENTICATION" });
    if (t.status === "APPROVED" && category !== undefined && category !== t.category)
      return errorResponse({ code: 100, details: "The category of an approved template cannot be edited" });
    const components = b["components"];
    if (
      components !== undefined &&
      (!Array.isArray(components) ||
        !components.some((c) => String((c as { type?: unknown }).type).toUpperCase() === "BODY"))
    )
      return errorResponse({ code: 100, subcode: 2388072, details: "A BODY component is required" });
    const now = this.clock.now();
    const edits = (this.#edits.get(t.id) ?? []).filter((at) => at > now - 30 * 24 * HOUR);
    if (t.status === "APPROVED" && (edits.some((at) => at > now - 24 * HOUR) || edits.length >= 10))
      return errorResponse({
        code: 100,
        details: "An approved template can be edited once in 24 hours and 10 times in 30 days",
      });
    if (t.status === "APPROVED") edits.push(now);
    this.#edits.set(t.id, edits);
    if (category !== undefined) t.category = category as FakeTemplate["category"];
    if (Array.isArray(components)) t.components = components as FakeTemplate["components"];
    if (b["parameter_format"] === "NAMED" || b["parameter_format"] === "POSITIONAL")
      t.parameterFormat = b["parameter_format"];
    t.status = this.createdStatus;
    return jsonResponse({ success: true });
  }

  #list(query: URLSearchParams): TransportResponse {
    const limit = Math.min(Math.max(Number(query.get("limit") ?? 25) || 25, 1), 1000);
    const offset = decodeCursor(query.get("after"));
    if (offset === undefined) return errorResponse({ code: 100, details: "Invalid cursor" });
    const status = query.get("status")?.toUpperCase();
    const name = query.get("name");
    const matching = this.all().filter(
      (t) => (!status || t.status === status) && (!name || t.name.includes(name)),
    );
    const fields = query.get("fields");
    const data = matching.slice(offset, offset + limit).map((t) => withFields(toJson(t), fields));
    const paging: Record<string, unknown> = {
      cursors: { before: encodeCursor(offset), after: encodeCursor(offset + data.length) },
    };
    if (offset + data.length < matching.length)
      paging["next"] =
        `https://graph.facebook.com/message_templates?after=${encodeCursor(offset + data.length)}`;
    return jsonResponse({ data, paging });
  }

  #create(body: unknown): TransportResponse {
    const b = (body ?? {}) as Record<string, unknown>;
    const name = b["name"];
    const language = b["language"];
    const category = typeof b["category"] === "string" ? b["category"].toUpperCase() : undefined;
    if (typeof name !== "string" || !NAME.test(name))
      return errorResponse({ code: 100, details: "name must be lowercase letters, digits and underscores" });
    if (typeof language !== "string") return errorResponse({ code: 100, details: "language is required" });
    if (!category || !CATEGORIES.has(category))
      return errorResponse({ code: 100, details: "category must be MARKETING, UTILITY or AUTHENTICATION" });
    const components = b["components"];
    if (
      !Array.isArray(components) ||
      !components.some((c) => String((c as { type?: unknown }).type).toUpperCase() === "BODY")
    ) {
      return errorResponse({ code: 100, subcode: 2388072, details: "A BODY component is required" });
    }
    if (this.find(name, language)) {
      return errorResponse({
        code: 100,
        subcode: 2388024,
        message: "Invalid parameter",
        details: `Content in this language already exists for ${name}`,
      });
    }
    const now = this.clock.now();
    const lockedUntil = this.#locked.get(name);
    if (lockedUntil !== undefined && now < lockedUntil) {
      return errorResponse({
        code: 100,
        subcode: 2388023,
        message: "Invalid parameter",
        details: `Message template ${name} is being deleted; its name cannot be used again until ${new Date(lockedUntil).toISOString()} (30 days after the deletion)`,
      });
    }
    if (this.#byId.size >= this.maxTemplates) {
      return errorResponse({
        code: 100,
        subcode: 2388019,
        message: "Invalid parameter",
        details: `Message template limit exceeded: this WhatsApp Business Account already has ${this.#byId.size} templates (at most ${this.maxTemplates})`,
      });
    }
    this.#created = this.#created.filter((at) => now - at < HOUR);
    if (this.#created.length >= CREATED_PER_HOUR) {
      return errorResponse({
        code: 80008,
        details: `Too many message templates created: at most ${CREATED_PER_HOUR} per WhatsApp Business Account per hour`,
      });
    }
    this.#created.push(now);
    const format = b["parameter_format"] === "NAMED" ? "NAMED" : "POSITIONAL";
    const t = this.add({
      name,
      language,
      category: category as FakeTemplate["category"],
      components: components as FakeTemplate["components"],
      parameterFormat: format,
      status: this.createdStatus,
    });
    return jsonResponse({ id: t.id, status: t.status, category: t.category });
  }

  #delete(query: URLSearchParams): TransportResponse {
    const name = query.get("name");
    const id = query.get("hsm_id");
    if (!name) return errorResponse({ code: 100, details: "name is required" });
    const targets = this.all().filter((t) => t.name === name && (!id || t.id === id));
    if (targets.length === 0)
      return errorResponse({ code: 100, details: `Message template "${name}" not found` });
    if (targets.some((t) => t.status === "DISABLED"))
      return errorResponse({ code: 100, details: "Disabled templates cannot be deleted" });
    const now = this.clock.now();
    for (const t of targets) {
      this.#byId.delete(t.id);
      if (t.status === "APPROVED") this.#locked.set(t.name, now + NAME_LOCK_MS);
    }
    return jsonResponse({ success: true });
  }
}

/**
 * Only the fields asked for (and `id`), as the Graph API answers `?fields=`; every field without
 * it. A field the template does not have is left out.
 */
function withFields(json: Record<string, unknown>, fields: string | null): Record<string, unknown> {
  if (!fields) return json;
  const out: Record<string, unknown> = {};
  for (const f of fields.split(",")) {
    const name = f.trim().replace(/\{.*\}$/, "");
    if (name && name in json) out[name] = json[name];
  }
  out["id"] = json["id"];
  return out;
}

function toJson(t: FakeTemplate): Record<string, unknown> {
  return {
    name: t.name,
    parameter_format: t.parameterFormat,
    components: t.components,
    language: t.language,
    status: t.status,
    category: t.category,
    id: t.id,
    ...(t.qualityScore && { quality_score: { score: t.qualityScore, date: 0 } }),
  };
}
