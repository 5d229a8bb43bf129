import type { MessageTemplate } from "../api/templates.js";
import type { Clock } from "../state/clock.js";

export interface TemplateCacheOptions {
  /**
   * How long a loaded template list is trusted before it is fetched again.
   * @default 600000 (10 minutes)
   */
  ttlMs?: number;
  /**
   * After a miss (a template not in the list), fetch again at most this often, so a newly
   * approved template is found without hammering the API.
   * @default 30000
   */
  missRefreshMs?: number;
}

/** A change to one template, as a status, quality or category webhook announces it. */
export interface TemplateUpdate {
  id?: string;
  name?: string;
  language?: string;
  status?: string;
  category?: string;
  quality?: string;
}

type Change =
  | { kind: "invalidate" }
  | { kind: "upsert"; template: MessageTemplate }
  | { kind: "update"; update: TemplateUpdate };

/**
 * The WABA's templates, loaded from the templates API on first use and refreshed after a TTL.
 * Webhooks (template status updates) can `upsert` changes as they happen.
 */
export class TemplateCache {
  #byKey = new Map<string, MessageTemplate>();
  #loadedAt: number | undefined;
  #loading: Promise<void> | undefined;
  /** Changes made while a list is being fetched: replayed on the new list, which may predate them. */
  #duringLoad: Change[] | undefined;
  readonly #ttlMs: number;
  readonly #missRefreshMs: number;

  constructor(
    private readonly load: () => AsyncIterable<MessageTemplate>,
    private readonly clock: Clock,
    options: TemplateCacheOptions = {},
  ) {
    this.#ttlMs = options.ttlMs ?? 600_000;
    this.#missRefreshMs = options.missRefreshMs ?? 30_000;
  }

  /** The template with this name and language, refreshing the list when it is stale. */
  async get(name: string, language: string): Promise<MessageTemplate | undefined> {
    const now = this.clock.now();
    if (this.#loadedAt === undefined || now - this.#loadedAt >= this.#ttlMs) await this.refresh();
    const hit = this.#byKey.get(key(name, language));
    if (hit || this.#loadedAt === undefined || now - this.#loadedAt < this.#missRefreshMs) return hit;
    await this.refresh();
    return this.#byKey.get(key(name, language));
  }

  /** Fetch the whole list now (concurrent callers share one fetch). */
  refresh(): Promise<void> {
    this.#loading ??= (async () => {
      const during: Change[] = [];
      this.#duringLoad = during;
      try {
        const next = new Map<string, MessageTemplate>();
        for await (const t of this.load()) next.set(key(t.name, t.language), t);
        this.#byKey = next;
        this.#loadedAt = this.clock.now();
        this.#duringLoad = undefined;
        // A webhook that arrived during the fetch is newer than (or as new as) the list.
        for (const change of during) {
          if (change.kind === "invalidate") this.#loadedAt = undefined;
          else if (change.kind === "upsert") this.upsert(change.template);
          else this.applyUpdate(change.update);
        }
      } finally {
        this.#duringLoad = undefined;
        this.#loading = undefined;
      }
    })();
    return this.#loading;
  }

  /** Replace or add one template (e.g. from a status webhook). */
  upsert(template: MessageTemplate): void {
    this.#duringLoad?.push({ kind: "upsert", template });
    this.#byKey.set(key(template.name, template.language), template);
  }

  /**
   * Apply a change Meta announced (a status, quality or category webhook) to the cached
   * template, found by id or by name and language. When it is not cached, the list is marked
   * stale so the next lookup fetches it: a change is never lost.
   */
  applyUpdate(update: TemplateUpdate): void {
    this.#duringLoad?.push({ kind: "update", update });
    let current: MessageTemplate | undefined;
    if (update.id !== undefined) for (const t of this.#byKey.values()) if (t.id === update.id) current = t;
    if (!current && update.name !== undefined && update.language !== undefined)
      current = this.#byKey.get(key(update.name, update.language));
    if (!current) {
      // During a fetch the update is replayed on the new list (and invalidates it if still absent).
      if (!this.#duringLoad) this.invalidate();
      return;
    }
    const next: MessageTemplate = { ...current };
    if (update.status !== undefined) next.status = update.status as MessageTemplate["status"];
    if (update.category !== undefined) next.category = update.category;
    if (update.quality !== undefined) next.qualityScore = { score: update.quality };
    this.#byKey.set(key(next.name, next.language), next);
  }

  /** Forget everything; the next lookup fetches the list. */
  invalidate(): void {
    this.#duringLoad?.push({ kind: "invalidate" });
    this.#loadedAt = undefined;
  }
}

/** Webhooks write languages as `en-US` where the templates API says `en_US`. */
const key = (name: string, language: string) => `${name}\u0000${language.replace("-", "_").toLowerCase()}`;
