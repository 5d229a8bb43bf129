/**
 * attack9 — a replay after the de-duplication window is recorded a second time when this server's
 * clock was behind Meta's at the first delivery. The webhook handler records an inbound message at
 * `min(Meta's timestamp, now)` and a 131050 failure the same way (src/webhooks/effects.ts `#message`,
 * src/policy/learn.ts `learnFromCode`), so a message that arrives while our clock still reads the
 * second before Meta's stamp is recorded at our clock (e.g. S − 300 ms, in second S − 1). Eight
 * days later the replay is recorded at Meta's stamp (S · 1000): `appendOnce` compares the whole
 * event, `at` included, finds no match, and appends a second copy in second S, after whatever was
 * recorded in second S — exactly what the change set out to prevent. Worst case (first test): a
 * user's START and STOP of one Meta second, both recorded in our second S − 1; the START replayed
 * later is recorded in second S, after the STOP, and lifts it: marketing reaches Meta after the
 * user's last word was STOP (a lost opt-out). Also: a replayed STOP withdraws a grant made in
 * second S, and a replayed 131050 withdraws Meta's resume of second S. A few hundred milliseconds
 * of skew between Meta and an instance is ordinary (NTP, VMs). The copy under the message id
 * should be found whatever its `at` (the id names the message), or the first delivery should be
 * recorded at the time the replay will be.
 *
 * Fixed: `appendOnce` matches a message by its id whatever time it was recorded at.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisStores } from "../../../src/redis/index.js";
import { MemoryWebhookDedupStore } from "../../../src/state/index.js";
import { sharedRedis } from "../attack6/two.js";
import { DAY, USER, world } from "../world.js";
import { failedStatus, onSecond } from "./helpers.js";

describe("attack9: replays after a first delivery while our clock was behind Meta's", () => {
  it("an old START replayed does not lift the STOP the user sent after it in the same second", async () => {
    const w = onSecond(world());
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const S = w.clock.now() + 5000; // Meta's second
    const start = w.text("wamid.a9-start", S, "START");
    w.clock.set(S - 300); // our clock 300 ms behind Meta's stamp
    await wa.webhooks.handle(w.fake.webhooks.request(start));
    w.clock.set(S - 100);
    await wa.webhooks.handle(w.fake.webhooks.request(w.text("wamid.a9-stop", S, "STOP")));
    expect(await w.outcome(w.promo(wa, 1))).toBe("consent");
    w.clock.advance(8 * DAY);
    expect((await wa.webhooks.handle(w.fake.webhooks.request(start))).status).toBe(200);
    const before = w.reached();
    expect(await w.outcome(w.promo(wa, 2))).toBe("consent"); // today: "sent"
    expect(w.reached()).toBe(before);
  });

  it("an old STOP replayed does not withdraw a grant made in the next second of our clock", async () => {
    const w = onSecond(world());
    const wa = w.client();
    const S = w.clock.now() + 5000;
    const stop = w.stop("wamid.a9-stop2", S);
    w.clock.set(S - 300);
    await wa.webhooks.handle(w.fake.webhooks.request(stop));
    w.clock.set(S + 200); // the user signs up again on the website
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    expect(await w.outcome(w.promo(wa, 1))).toBe("sent");
    w.clock.advance(8 * DAY);
    expect((await wa.webhooks.handle(w.fake.webhooks.request(stop))).status).toBe(200);
    expect(await wa.consent.history(USER)).toHaveLength(2); // today: 3 (a second copy of the STOP)
    expect(await w.outcome(w.promo(wa, 2))).toBe("sent"); // today: "consent"
  });

  it("an old 131050 replayed does not withdraw Meta's resume of the same second", async () => {
    const w = onSecond(world());
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const S = w.clock.now() + 5000;
    const failure = failedStatus(w, "wamid.a9-f", S);
    w.clock.set(S - 300);
    await wa.webhooks.handle(w.fake.webhooks.request(failure));
    w.clock.set(S + 200);
    await wa.webhooks.handle(w.fake.webhooks.request(w.preference("resume", S)));
    expect((await wa.consent.status(USER, "marketing")).granted).toBe(true);
    w.clock.advance(8 * DAY);
    expect((await wa.webhooks.handle(w.fake.webhooks.request(failure))).status).toBe(200);
    expect((await wa.consent.status(USER, "marketing")).granted).toBe(true); // today: false
  });

  it("control: with our clock on or after Meta's stamp, the same START replay lifts nothing", async () => {
    const w = onSecond(world());
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const S = w.clock.now() + 5000;
    const start = w.text("wamid.a9-start-c", S, "START");
    w.clock.set(S + 100);
    await wa.webhooks.handle(w.fake.webhooks.request(start));
    w.clock.set(S + 300);
    await wa.webhooks.handle(w.fake.webhooks.request(w.text("wamid.a9-stop-c", S, "STOP")));
    w.clock.advance(8 * DAY);
    await wa.webhooks.handle(w.fake.webhooks.request(start));
    expect(await w.outcome(w.promo(wa, 2))).toBe("consent");
  });
});

const PREFIX = `attack9-redis-${process.pid}`;
const r = sharedRedis(PREFIX);
beforeAll(r.connect);
afterAll(r.cleanup);

describe("attack9: the skewed START replay with Redis stores", () => {
  it("an old START replayed to a fresh instance does not lift the newer STOP", async () => {
    const w = onSecond(world());
    const stores = () => ({
      ...redisStores(r.redis, { prefix: PREFIX, phoneNumberId: w.fake.phoneNumberId, wabaId: w.fake.wabaId }),
      // Redis keeps dedup entries by its own clock: a fresh dedup store stands for the lapsed window.
      webhookDedup: new MemoryWebhookDedupStore(),
    });
    const wa = w.client({ stores: stores() });
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const S = w.clock.now() + 5000;
    const start = w.text("wamid.a9-start-r", S, "START");
    w.clock.set(S - 300);
    await wa.webhooks.handle(w.fake.webhooks.request(start));
    w.clock.set(S - 100);
    await wa.webhooks.handle(w.fake.webhooks.request(w.text("wamid.a9-stop-r", S, "STOP")));
    w.clock.advance(8 * DAY);
    const later = w.client({ stores: stores() });
    expect((await later.webhooks.handle(w.fake.webhooks.request(start))).status).toBe(200);
    expect(await w.outcome(w.promo(later, 2))).toBe("consent"); // today: "sent"
  });
});
