/**
 * Attacks: clocks. A lift is ordered by Meta's timestamp, a restriction learnt locally by the
 * local clock. Meta's clock a minute ahead of the server's (or a server clock a minute behind)
 * makes a REINSTATE stamped "in the future": a restriction learnt during the next minute (a
 * BLOCKED reading, Meta's 368 answer) is then taken as older than the lift and dropped, and
 * sends reach Meta while it refuses them.
 */
import { describe, expect, it } from "vitest";
import { CA, twoNumbers } from "./two.js";

describe("a lift stamped ahead of the local clock", () => {
  it("a WABA BLOCKED reading right after still holds the sends", async () => {
    const w = twoNumbers();
    const wa = w.client({ transport: w.transport });
    await wa.consent.grant(CA, { scope: "utility", source: "order" });
    expect((await w.deliver(wa, w.accountUpdate(w.fake.wabaId, w.ban("DISABLE")))).status).toBe(200);
    // Meta's clock is 60 s ahead of this server's.
    const ahead = w.clock.now() + 60_000;
    expect((await w.deliver(wa, w.accountUpdate(w.fake.wabaId, w.ban("REINSTATE"), ahead))).status).toBe(200);
    expect(await w.notice(wa)).toBe("sent");
    w.fake.setHealth("WABA", { canSendMessage: "BLOCKED", errors: [{ code: 141006, description: "x" }] });
    await wa.account.health({ refresh: true });
    const before = w.reached.length;
    expect(await w.notice(wa)).toBe("account-health");
    expect(w.reached.length).toBe(before);
  });

  it("Meta's 368 right after still holds the next send", async () => {
    const w = twoNumbers();
    const wa = w.client({ transport: w.transport });
    await wa.consent.grant(CA, { scope: "utility", source: "order" });
    const ahead = w.clock.now() + 60_000;
    expect((await w.deliver(wa, w.accountUpdate(w.fake.wabaId, w.ban("REINSTATE"), ahead))).status).toBe(200);
    w.fake.failNext(1, 368, { operation: "send" });
    expect(await w.notice(wa)).toBe("meta:368");
    const before = w.reached.length;
    expect(await w.notice(wa)).toBe("account-health");
    expect(w.reached.length).toBe(before);
  });
});
