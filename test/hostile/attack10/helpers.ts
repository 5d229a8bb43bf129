/** attack10's helpers: inbound messages of any shape, under the shared world's signed webhooks. */
import { WA_ID, type world } from "../world.js";

export type W = ReturnType<typeof world>;

export const metadata = (w: W) => ({
  display_phone_number: "15550000000",
  phone_number_id: w.fake.phoneNumberId,
});

/** One `messages` change carrying `message` (given `from` unless it names its own). */
export function inbound(w: W, message: Record<string, unknown>, from = WA_ID) {
  return w.entry([
    {
      field: "messages",
      value: {
        messaging_product: "whatsapp",
        metadata: metadata(w),
        contacts: [{ wa_id: from, profile: { name: "U" } }],
        messages: [{ from, ...message }],
      },
    },
  ]);
}

/** Deliver a payload to a client, signed as Meta signs it. */
export const deliver = (w: W, wa: ReturnType<W["client"]>, payload: unknown) =>
  wa.webhooks.handle(w.fake.webhooks.request(payload));
