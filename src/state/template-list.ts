import type { MessageTemplate } from "./template.js";

/** A template list as one instance fetched it from Meta. */
export interface SharedTemplateList {
  templates: MessageTemplate[];
  /** When it was fetched (ms). */
  fetchedAt: number;
}

/**
 * The WABA's template list shared by every instance, so one fetch from Meta serves the fleet and
 * a template paused by a webhook on one instance is re-read by all. `generation` changes on every
 * `invalidate()`: a list fetched before an invalidation is never stored after it.
 */
export interface TemplateListStore {
  /** The shared list (if any) and the current generation. */
  get(): Promise<{ list: SharedTemplateList | undefined; generation: string }>;
  /** Share a list fetched while the generation was `generation`; ignored if it changed since. */
  set(list: SharedTemplateList, ttlMs: number, generation: string): Promise<void>;
  /** A template changed: drop the shared list and start a new generation. */
  invalidate(): Promise<void>;
  /**
   * In-process stores only: the current generation, read without waiting. Caches sharing such a
   * store look at it on every lookup, so a change one client learns reaches the others at once.
   */
  generationNow?(): string;
}

/**
 * In-process template list. Every client gets one; `withOptions()` copies and clients given the
 * same `memoryStores()` share it, so a pause one of them learns is seen by all at their next send.
 */
export class MemoryTemplateListStore implements TemplateListStore {
  #list: SharedTemplateList | undefined;
  #until = 0;
  #generation = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async get(): Promise<{ list: SharedTemplateList | undefined; generation: string }> {
    const list = this.#list && this.now() < this.#until ? this.#list : undefined;
    return { list, generation: String(this.#generation) };
  }

  async set(list: SharedTemplateList, ttlMs: number, generation: string): Promise<void> {
    if (generation !== String(this.#generation)) return;
    this.#list = list;
    this.#until = this.now() + ttlMs;
  }

  async invalidate(): Promise<void> {
    this.#generation++;
    this.#list = undefined;
  }

  generationNow(): string {
    return String(this.#generation);
  }
}
