/**
 * Attacks: `numberScoped` (one `memoryStores()`-style set shared by clients of two numbers: the
 * second number gets a "twin", `new store.constructor()`). A store set of your own whose rate
 * store subclasses `MemoryRateLimitStore` with a constructor argument (here a metrics sink) is
 * made again with no argument for the second number: the twin is not the store the user built,
 * and its first use throws, so the second number cannot send at all (and its metrics are never
 * counted). The first number (the store itself) is the control.
 */
import { describe, expect, it } from "vitest";
import { memoryStores } from "../../../src/index.js";
import { MemoryRateLimitStore } from "../../../src/state/index.js";
import { CA, SECOND, twoNumbers } from "../attack6/two.js";

class CountingRates extends MemoryRateLimitStore {
  constructor(readonly metrics: { windows: number }) {
    super();
  }
  override async window(...args: Parameters<MemoryRateLimitStore["window"]>) {
    this.metrics.windows++;
    return super.window(...args);
  }
}

describe("a subclassed memory rate store shared by two numbers' clients", () => {
  // By design: another number's twin is the base memory class; give each number its own stores to keep a subclass.
  it.fails("the second number's client sends, and its rate decisions reach the user's store class", async () => {
    const w = twoNumbers();
    const metrics = { windows: 0 };
    const stores = { ...memoryStores(), rateLimits: new CountingRates(metrics) };
    const first = w.client({ transport: w.transport, stores });
    const second = w.client({ transport: w.transport, stores, phoneNumberId: SECOND });
    await first.consent.grant(CA, { scope: "utility", source: "order" });
    expect(await w.notice(first)).toBe("sent");
    const afterFirst = metrics.windows;
    expect(afterFirst).toBeGreaterThan(0);
    expect(await w.notice(second)).toBe("sent");
    expect(metrics.windows).toBeGreaterThan(afterFirst);
  });
});
