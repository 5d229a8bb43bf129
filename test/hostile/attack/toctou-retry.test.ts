/**
 * Attack: Meta answers a retryable error (131057 maintenance, 130429 throughput, 2 downtime…);
 * the client waits (seconds) and sends again. The retry is not checked against the policy state:
 * a STOP, a block or a DISABLE acknowledged during the back-off does not stop it.
 */
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../../src/testing/index.js";
import { tick, USER, until, world } from "../world.js";

describe("a transport retry is checked by the policy again", () => {
  it("a STOP acknowledged during a retry back-off stops the retried marketing template", async () => {
    const w = world({ clock: new FakeClock({ autoAdvance: false }) });
    const wa = w.client({ maxRetries: 2 });
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    w.fake.failNext(1, 131057, { match: (r) => r.url.endsWith("/messages") }); // maintenance mode: retryable, 2.5–5 s back-off
    const pending = w.outcome(w.promo(wa, 1));
    await until(() => w.reached() === 1);
    await tick(20);
    expect(w.reached()).toBe(1); // the first attempt, refused by Meta
    const res = await wa.webhooks.handle(w.fake.webhooks.request(w.stop("wamid.stop", w.clock.now())));
    expect(res.status).toBe(200);
    expect((await wa.consent.status(USER, "marketing")).granted).toBe(false);
    const stoppedAt = w.clock.now();
    w.clock.advance(10_000);
    const result = await pending;
    const after = w.sent.filter((s) => s.at > stoppedAt);
    expect({ result, sentAfterStop: after.length }).toEqual({
      result: expect.not.stringMatching(/^sent$/),
      sentAfterStop: 0,
    });
  });

  it("an account DISABLE acknowledged during a retry back-off stops the retry", async () => {
    const w = world({ clock: new FakeClock({ autoAdvance: false }) });
    const wa = w.client({ maxRetries: 2 });
    await wa.consent.grant(USER, { scope: "utility", source: "form" });
    w.fake.failNext(1, 2, { match: (r) => r.url.endsWith("/messages") }); // temporary downtime
    const pending = w.outcome(w.notice(wa));
    await until(() => w.reached() === 1);
    await tick(20);
    expect(w.reached()).toBe(1); // the first attempt, refused by Meta
    await wa.webhooks.handle(
      w.fake.webhooks.request(
        w.account({ event: "DISABLED_UPDATE", ban_info: { waba_ban_state: "DISABLE" } }, w.clock.now()),
      ),
    );
    const disabledAt = w.clock.now();
    w.clock.advance(10_000);
    const result = await pending;
    const after = w.sent.filter((s) => s.at > disabledAt);
    expect({ result, sentAfterDisable: after.length }).toEqual({
      result: expect.not.stringMatching(/^sent$/),
      sentAfterDisable: 0,
    });
  });
});
