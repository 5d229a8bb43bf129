/**
 * Attack: the block mirror is written only after Meta's answer is read. When the answer is lost
 * (the request reached Meta and Meta blocked the user, the response never came back: outcome
 * "unknown"), or the mirror write fails after Meta blocked, the user is blocked at Meta and not in
 * the mirror: the next send to them passes the blocklist guard and reaches Meta (130403).
 * Invariant 5 says a failure must leave the stricter state.
 */
import { describe, expect, it } from "vitest";
import { type BlockMirror, memoryStores } from "../../../src/index.js";
import { USER, world } from "../world.js";

describe("a block is never forgotten, even when its answer is lost", () => {
  it("block answer dropped after Meta applied it: the next reply is refused", async () => {
    const w = world();
    const wa = w.client();
    w.fake.messaging.receiveMessage(USER, { text: "you people again" });
    await w.fake.webhooks.deliver(wa);
    w.fake.dropNext(1, "after_request", { match: (r) => r.url.includes("block_users") });
    const res = await wa.blocklist.block([USER]);
    expect(res.results[0]?.status).toBe("unreported");
    expect(w.fake.blocklist.has(USER)).toBe(true); // Meta blocked them
    const before = w.reached();
    const outcome = await w.outcome(wa.messages.sendText({ to: USER, body: "hello?" }));
    expect({ outcome, reachedMeta: w.reached() - before }).toEqual({ outcome: "blocklist", reachedMeta: 0 });
  });

  it("a mirror that cannot take the block fails it before Meta is asked; the block retried later holds", async () => {
    const w = world();
    const stores = memoryStores();
    let failAdd = true;
    const blockMirror = new Proxy(stores.blockMirror, {
      get(target, prop, receiver) {
        if (prop === "add" && failAdd)
          return async () => {
            failAdd = false;
            throw new Error("ETIMEDOUT (store stalled)");
          };
        const v = Reflect.get(target, prop, receiver);
        return typeof v === "function" ? v.bind(target) : v;
      },
    }) as BlockMirror;
    const wa = w.client({ stores: { ...stores, blockMirror } });
    w.fake.messaging.receiveMessage(USER, { text: "you people again" });
    await w.fake.webhooks.deliver(wa);
    const first = await wa.blocklist.block([USER]);
    expect(first.results[0]?.status).toBe("failed");
    expect(w.fake.blocklist.has(USER)).toBe(false); // nothing was sent
    const second = await wa.blocklist.block([USER]);
    expect(second.results[0]?.status).toBe("added");
    expect(w.fake.blocklist.has(USER)).toBe(true);
    const before = w.reached();
    const outcome = await w.outcome(wa.messages.sendText({ to: USER, body: "hello?" }));
    expect({ outcome, reachedMeta: w.reached() - before }).toEqual({ outcome: "blocklist", reachedMeta: 0 });
  });
});
