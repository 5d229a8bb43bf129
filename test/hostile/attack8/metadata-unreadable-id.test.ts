/**
 * attack8: `metadata.phone_number_id` read by `idText` (src/webhooks/parse.ts). An exact integer
 * is read as its digits; anything else ("a larger one lost digits ... undefined, as if absent")
 * is taken as absent, and an absent id is this client's (`#mine` in effects.ts answers yes). A
 * message addressed to ANOTHER number whose id is present but unreadable therefore opens a window
 * on this one: the very defect the change fixed for exact integers, still there for the rest.
 */
import { describe, expect, it } from "vitest";
import { sec, USER, WA_ID, world } from "../world.js";

type W = ReturnType<typeof world>;
const message = (w: W, phoneNumberId: unknown, id: string) =>
  w.entry([
    {
      field: "messages",
      value: {
        messaging_product: "whatsapp",
        metadata: { display_phone_number: "15550009999", phone_number_id: phoneNumberId },
        contacts: [{ wa_id: WA_ID, profile: { name: "U" } }],
        messages: [
          { from: WA_ID, id, timestamp: String(sec(w.clock.now())), type: "text", text: { body: "hi" } },
        ],
      },
    },
  ]);

describe("a message to another number whose phone_number_id is present but unreadable", () => {
  it.each<[string, unknown]>([
    ["a 17-digit id beyond 2^53 (digits lost in JSON.parse)", JSON.parse("12345678901234567")],
    ["a negative number", -200000000000002],
    ["a fractional number", 200000000000002.5],
    ["an object", { id: "200000000000002" }],
    ["a boolean", true],
  ])("%s opens no window on this number", async (_name, other) => {
    const w = world();
    const wa = w.client();
    const result = await wa.webhooks.handle(w.fake.webhooks.request(message(w, other, "wamid.o")));
    expect(result.status).toBe(200);
    await result.delivered;
    const before = w.reached();
    expect(await w.outcome(wa.messages.sendText({ to: USER, body: "free-form" }))).toBe("session-window");
    expect(w.reached()).toBe(before);
  });

  it("control (holds): the same message with the other number's id as a string opens no window here", async () => {
    const w = world();
    const wa = w.client();
    const result = await wa.webhooks.handle(
      w.fake.webhooks.request(message(w, "12345678901234567", "wamid.o")),
    );
    expect(result.status).toBe(200);
    expect(await w.outcome(wa.messages.sendText({ to: USER, body: "free-form" }))).toBe("session-window");
  });
});
