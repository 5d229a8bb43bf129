/**
 * The `webhooks` option group: its type, its defaults and its validation, tied together at
 * compile time (a field without a default or a schema entry fails `tsc`).
 */
import * as z from "zod/mini";
import type { Assert, Same } from "../internal/type-equal.js";
import { lazy } from "../internal/validate.js";
import { DEDUP_LEASE_MS, DEDUP_TTL_MS } from "../state/webhook-dedup.js";

/** Webhook handling: de-duplication window, event lease and body size limit (docs/webhooks.md). */
export interface WebhookOptions {
  /**
   * How long a processed event is remembered, so Meta's redeliveries (up to 7 days) reach
   * handlers once.
   * @default 604800000 (7 days)
   */
  dedupTtlMs?: number;
  /**
   * How long one delivery holds an event while it stores the event's effects. A redelivery
   * meeting a live lease is answered 503 and comes again; a lease left by a process that died
   * lapses after this long.
   * @default 60000
   */
  leaseMs?: number;
  /**
   * Larger bodies are refused with 413 before any work (Meta sends at most 3 MB).
   * @default 4194304 (4 MiB)
   */
  maxBodyBytes?: number;
}

/** The default of every webhook option (the `@default` of each field above). */
export const WEBHOOK_DEFAULTS: Readonly<Required<WebhookOptions>> = {
  dedupTtlMs: DEDUP_TTL_MS,
  leaseMs: DEDUP_LEASE_MS,
  maxBodyBytes: 4 * 1024 * 1024,
};

/** Fill in the defaults of validated webhook options (an option given as `undefined` takes its default). */
export function resolveWebhookOptions(options: WebhookOptions): Required<WebhookOptions> {
  return {
    dedupTtlMs: options.dedupTtlMs ?? WEBHOOK_DEFAULTS.dedupTtlMs,
    leaseMs: options.leaseMs ?? WEBHOOK_DEFAULTS.leaseMs,
    maxBodyBytes: options.maxBodyBytes ?? WEBHOOK_DEFAULTS.maxBodyBytes,
  };
}

export const webhookOptionsSchema = lazy(() =>
  z.strictObject({
    dedupTtlMs: z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(90 * 24 * 3_600_000))),
    leaseMs: z.optional(z.number().check(z.int(), z.minimum(1_000), z.maximum(3_600_000))),
    maxBodyBytes: z.optional(z.number().check(z.int(), z.minimum(1024), z.maximum(64 * 1024 * 1024))),
  }),
);

/** The schema accepts exactly the fields of the type. */
export type _WebhookOptionsTied = Assert<
  Same<keyof WebhookOptions, keyof z.infer<typeof webhookOptionsSchema>>
>;
