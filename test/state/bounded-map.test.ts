import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BoundedMap } from "../../src/internal/bounded-map.js";
import { consentStatus } from "../../src/state/consent.js";
import { MemoryRateLimitStore } from "../../src/state/rate-limits.js";

describe("BoundedMap", () => {
  it("never holds more than max entries and evicts the least recently used", () => {
    const m = new BoundedMap<string, number>(2);
    m.set("a", 1);
    m.set("b", 2);
    m.get("a");
    m.set("c", 3);
    expect(m.get("b")).toBeUndefined();
    expect(m.get("a")).toBe(1);
    expect(m.size).toBe(2);
  });
});

describe("rate limits never over-admit", () => {
  it("sliding window: at most `limit` events in any window, whatever the timing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 300 }),
        async (limit, gaps) => {
          const store = new MemoryRateLimitStore();
          const admitted: number[] = [];
          let now = 0;
          for (const gap of gaps) {
            now += gap;
            if ((await store.window("k", limit, 1000, now, true)).ok) admitted.push(now);
          }
          for (let i = limit; i < admitted.length; i++)
            expect(admitted[i]! - admitted[i - limit]!).toBeGreaterThanOrEqual(1000);
        },
      ),
    );
  });

  it("token bucket: never more than burst + elapsed/interval", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 45 }),
        fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 200 }),
        async (burst, gaps) => {
          const store = new MemoryRateLimitStore();
          let now = 0;
          let admitted = 0;
          for (const gap of gaps) {
            now += gap;
            if ((await store.bucket("k", burst, 6000, now, true)).ok) admitted++;
            expect(admitted).toBeLessThanOrEqual(burst + Math.floor(now / 6000));
          }
        },
      ),
    );
  });
});

describe("consent ledger", () => {
  it("STOP withdraws every scope; START restores the earlier grants", () => {
    const e = (action: "grant" | "revoke", scope: string) => ({
      key: "1",
      action,
      scope,
      source: "t",
      at: 0,
    });
    const ledger = [e("grant", "marketing"), e("revoke", "all"), e("grant", "all")];
    expect(consentStatus(ledger.slice(0, 1), "marketing").granted).toBe(true);
    expect(consentStatus(ledger.slice(0, 2), "marketing").granted).toBe(false);
    expect(consentStatus(ledger, "marketing").granted).toBe(true);
    expect(consentStatus(ledger, "utility").granted).toBe(false);
  });
});
