import type { MessageTemplate } from "../api/templates.js";
import type { Clock } from "../state/clock.js";
import type { TemplateListStore } from "../state/template-list.js";

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
  /**
   * With a shared template list (`stores.templates`, e.g. Redis), how long this instance trusts
   * its copy before it looks at the shared one again — so a template paused by a webhook on
   * another instance is seen within this long.
   * @default 5000
   */
  sharedCheckMs?: number;
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

/** Templates whose last change time is remembered, for ordering late webhooks. */
const MAX_STAMPS = 10_000;

/**
 * The WABA's templates, loaded from the templates API on first use and refreshed after a TTL.
 * Webhooks (template status updates) can `upsert` changes as they happen. With a shared
 * {@link TemplateListStore}, one fetch from Meta serves every instance, and a change one instance
 * learns makes every instance read the list again.
 */
export class TemplateCache {
  #byKey = new Map<string, MessageTemplate>();
  /** When the list in use was fetched from Meta (by this instance or another). */
  #loadedAt: number | undefined;
  /** When this instance last looked at the shared list. */
  #checkedAt: number | undefined;
  /** The shared list's generation this cache's list reflects. */
  #generationSeen: string | undefined;
  #loading: Promise<void> | undefined;
  /** A change this instance learnt has not yet dropped the shared copy (the store was down). */
  #sharedInvalidation = false;
  /** Whether the load under way fetches from Meta (or may take the shared copy). */
  #loadingFromMeta = false;
  /** Changes made while a list is being fetched: replayed on the new list, which may predate them. */
  #duringLoad: Change[] | undefined;
  /** Per template and kind of change, when Meta made the latest change applied. */
  readonly #stamps = new Map<string, number>();
  readonly #ttlMs: number;
  readonly #missRefreshMs: number;
  readonly #sharedCheckMs: number;

  constructor(
    private readonly load: () => AsyncIterable<MessageTemplate>,
    private readonly clock: Clock,
    options: TemplateCacheOptions = {},
    private readonly shared?: TemplateListStore,
  ) {
    this.#ttlMs = options.ttlMs ?? 600_000;
    this.#missRefreshMs = options.missRefreshMs ?? 30_000;
    this.#sharedCheckMs = options.sharedCheckMs ?? 5_000;
  }

