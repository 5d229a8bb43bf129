/**
 * Attacks: one `memoryStores()` shared by clients of two numbers (`numberScoped`: each number gets
 * its own per-number stores, one twin per number). Two ways to a client of the second number:
 * `new WhatsAppClient({ phoneNumberId: SECOND, stores })`, and `first.withOptions({ phoneNumberId:
 * SECOND })` of a client given the same set. The second leaves the set's per-number stores behind
 * (`businessStores`) and makes fresh ones, so the two clients of one number — on one store set —
 * keep two states: the number's own BLOCKED read by one does not stop the other, whichever was
 * made first.
 */
import { describe, expect, it } from "vitest";
import { memoryStores } from "../../../src/index.js";
import { CA, SECOND, twoNumbers } from "../attack6/two.js";

describe("two clients of the second number on one memoryStores(): a new client and a withOptions copy", () => {
  const blockSecond = async (
    w: ReturnType<typeof twoNumbers>,
    reader: { account: { health(o: { refresh: boolean }): Promise<unknown> } },
  ) => {
    w.fake.setHealth("PHONE_NUMBER", {
      canSendMessage: "BLOCKED",
      errors: [{ code: 141010, description: "x" }],
    });
    await reader.account.health({ refresh: true });
    w.fake.setHealth("PHONE_NUMBER", { canSendMessage: "AVAILABLE" });
  };

  it("new client first, copy second: the new client's BLOCKED reading stops the copy", async () => {
    const w = twoNumbers();
    const stores = memoryStores();
    const first = w.client({ transport: w.transport, stores });
    const second = w.client({ transport: w.transport, stores, phoneNumberId: SECOND });
    const copy = first.withOptions({ phoneNumberId: SECOND });
    await first.consent.grant(CA, { scope: "utility", source: "order" });
    await blockSecond(w, second);
    expect(await w.notice(second)).toBe("account-health");
    const before = w.reached.length;
    expect(await w.notice(copy)).toBe("account-health");
    expect(w.reached.length).toBe(before);
  });

  it("copy first, new client second: the copy's BLOCKED reading stops the new client", async () => {
    const w = twoNumbers();
    const stores = memoryStores();
    const first = w.client({ transport: w.transport, stores });
    const copy = first.withOptions({ phoneNumberId: SECOND });
    const second = w.client({ transport: w.transport, stores, phoneNumberId: SECOND });
    await first.consent.grant(CA, { scope: "utility", source: "order" });
    await blockSecond(w, copy);
    expect(await w.notice(copy)).toBe("account-health");
    const before = w.reached.length;
    expect(await w.notice(second)).toBe("account-health");
    expect(w.reached.length).toBe(before);
  });

  it("control: two new clients of the second number on the set share its BLOCKED", async () => {
    const w = twoNumbers();
    const stores = memoryStores();
    const first = w.client({ transport: w.transport, stores });
    const second = w.client({ transport: w.transport, stores, phoneNumberId: SECOND });
    const again = w.client({ transport: w.transport, stores, phoneNumberId: SECOND });
    await first.consent.grant(CA, { scope: "utility", source: "order" });
    await blockSecond(w, second);
    expect(await w.notice(again)).toBe("account-health");
    expect(await w.notice(first)).toBe("sent");
  });
});
