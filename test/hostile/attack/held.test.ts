/** Attacks that held: kept as regression tests (these pass). */
import { describe, expect, it } from "vitest";
import { memoryStores, type WebhookDedupStore } from "../../../src/index.js";
import { DAY, HOUR, tick, USER, world } from "../world.js";

describe("attacks that held from the start", () => {
  it("a START replayed after the dedup window does not undo a newer STOP", async () => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const t0 = w.clock.now();
    const start = w.text("wamid.start", t0, "START");
    await wa.webhooks.handle(w.fake.webhooks.request(start));
    w.clock.advance(HOUR);
    await wa.webhooks.handle(w.fake.webhooks.request(w.stop("wamid.stop", w.clock.now())));
    w.clock.advance(8 * DAY);
    await wa.webhooks.handle(w.fake.webhooks.request(start));
    expect(await w.outcome(w.promo(wa))).toBe("consent");
    expect(w.reached()).toBe(0);
  });

  it("a lease stolen after lapsing and then abandoned by the slow first delivery loses no STOP", async () => {
    const w = world();
    const stores = memoryStores();
    let slow = true;
    const consent = {
      append: async (e: Parameters<typeof stores.consent.append>[0]) => {
        if (slow && e.action === "revoke") {
          slow = false;
          await tick(50);
          throw new Error("timeout");
        }
        return stores.consent.append(e);
      },
      history: (k: string) => stores.consent.history(k),
    };
    const a = w.client({ stores: { ...stores, consent }, webhooks: { leaseMs: 1000 } });
    const b = w.client({ stores });
    await b.consent.grant(USER, { scope: "marketing", source: "form" });
    const body = w.stop("wamid.s", w.clock.now());
    const first = a.webhooks.handle(w.fake.webhooks.request(body));
    await tick(5);
    w.clock.advance(2000); // A's lease lapsed while A's store call still hangs
    const second = await b.webhooks.handle(w.fake.webhooks.request(body));
    expect((await first).status).toBe(500);
    expect(second.status).toBe(200);
    expect(await w.outcome(w.promo(b))).toBe("consent");
  });

  it("withOptions() copies with a memory history share the frequency cap under a burst", async () => {
    const w = world();
    const frequency = { marketingPerDay: 1, marketingPerWeek: 3, identicalWithinMs: 1 };
    const wa = w.client({ policy: { frequency } });
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const clients = [wa, ...Array.from({ length: 5 }, () => wa.withOptions({}))];
    const results = await Promise.all(clients.map((c, i) => w.outcome(w.promo(c, i))));
    expect(results.filter((r) => r === "sent")).toHaveLength(1);
  });

  it("a dedup store whose complete() throws after storing answers 500 and the STOP stays applied", async () => {
    const w = world();
    const stores = memoryStores();
    let fail = true;
    const webhookDedup = new Proxy(stores.webhookDedup, {
      get(target, prop, receiver) {
        if (prop === "complete")
          return async (...args: Parameters<WebhookDedupStore["complete"]>) => {
            await target.complete(...args);
            if (fail) {
              fail = false;
              throw new Error("timeout after write");
            }
          };
        const v = Reflect.get(target, prop, receiver);
        return typeof v === "function" ? v.bind(target) : v;
      },
    }) as WebhookDedupStore;
    const wa = w.client({ stores: { ...stores, webhookDedup } });
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const res = await wa.webhooks.handle(w.fake.webhooks.request(w.stop("wamid.x", w.clock.now())));
    expect(res.status).toBe(500);
    expect(await w.outcome(w.promo(wa))).toBe("consent");
  });
});
