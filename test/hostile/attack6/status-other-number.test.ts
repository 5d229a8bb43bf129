/**
 * Attacks: one app, one webhook URL for all its numbers (the handler already keeps a message to
 * another number from opening a window on this one). A failed status of a message the WABA's
 * *other* number sent carries that number's `metadata.phone_number_id`; what Meta says about it —
 * 131048 (that number's spam rate limit), 131047 (that number's window with the person is
 * closed) — is about that number. Handled by the first number's client, it must not stop the
 * first number.
 */
import { describe, expect, it } from "vitest";
import { CA, SECOND, twoNumbers } from "./two.js";

const CA_WA = "14165550101";

function failedStatus(w: ReturnType<typeof twoNumbers>, phoneNumberId: string, code: number) {
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: w.fake.wabaId,
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550000002", phone_number_id: phoneNumberId },
              statuses: [
                {
                  id: `wamid.other-${code}`,
                  status: "failed",
                  timestamp: String(Math.floor(w.clock.now() / 1000)),
                  recipient_id: CA_WA,
                  errors: [{ code, title: "failed" }],
                },
              ],
            },
          },
        ],
      },
    ],
  };
}

describe("a failed status of the other number's message, handled by this number's client", () => {
  it("131048 (the other number's spam limit) does not stop this number's templates", async () => {
    const w = twoNumbers();
    const wa = w.client({ transport: w.transport });
    await wa.consent.grant(CA, { scope: "utility", source: "order" });
    expect(await w.notice(wa)).toBe("sent");
    expect((await w.deliver(wa, failedStatus(w, SECOND, 131048))).status).toBe(200);
    expect(await w.notice(wa)).toBe("sent");
  });

  it("131047 (the other number's window is closed) does not close this number's window", async () => {
    const w = twoNumbers();
    const wa = w.client({ transport: w.transport });
    // The person writes to this number: its window is open.
    expect((await w.deliver(wa, w.inbound("wamid.in1", "hello", { waId: CA_WA }))).status).toBe(200);
    w.clock.advance(1_000);
    expect(await w.outcome(wa.messages.sendText({ to: CA, body: "Hi, how can we help?" }))).toBe("sent");
    expect((await w.deliver(wa, failedStatus(w, SECOND, 131047))).status).toBe(200);
    w.clock.advance(1_000);
    expect(await w.outcome(wa.messages.sendText({ to: CA, body: "Your order is on its way" }))).toBe("sent");
  });
});
