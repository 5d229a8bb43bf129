/** A campaign's counts: where they start, and how each result (or a held message settling) moves them. */
import type { CampaignCounts, CampaignResult } from "./types.js";

export const emptyCounts = (): CampaignCounts => ({
  read: 0,
  done: 0,
  sent: 0,
  held: 0,
  refused: 0,
  failed: 0,
  unknown: 0,
  skipped: 0,
  deferred: 0,
  invalid: 0,
  refusedBy: {},
  failedBy: {},
  deferredBy: {},
  skippedBy: {},
});

export const bump = (by: Record<string, number>, key: string | number) => {
  by[key] = (by[key] ?? 0) + 1;
};

/** Count one recipient's result. */
export function countResult(counts: CampaignCounts, result: CampaignResult): void {
  counts.done++;
  switch (result.status) {
    case "sent":
    case "held":
    case "unknown":
    case "invalid":
      counts[result.status]++;
      break;
    case "refused":
    case "skipped":
    case "deferred":
      counts[result.status]++;
      bump(counts[`${result.status}By`], result.reason);
      break;
    case "failed":
      counts.failed++;
      bump(counts.failedBy, result.code);
      break;
  }
}

/** A held result was decided by Meta: it leaves `held` for `sent` or `failed`. */
export function countSettled(
  counts: CampaignCounts,
  update: Extract<CampaignResult, { status: "sent" | "failed" }>,
) {
  counts.held--;
  if (update.status === "failed") {
    counts.failed++;
    bump(counts.failedBy, update.code);
  } else {
    counts.sent++;
  }
}
