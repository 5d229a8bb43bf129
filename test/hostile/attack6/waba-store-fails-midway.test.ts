/**
 * Attacks: a WABA-wide store that fails midway. The account_update DISABLE is written to the
 * WABA-wide store; when that write times out, the webhook must fail (Meta delivers it again) and
 * the redelivery must apply it — not be skipped as already seen. Likewise a REINSTATE whose
 * WABA-level lift fails after the number-level lift went through is retried whole. And a health
 * reading whose WABA-level write fails must not leave the WABA's other number sending.
 */
import { describe, expect, it } from "vitest";
import { MemoryAccountHealthStore, memoryStores, StoreUnavailableError } from "../../../src/index.js";
import { CA, SECOND, twoNumbers } from "./two.js";

/** A memory WABA-wide store whose next `failOpens` opens / `failCloses` closes time out. */
class Flaky extends MemoryAccountHealthStore {
  failOpens = 0;
  failCloses = 0;
  override async open(...args: Parameters<MemoryAccountHealthStore["open"]>) {
    if (this.failOpens > 0) {
      this.failOpens--;
      throw new StoreUnavailableError("waba health", "open", "timeout");
    }
    return super.open(...args);
  }
  override async close(...args: Parameters<MemoryAccountHealthStore["close"]>) {
    if (this.failCloses > 0) {
      this.failCloses--;
      throw new StoreUnavailableError("waba health", "close", "timeout");
    }
    return super.close(...args);
  }
}

describe("the WABA-wide store fails midway", () => {
  const setup = async () => {
    const w = twoNumbers();
    const waba = new Flaky();
    const stores = { ...memoryStores(), wabaHealth: waba };
    const first = w.client({ transport: w.transport, stores });
    const second = w.client({
      transport: w.transport,
      phoneNumberId: SECOND,
      stores: { ...memoryStores(), wabaHealth: waba, consent: stores.consent },
    });
    await first.consent.grant(CA, { scope: "utility", source: "order" });
    return { w, waba, first, second };
  };

  it("a DISABLE whose write timed out is applied when Meta delivers it again", async () => {
    const { w, waba, first, second } = await setup();
    const disable = w.accountUpdate(w.fake.wabaId, w.ban("DISABLE"));
    waba.failOpens = 1;
    const res = await w.deliver(first, disable);
    expect(res.status).not.toBe(200);
    expect((await w.deliver(first, disable)).status).toBe(200);
    const before = w.reached.length;
    expect(await w.notice(second)).toBe("account-health");
    expect(await w.notice(first)).toBe("account-health");
    expect(w.reached.length).toBe(before);
  });

  it("a REINSTATE whose WABA-level lift timed out lifts both when delivered again", async () => {
    const { w, waba, first, second } = await setup();
    expect((await w.deliver(first, w.accountUpdate(w.fake.wabaId, w.ban("DISABLE")))).status).toBe(200);
    w.clock.advance(5_000);
    const reinstate = w.accountUpdate(w.fake.wabaId, w.ban("REINSTATE"));
    waba.failCloses = 1;
    expect((await w.deliver(first, reinstate)).status).not.toBe(200);
    expect((await w.deliver(first, reinstate)).status).toBe(200);
    expect(await w.notice(second)).toBe("sent");
    expect(await w.notice(first)).toBe("sent");
  });

  it("a WABA BLOCKED reading whose WABA-level write failed is reported, and a retry stops the other number", async () => {
    const { w, waba, first, second } = await setup();
    w.fake.setHealth("WABA", { canSendMessage: "BLOCKED", errors: [{ code: 141006, description: "x" }] });
    waba.failOpens = 1;
    await expect(first.account.health({ refresh: true })).rejects.toThrow();
    await first.account.health({ refresh: true });
    expect(await w.notice(second)).toBe("account-health");
  });
});