  /** The template with this name and language, refreshing the list when it is stale. */
  async get(name: string, language: string): Promise<MessageTemplate | undefined> {
    const now = this.clock.now();
    const shared = this.shared;
    // An in-process shared list is looked at on every lookup (it costs nothing); a remote one
    // every sharedCheckMs.
    const sharedMoved =
      shared === undefined
        ? false
        : shared.generationNow
          ? shared.generationNow() !== this.#generationSeen
          : now - (this.#checkedAt ?? 0) >= this.#sharedCheckMs;
    const stale = this.#loadedAt === undefined || now - this.#loadedAt >= this.#ttlMs || sharedMoved;
    if (stale) await this.refresh({ fromMeta: false });
    const hit = this.#byKey.get(key(name, language));
    if (hit || this.#loadedAt === undefined || now - this.#loadedAt < this.#missRefreshMs) return hit;
    await this.refresh();
    return this.#byKey.get(key(name, language));
  }

  /**
   * What to tell a caller whose template `name`/`language` is not in the list held now: the
   * languages `name` exists in, or the closest name in `language` (a typo). Empty when none fits.
   */
  hint(name: string, language: string): string {
    const languages: string[] = [];
    let closest: { name: string; distance: number } | undefined;
    const wanted = key("", language);
    for (const t of this.#byKey.values()) {
      if (t.name === name) languages.push(t.language);
      else if (key("", t.language) === wanted) {
        const distance = editDistance(name, t.name);
        if (!closest || distance < closest.distance) closest = { name: t.name, distance };
      }
    }
    if (languages.length > 0) return `; "${name}" exists in ${languages.sort().join(", ")}`;
    if (closest && closest.distance <= Math.max(2, Math.floor(name.length / 4)))
      return `; did you mean "${closest.name}"?`;
    return "";
  }

  /**
   * Fetch the whole list now (concurrent callers share one fetch). With `fromMeta: false`, a
   * fresh shared list is used instead when there is one.
   */
  refresh(options: { fromMeta?: boolean } = {}): Promise<void> {
    const fromMeta = options.fromMeta !== false;
    // A caller that asked for Meta's list does not settle for a read of the shared copy under way.
    if (this.#loading && fromMeta && !this.#loadingFromMeta)
      return this.#loading.catch(() => undefined).then(() => this.refresh(options));
    if (!this.#loading) this.#loadingFromMeta = fromMeta;
    this.#loading ??= (async () => {
      const during: Change[] = [];
      this.#duringLoad = during;
      try {
        let generation: string | undefined;
        let list: MessageTemplate[] | undefined;
        let fetchedAt = 0;
        if (this.shared) {
          try {
            // An invalidation that could not reach the shared store: the copy there is stale.
            if (this.#sharedInvalidation) await this.#invalidateShared();
            const found = await this.shared.get();
            generation = found.generation;
            if (!fromMeta && found.list && this.clock.now() - found.list.fetchedAt < this.#ttlMs) {
              list = found.list.templates;
              fetchedAt = found.list.fetchedAt;
            }
          } catch {
            // The shared copy is an optimisation; Meta is the source of truth. While it cannot be
            // read, a list of our own that is still fresh stays in use (no fetch every check).
            const now = this.clock.now();
            if (!fromMeta && this.#loadedAt !== undefined && now - this.#loadedAt < this.#ttlMs) {
              this.#checkedAt = now;
              return;
            }
          }
        }
        if (!list) {
          list = [];
          for await (const t of this.load()) list.push(t);
          fetchedAt = this.clock.now();
          // Stored only if no instance invalidated the list while this one was fetching it.
          if (this.shared && generation !== undefined && during.length === 0)
            await this.shared
              .set({ templates: list, fetchedAt }, this.#ttlMs, generation)
              .catch(() => undefined);
        }
        const next = new Map<string, MessageTemplate>();
        for (const t of list) next.set(key(t.name, t.language), t);
        this.#byKey = next;
        this.#loadedAt = fetchedAt;
        this.#checkedAt = this.clock.now();
        this.#generationSeen = generation;
        this.#duringLoad = undefined;
        // A webhook that arrived during the fetch is newer than (or as new as) the list.
        for (const change of during) {
          if (change.kind === "invalidate") this.#loadedAt = undefined;
          else if (change.kind === "upsert") this.upsert(change.template);
          else this.#apply(change.update);
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
   * stale so the next lookup fetches it: a change is never lost. A shared list is dropped, so
   * every instance reads the change. Rejects only when the shared store cannot be reached.
   *
   * `at` is when Meta made the change: a change older than the latest one applied to the same
   * template is ignored (a late UNPAUSED never lifts a newer PAUSED). A change that makes a
   * template sendable again is never taken from the webhook alone: the list is fetched again,
   * so Meta's own list decides.
   */
  async applyUpdate(update: TemplateUpdate, at?: number): Promise<void> {
    if (at !== undefined && !this.#newest(update, at)) return;
    if (update.status === "APPROVED") {
      this.#duringLoad?.push({ kind: "invalidate" });
      this.#loadedAt = undefined;
    } else this.#apply(update);
    await this.#invalidateShared();
  }

  /** Whether a change stamped `at` is at least as new as the last of its kind; remembers it. */
  #newest(update: TemplateUpdate, at: number): boolean {
    const kind =
      update.status !== undefined ? "status" : update.quality !== undefined ? "quality" : "category";
    const who =
      update.id ?? (update.name !== undefined ? key(update.name, update.language ?? "") : undefined);
    if (who === undefined) return true;
    const stamp = `${kind}\u0000${who}`;
    const last = this.#stamps.get(stamp);
    if (last !== undefined && at < last) return false;
    this.#stamps.delete(stamp);
    this.#stamps.set(stamp, at);
    if (this.#stamps.size > MAX_STAMPS) this.#stamps.delete(this.#stamps.keys().next().value as string);
    return true;
  }

  /** Drop the shared copy; if that fails, try again before this instance next reads it. */
  async #invalidateShared(): Promise<void> {
    if (!this.shared) return;
    this.#sharedInvalidation = true;
    await this.shared.invalidate();
    this.#sharedInvalidation = false;
    // This cache already holds the change it announced; the others read the list again.
    if (this.shared.generationNow && this.#loadedAt !== undefined)
      this.#generationSeen = this.shared.generationNow();
  }

  #apply(update: TemplateUpdate): void {
    this.#duringLoad?.push({ kind: "update", update });
    let current: MessageTemplate | undefined;
    if (update.id !== undefined) for (const t of this.#byKey.values()) if (t.id === update.id) current = t;
    if (!current && update.name !== undefined && update.language !== undefined)
      current = this.#byKey.get(key(update.name, update.language));
    if (!current) {
      // During a fetch the update is replayed on the new list (and invalidates it if still absent).
      if (!this.#duringLoad) this.#loadedAt = undefined;
      return;
    }
    const next: MessageTemplate = { ...current };
    if (update.status !== undefined) next.status = update.status as MessageTemplate["status"];
    if (update.category !== undefined) next.category = update.category;
    if (update.quality !== undefined) next.qualityScore = { score: update.quality };
    this.#byKey.set(key(next.name, next.language), next);
  }

  /** Forget everything (here and in the shared list); the next lookup fetches the list. */
  async invalidate(): Promise<void> {
    this.#duringLoad?.push({ kind: "invalidate" });
    this.#loadedAt = undefined;
    await this.#invalidateShared();
  }
}

/** Webhooks write languages as `en-US` where the templates API says `en_US`. */
const key = (name: string, language: string) => `${name}\u0000${language.replace("-", "_").toLowerCase()}`;

/** Levenshtein distance (names are at most 512 characters; only computed for a refusal). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, substitution);
    }
    prev = cur;
  }
  return prev[b.length] as number;
}
