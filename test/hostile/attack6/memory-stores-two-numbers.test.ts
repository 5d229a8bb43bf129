/**
 * Attacks: docs/account-health.md, "Which numbers share the WABA's state: in one process, a client
 * and its withOptions({ phoneNumberId }) copies (the same wabaId), and clients given one
 * memoryStores()". Two numbers' clients given one `memoryStores()` to share the WABA's state also
 * share what belongs to one number: the person wrote to the first number, and the second number's
 * free-form message is let through (Meta: 131047, no window with that number); the first number's
 * own BLOCKED reading stops the second.
 */
import { describe, expect, it } from "vitest";
import { memoryStores } from "../../../src/index.js";
import { CA, SECOND, twoNumbers } from "./two.js";

describe("two numbers' clients given one memoryStores()", () => {
  it("a window opened with the first number does not let the second send free-form", async () => {
    const w = twoNumbers();
    const stores = memoryStores();
    const first = w.client({ transport: w.transport, stores });
    const second = w.client({ transport: w.transport, phoneNumberId: SECOND, stores });
    expect((await w.deliver(first, w.inbound("wamid.in-a", "hello", { waId: "14165550101" }))).status).toBe(
      200,
    );
    expect(await w.outcome(second.messages.sendText({ to: CA, body: "Hello from the other number" }))).toBe(
      "session-window",
    );
  });

  it("the first number's own BLOCKED reading does not stop the second", async () => {
    const w = twoNumbers();
    const stores = memoryStores();
    const first = w.client({ transport: w.transport, stores });
    const second = w.client({ transport: w.transport, phoneNumberId: SECOND, stores });
    await first.consent.grant(CA, { scope: "utility", source: "order" });
    w.fake.setHealth("PHONE_NUMBER", {
      canSendMessage: "BLOCKED",
      errors: [{ code: 141010, description: "x" }],
    });
    await first.account.health({ refresh: true });
    expect(await w.notice(first)).toBe("account-health");
    expect(await w.notice(second)).toBe("sent");
  });
});
