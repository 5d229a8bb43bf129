/**
 * wa.campaigns.settle(id, to, "not_sent") reads the entry (pending), then writes `released`
 * unconditionally. A status webhook that settles the same entry as `sent` between the two (Meta's
 * "sent"/"delivered" for the message whose answer was lost) is overwritten: the checkpoint forgets
 * a message the user received, and the next run sends them the promotion a second time.
 */
import { describe, expect, it } from "vitest";
import { type CampaignCheckpointStore, MemoryCampaignCheckpointStore } from "../../../src/index.js";
import { campaignWorld, number } from "../../campaigns/world.js";

describe("attack4: settle(not_sent) racing the status webhook", () => {
  // Fixed: settle("not_sent") releases only an entry still pending (releasePending, one step).
  it("a send Meta reports delivered while settle runs is not sent again by the next run", async () => {
    const inner = new MemoryCampaignCheckpointStore();
    let gate: (() => void) | undefined;
    let releasing: (() => void) | undefined;
    const releaseCalled = new Promise<void>((r) => {
      releasing = r;
    });
    const campaigns: CampaignCheckpointStore = {
      claim: (...a) => inner.claim(...a),
      settle: (...a) => inner.settle(...a),
      get: (...a) => inner.get(...a),
      pending: (...a) => inner.pending(...a),
      release: (...a) => inner.release(...a),
      // The release settle() makes: held back until the status webhook has recorded the send.
      releasePending: async (...a) => {
        if (releasing) {
          const wait = new Promise<void>((r) => {
            gate = r;
          });
          releasing();
          releasing = undefined;
          await wait;
        }
        return inner.releasePending(...a);
      },
    };
    const w = campaignWorld({ stores: { campaigns } }, undefined, true);
    const to = number(1);
    await w.optIn(to);
    // Meta accepts the send, the answer is lost: the outcome is unknown.
    w.fake.dropNext(1, "after_request", { match: (r) => String(r.body).includes(to.slice(1)) });
    const one = await w.wa.campaigns.run({ id: "race", template: w.template, recipients: [to] }).report();
    expect(one).toMatchObject({ unknown: 1 });
    expect(w.sentPerUser().get(to.slice(1))).toBe(1);

    // The operator settles it as not sent (their logs were behind) while Meta's statuses arrive.
    const settling = w.wa.campaigns.settle("race", to, "not_sent");
    await releaseCalled;
    await w.fake.webhooks.deliver(w.wa);
    expect((await inner.get("race", to.slice(1)))?.state).toBe("sent");
    gate?.();
    await expect(settling).rejects.toThrow(/recorded as sent .* while settling/);

    // The message reached the user: the next run must not send it again.
    // (Two days later, so no frequency cap hides the second send.)
    w.clock.advance(2 * 24 * 3_600_000);
    await w.wa.campaigns.run({ id: "race", template: w.template, recipients: [to] }).report();
    expect(w.sentPerUser().get(to.slice(1))).toBe(1);
  });
});
