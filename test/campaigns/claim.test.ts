import { describe, expect, it } from "vitest";
import { type ClaimContext, claimRecipient } from "../../src/campaigns/claim.js";
import { StoreUnavailableError } from "../../src/errors/store.js";
import { silentLogger } from "../../src/internal/logger.js";
import { MemoryCampaignCheckpointStore } from "../../src/state/campaign-checkpoints.js";
import { FakeClock } from "../../src/testing/fake-clock.js";

// A recipient is claimed in the checkpoint before anything is sent; the claim is refused for a
// person already sent to or attempted, under this identifier or another of theirs.
const NUMBER = "15551230001";
const BSUID = "US.13491208655302741918";

function context(aliases: ClaimContext["aliases"] = async (k) => [k]) {
  const clock = new FakeClock({ start: 1_000 });
  const checkpoints = new MemoryCampaignCheckpointStore({ now: () => clock.now() });
  return { checkpoints, clock, logger: silentLogger, aliases, campaign: "spring", runId: "run_2" };
}

describe("claimRecipient", () => {
  it("claims a new recipient; release() lets a later run send to them", async () => {
    const c = context();
    const claim = await claimRecipient(c, NUMBER, "wag_1");
    expect(claim.kind).toBe("claimed");
    expect(await c.checkpoints.get("spring", NUMBER)).toMatchObject({ state: "pending", run: "run_2" });
    if (claim.kind === "claimed") await claim.release();
    expect(await c.checkpoints.get("spring", NUMBER)).toMatchObject({ state: "released", run: "run_2" });
  });

  it("refuses a person an earlier run sent to under their other identifier, and gives the claim back", async () => {
    const c = context(async (k) => ([NUMBER, BSUID].includes(k) ? [NUMBER, BSUID] : [k]));
    await c.checkpoints.claim("spring", BSUID, {
      state: "pending",
      correlationId: "wag_0",
      run: "run_1",
      at: 0,
    });
    await c.checkpoints.settle("spring", BSUID, { state: "sent", messageId: "wamid.0", run: "run_1", at: 0 });
    const claim = await claimRecipient(c, NUMBER, "wag_1");
    expect(claim).toEqual({
      kind: "taken",
      outcome: { status: "skipped", reason: "already-sent", messageId: "wamid.0" },
    });
    expect(await c.checkpoints.get("spring", NUMBER)).toMatchObject({ state: "released" });
  });

  it("reports a store that fails, releasing a claim it had taken", async () => {
    const down = new StoreUnavailableError("redis", "identity.aliases", "timeout");
    const c = context(async () => {
      throw down;
    });
    expect(await claimRecipient(c, NUMBER, "wag_1")).toEqual({ kind: "store-down", error: down });
    expect(await c.checkpoints.get("spring", NUMBER)).toMatchObject({ state: "released" });
  });
});
