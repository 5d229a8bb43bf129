/**
 * A recipient's claim in the campaign checkpoint, taken before anything is sent: refused when
 * the person (under this identifier or another of theirs) was sent or attempted already, and
 * otherwise held until the send records it (`settle`) or gives it back (`release`).
 */
import { describeError, type Logger } from "../internal/logger.js";
import type { CampaignCheckpointStore } from "../state/campaign-checkpoints.js";
import type { Clock } from "../state/clock.js";
import type { IdentityStore } from "../state/identity.js";
import { checkpointOutcome, type Outcome } from "./outcome.js";

export interface ClaimContext {
  checkpoints: CampaignCheckpointStore;
  /** Every identifier of the person `key` names (the identity store, read when asked). */
  aliases: IdentityStore["aliases"];
  clock: Clock;
  logger: Logger;
  campaign: string;
  runId: string;
}

export type Claim =
  /** Nothing to send: the person's result is already decided. */
  | { kind: "taken"; outcome: Outcome }
  /** The checkpoint (or the identity store) failed; the claim, if taken, was given back. */
  | { kind: "store-down"; error: unknown }
  /** Claimed: send, then settle, or `release()` when nothing was sent. */
  | { kind: "claimed"; release: () => Promise<void> };

/** Claim `key` for this run. Never throws. */
export async function claimRecipient(c: ClaimContext, key: string, correlationId: string): Promise<Claim> {
  const { checkpoints, clock } = c;
  let existing: Awaited<ReturnType<CampaignCheckpointStore["claim"]>>;
  try {
    existing = await checkpoints.claim(c.campaign, key, {
      state: "pending",
      correlationId,
      run: c.runId,
      at: clock.now(),
    });
  } catch (error) {
    return { kind: "store-down", error };
  }
  // A claim refused: sent already, pending, or attempted earlier in this run and not sent
  // (refused, failed) — the same person again. (A store returns another run's `released`
  // entry only by mistake; it is taken as a duplicate, as it always was.)
  if (existing) {
    const outcome = checkpointOutcome(existing, c.runId) ?? { status: "skipped", reason: "duplicate" };
    return { kind: "taken", outcome };
  }
  const release = async () => {
    const entry = { state: "released" as const, run: c.runId, at: clock.now() };
    await checkpoints.release(c.campaign, key, entry).catch((error) =>
      c.logger.warn("wa-guard: could not release a campaign checkpoint claim", {
        campaign: c.campaign,
        error: describeError(error),
      }),
    );
  };
  // The same person under another identifier (their BSUID beside their number) counts as them.
  let twin: Outcome | undefined;
  try {
    twin = await samePerson(c, key);
  } catch (error) {
    await release();
    return { kind: "store-down", error };
  }
  if (twin) {
    await release();
    return { kind: "taken", outcome: twin };
  }
  return { kind: "claimed", release };
}

/**
 * What the checkpoint holds for the person `key` names under their other identifiers: a send
 * (this run's or an earlier one's), or an attempt of this run — then this recipient is that
 * person again and gets nothing. Undefined when none.
 */
async function samePerson(c: ClaimContext, key: string): Promise<Outcome | undefined> {
  const others = (await c.aliases(key)).filter((k) => k !== key);
  for (const other of others) {
    const entry = await c.checkpoints.get(c.campaign, other);
    const outcome = entry && checkpointOutcome(entry, c.runId);
    if (outcome) return outcome;
  }
  return undefined;
}
