/**
 * The results of a run that Meta holds for the template's quality assessment (template pacing),
 * until a status webhook decides them: released (sent) or failed (132015: the template paused).
 */
import { createGraphApiError } from "../errors/graph.js";
import type { Clock } from "../state/clock.js";
import type { StatusEvent } from "../webhooks/events.js";
import type { CampaignResult } from "./types.js";

export type HeldResult = Extract<CampaignResult, { status: "held" }>;
export type SettledResult = Extract<CampaignResult, { status: "sent" | "failed" }>;

/** A held result as its status event decides it; undefined while the event decides nothing yet. */
export function settledResult(held: HeldResult, event: StatusEvent): SettledResult | undefined {
  if (event.status === "failed") {
    const first = event.errors[0];
    const error = createGraphApiError({
      body: {
        code: first?.code ?? 0,
        message: first?.message ?? first?.title ?? "The held message failed",
        ...(first?.details !== undefined && { error_data: { details: first.details } }),
      },
    });
    return { index: held.index, to: held.to, status: "failed", code: first?.code ?? "failed", error };
  }
  if (event.status === "sent" || event.status === "delivered" || event.status === "read") {
    return { ...held, status: "sent" };
  }
  return undefined;
}

/** This run's held results, by correlation id. */
export class HeldResults {
  readonly #held = new Map<string, HeldResult>();
  #settled: (() => void) | undefined;

  get size(): number {
    return this.#held.size;
  }

  add(result: HeldResult): void {
    this.#held.set(result.correlationId, result);
  }

  /** The result a status event settles (and forgets), if it is one of these and decides it. */
  settle(event: StatusEvent & { correlationId: string }): SettledResult | undefined {
    const held = this.#held.get(event.correlationId);
    const update = held && settledResult(held, event);
    if (!update) return undefined;
    this.#held.delete(event.correlationId);
    if (this.#held.size === 0) this.#settled?.();
    return update;
  }

  /** Wait until every held result is settled, or `ms` passed. */
  async wait(ms: number, clock: Clock): Promise<void> {
    const settled = new Promise<void>((resolve) => {
      this.#settled = resolve;
    });
    const timer = new AbortController();
    await Promise.race([settled, clock.sleep(ms, timer.signal).catch(() => undefined)]);
    timer.abort();
    this.#settled = undefined;
  }
}
