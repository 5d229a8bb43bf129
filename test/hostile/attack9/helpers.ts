/** attack9's helpers: attack-world payloads the shared world has no builder for. */
import { sec, WA_ID, type world } from "../world.js";

type W = ReturnType<typeof world>;

/** The shared world with its clock on a whole second (Meta's timestamps are whole seconds). */
export function onSecond(w: W, plus = 10_000): W {
  w.clock.set(Math.ceil(w.clock.now() / 1000) * 1000 + plus);
  return w;
}

const metadata = (w: W) => ({ display_phone_number: "15550000000", phone_number_id: w.fake.phoneNumberId });

/** A text message; `at` undefined leaves out its `timestamp` (the field is optional in the schema). */
export function textAt(w: W, id: string, at: number | undefined, body: string) {
  return w.entry([
    {
      field: "messages",
      value: {
        messaging_product: "whatsapp",
        metadata: metadata(w),
        contacts: [{ wa_id: WA_ID, profile: { name: "U" } }],
        messages: [
          {
            from: WA_ID,
            id,
            ...(at !== undefined && { timestamp: String(sec(at)) }),
            type: "text",
            text: { body },
          },
        ],
      },
    },
  ]);
}

/** A failed status of message `id`, stamped `at`, with the given errors. */
export function failedStatus(w: W, id: string, at: number, errors: unknown[] = [{ code: 131050 }]) {
  return w.entry([
    {
      field: "messages",
      value: {
        messaging_product: "whatsapp",
        metadata: metadata(w),
        statuses: [{ id, status: "failed", timestamp: String(sec(at)), recipient_id: WA_ID, errors }],
      },
    },
  ]);
}
