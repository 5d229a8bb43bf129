/**
 * Attack: a send history without `reserve` (the interface makes it optional: a store of the
 * user's own) is made atomic by a per-store in-process lock. A section stops holding the lock after
 * the *queued* send's own `timeoutMs`, counted from when it queued. Clients that share the store
 * but have different `policy.timeoutMs` let a short-bound send release the lock while a long-bound
 * send (a slow custom guard, well within its own bound) is still between its frequency check and its
 * record: a third send runs its check-then-record concurrently, and both promos go out.
 */
import { describe, expect, it } from "vitest";
import { memoryStores, type SendHistoryStore } from "../../../src/index.js";
import { MemorySendHistoryStore } from "../../../src/state/send-history.js";
import { tick, USER, world } from "../world.js";

/** A store of one's own: every method except the optional `reserve`. */
function historyWithoutReserve(): SendHistoryStore {
  const inner = new MemorySendHistoryStore();
  return {
    record: (e) => inner.record(e),
    release: (e) => inner.release(e),
    reach: (k, n) => inner.reach(k, n),
    marketingSince: (k, s) => inner.marketingSince(k, s),
    sentSince: (k, f, s) => inner.sentSince(k, f, s),
  };
}

describe("the history lock is held for the holder's own bound", () => {
  it("one promo a day, three sends from two clients on one store: one promo reaches Meta", async () => {
    const w = world();
    const stores = { ...memoryStores(), sendHistory: historyWithoutReserve() };
    let slowOnce = true;
    // Client A: a CRM lookup that takes 300 ms once (well within A's 5 s bound).
    const crm = {
      name: "crm",
      check: async () => {
        if (slowOnce) {
          slowOnce = false;
          await tick(300);
        }
        return undefined;
      },
    };
    const frequency = { marketingPerDay: 1, marketingPerWeek: 3, identicalWithinMs: 1 };
    const a = w.client({ stores, policy: { frequency, guards: [crm], timeoutMs: 5000 } });
    // Client B (a worker with a tight latency budget) shares the stores.
    const b = w.client({ stores, policy: { frequency, timeoutMs: 100 } });
    await a.consent.grant(USER, { scope: "marketing", source: "form" });
    await a.consent.grant("+14165550000", { scope: "marketing", source: "form" });
    // Warm the template caches so the three sends reach the lock at once.
    await a.templates.list().next();
    expect(await w.outcome(w.notice(a, "+14165550000"))).toMatch(/consent|sent/);
    expect(await w.outcome(w.notice(b, "+14165550000"))).toMatch(/consent|sent/);
    const base = w.reached();

    const x = w.outcome(w.promo(a, 10)); // holds the lock ~300 ms
    await tick(5);
    const y = w.outcome(w.promo(b, 20, "+14165550000")); // queued; gives up after 100 ms
    await tick(150);
    const z = w.outcome(w.promo(a, 30)); // same user, same day: must be refused
    const results = await Promise.all([x, y, z]);
    const promosToUser = w.sent
      .slice(0)
      .filter((s) => s.body.includes("14165551234") && s.body.includes('"promo"'));
    expect({ results, promosToUser: promosToUser.length, reached: w.reached() - base }).toMatchObject({
      promosToUser: 1,
    });
  });
});
