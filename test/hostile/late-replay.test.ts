/**
 * Replays after the de-duplication window (7 days). The store has forgotten the event, so its
 * effects are applied again; they must be idempotent, or a replay decides what a later event of
 * the same second already decided. Found by the model-based test in test/webhooks/model.test.ts
 * once it learnt to replay late: an unsubscribe tap replayed eight days on withdrew the consent
 * the user had given again in the same second (Meta's timestamps are seconds, and the ledger
 * orders events of one second by when they were recorded, so the replay came out last).
 */
import { describe, expect, it } from "vitest";
import type { WebhookEvent } from "../../src/index.js";
import { DAY, sec, USER, WA_ID, world } from "./world.js";

function lateWorld() {
  const w = world();
  // The clock on a whole second, as Meta's timestamps are.
  w.clock.set(Math.ceil(w.clock.now() / 1000) * 1000);
  const failed131050 = (id: string, at: number) =>
    w.entry([
      {
        field: "messages",
        value: {
          messaging_product: "whatsapp",
          metadata: { display_phone_number: "15550000000", phone_number_id: w.fake.phoneNumberId },
          statuses: [
            {
              id,
              status: "failed",
              timestamp: String(sec(at)),
              recipient_id: WA_ID,
              errors: [{ code: 131050, title: "User stopped marketing" }],
            },
          ],
        },
      },
    ]);
  return { ...w, failed131050 };
}

describe("hostile webhooks: a replay after the de-duplication window re-decides nothing", () => {
  it("a STOP replayed after a grant of the same second leaves the grant standing", async () => {
    const w = lateWorld();
    const wa = w.client();
    const stop = w.stop("wamid.stop-s", w.clock.now());
    await wa.webhooks.handle(w.fake.webhooks.request(stop));
    w.clock.advance(400); // the user signs up again on the website, within the same second
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    expect(await w.outcome(w.promo(wa, 1))).toBe("sent");
    w.clock.advance(8 * DAY);
    const replay = await wa.webhooks.handle(w.fake.webhooks.request(stop));
    expect(replay.status).toBe(200);
    expect((await wa.consent.status(USER, "marketing")).granted).toBe(true);
    expect(await w.outcome(w.promo(wa, 2))).toBe("sent");
  });

  it("Meta's marketing stop (no id) replayed after a resume of the same second withdraws it again: the safe side", async () => {
    const w = lateWorld();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    w.clock.advance(1000);
    const t = w.clock.now();
    const stop = w.preference("stop", t);
    await wa.webhooks.handle(w.fake.webhooks.request(stop));
    await wa.webhooks.handle(w.fake.webhooks.request(w.preference("resume", t)));
    expect((await wa.consent.status(USER, "marketing")).granted).toBe(true);
    w.clock.advance(8 * DAY);
    // Without an id, a replay cannot be told from a new stop of that second, and a stop is never
    // dropped (test/hostile/attack9/preference-same-second.test.ts): marketing waits for the user.
    expect((await wa.webhooks.handle(w.fake.webhooks.request(stop))).status).toBe(200);
    expect((await wa.consent.status(USER, "marketing")).granted).toBe(false);
    expect(await w.outcome(w.promo(wa))).toBe("consent");
  });

  it("a 131050 failure replayed after a resume of the same second leaves marketing resumed", async () => {
    const w = lateWorld();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    w.clock.advance(1000);
    const t = w.clock.now();
    const failure = w.failed131050("wamid.f1", t);
    await wa.webhooks.handle(w.fake.webhooks.request(failure));
    await wa.webhooks.handle(w.fake.webhooks.request(w.preference("resume", t)));
    expect((await wa.consent.status(USER, "marketing")).granted).toBe(true);
    w.clock.advance(8 * DAY);
    expect((await wa.webhooks.handle(w.fake.webhooks.request(failure))).status).toBe(200);
    expect((await wa.consent.status(USER, "marketing")).granted).toBe(true);
  });

  it("a replayed STOP still withdraws what no later event decided, and reaches listeners (documented)", async () => {
    const w = lateWorld();
    const wa = w.client();
    const heard: WebhookEvent[] = [];
    wa.on("optOut", (e) => void heard.push(e));
    const stop = w.stop("wamid.stop-r", w.clock.now());
    await (await wa.webhooks.handle(w.fake.webhooks.request(stop))).delivered;
    w.clock.advance(3 * DAY);
    await wa.consent.revoke(USER, { scope: "marketing", source: "crm" });
    w.clock.advance(6 * DAY);
    const replay = await wa.webhooks.handle(w.fake.webhooks.request(stop));
    await replay.delivered;
    expect(replay.events.map((e) => e.kind)).toEqual(["message", "optOut"]);
    expect(heard).toHaveLength(2);
    expect(await w.outcome(w.promo(wa))).toBe("consent");
  });

  it("an old START replayed undoes no newer STOP", async () => {
    const w = lateWorld();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const start = w.text("wamid.start-old", w.clock.now(), "START");
    await wa.webhooks.handle(w.fake.webhooks.request(start));
    w.clock.advance(DAY);
    await wa.webhooks.handle(w.fake.webhooks.request(w.stop("wamid.stop-new", w.clock.now())));
    w.clock.advance(9 * DAY);
    expect((await wa.webhooks.handle(w.fake.webhooks.request(start))).status).toBe(200);
    const before = w.reached();
    expect(await w.outcome(w.promo(wa))).toBe("consent");
    expect(w.reached()).toBe(before);
  });
});

describe("processInbound with Meta's message id", () => {
  it("records the same message once, with the id as its proof; without an id every call counts", async () => {
    const w = lateWorld();
    const wa = w.client();
    const at = w.clock.now();
    for (let i = 0; i < 2; i++)
      expect(await wa.consent.processInbound({ from: USER, text: "STOP", at, messageId: "wamid.x" })).toBe(
        "opt-out",
      );
    const once = await wa.consent.history(USER);
    expect(once.map((e) => [e.action, e.source, e.proof])).toEqual([["revoke", "keyword:STOP", "wamid.x"]]);
    await wa.consent.processInbound({ from: USER, text: "STOP", at });
    await wa.consent.processInbound({ from: USER, text: "STOP", at });
    expect(await wa.consent.history(USER)).toHaveLength(3);
  });

  it.each([[""], [42], [null]])(
    "refuses a messageId of %j with a ValidationError, recording nothing",
    async (id) => {
      const w = lateWorld();
      const wa = w.client();
      await expect(
        wa.consent.processInbound({ from: USER, text: "STOP", messageId: id as unknown as string }),
      ).rejects.toMatchObject({ name: "ValidationError", message: expect.stringContaining("messageId") });
      expect(await wa.consent.history(USER)).toHaveLength(0);
    },
  );

  it.each([
    [{ text: 10n }, "text"],
    [{ buttonPayload: Symbol("x") }, "buttonPayload"],
    [{ text: "STOP", at: 1.5 }, "milliseconds since 1970, whole"],
    [{ text: "hi", opensWindow: "yes" }, "opensWindow"],
  ])("refuses %o with a ValidationError naming it, opening no window", async (fields, says) => {
    const w = lateWorld();
    const wa = w.client();
    const signal = { from: USER, ...fields } as unknown as Parameters<typeof wa.consent.processInbound>[0];
    await expect(wa.consent.processInbound(signal)).rejects.toMatchObject({
      name: "ValidationError",
      message: expect.stringContaining(says),
    });
    expect((await wa.sessions.status(USER)).open).toBe(false);
    expect(await wa.consent.history(USER)).toHaveLength(0);
  });
});
