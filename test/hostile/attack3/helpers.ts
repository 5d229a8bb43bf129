/** Webhook builders for the identity attacks (attack3), on top of ../world.ts. */
import { sec, world } from "../world.js";

export const BSUID = "US.13491208655302741918";
export const NEW_BSUID = "US.99887766554433221100";

export function idWorld(w = world()) {
  const meta = { display_phone_number: "15550000000", phone_number_id: w.fake.phoneNumberId };
  /** An inbound text, its sender named as Meta chooses (number, BSUID, or both). */
  const inbound = (id: string, at: number, body: string, who: { waId?: string; userId?: string }) =>
    w.entry([
      {
        field: "messages",
        value: {
          messaging_product: "whatsapp",
          metadata: meta,
          contacts: [
            {
              profile: { name: "U" },
              ...(who.waId && { wa_id: who.waId }),
              ...(who.userId && { user_id: who.userId }),
            },
          ],
          messages: [
            {
              ...(who.waId && { from: who.waId }),
              ...(who.userId && { from_user_id: who.userId }),
              id,
              timestamp: String(sec(at)),
              type: "text",
              text: { body },
            },
          ],
        },
      },
    ]);
  const system = (id: string, at: number, sys: Record<string, string>, from?: string) =>
    w.entry([
      {
        field: "messages",
        value: {
          messaging_product: "whatsapp",
          metadata: meta,
          messages: [{ ...(from && { from }), id, timestamp: String(sec(at)), type: "system", system: sys }],
        },
      },
    ]);
  const deliver = (wa: { webhooks: { handle: (r: never) => Promise<{ status: number }> } }, body: unknown) =>
    wa.webhooks.handle(w.fake.webhooks.request(body) as never);
  return { ...w, inbound, system, deliver };
}
