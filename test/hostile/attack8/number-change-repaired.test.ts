/**
 * attack8: repair on a system message. A `user_changed_number` whose new number (`new_wa_id`)
 * arrives as a JSON number: before the repair the element was an `unknown` event; now the field
 * is left out and the system message is handled as an identity change without its new number. A
 * STOP given under the old number does not follow the person to the new one, and nothing says
 * so (no `unknown` event). A field wa-guard acts on was unusable: by the change's own rule the
 * element should have stayed `unknown` (or the number should be read as its digits, as
 * `metadata.phone_number_id` now is).
 */
import { describe, expect, it } from "vitest";
import { HOUR, sec, USER, WA_ID, world } from "../world.js";

const NEW = "+14165559999";
const NEW_WA_ID = "14165559999";

async function stopThenChange(newWaId: unknown) {
  const w = world();
  const wa = w.client();
  await wa.consent.grant(USER, { scope: "marketing", source: "form" });
  await wa.consent.grant(NEW, { scope: "marketing", source: "form" });
  const stop = await wa.webhooks.handle(w.fake.webhooks.request(w.stop("wamid.stop", w.clock.now())));
  await stop.delivered;
  w.clock.advance(HOUR);
  const change = w.entry([
    {
      field: "messages",
      value: {
        messaging_product: "whatsapp",
        metadata: { display_phone_number: "15550000000", phone_number_id: w.fake.phoneNumberId },
        contacts: [{ wa_id: WA_ID, profile: { name: "U" } }],
        messages: [
          {
            from: WA_ID,
            id: "wamid.sys",
            timestamp: String(sec(w.clock.now())),
            type: "system",
            system: {
              body: "U changed from +1 416-555-1234 to +1 416-555-9999",
              new_wa_id: newWaId,
              type: "user_changed_number",
            },
          },
        ],
      },
    },
  ]);
  const res = await wa.webhooks.handle(w.fake.webhooks.request(change));
  expect(res.status).toBe(200);
  await res.delivered;
  const before = w.reached();
  const outcome = await w.outcome(w.promo(wa, 0, NEW));
  return { outcome, reached: w.reached() > before, kinds: res.events.map((e) => e.kind) };
}

describe("a number change whose new_wa_id is a JSON number", () => {
  it("control (holds): new_wa_id as a string, the STOP follows to the new number", async () => {
    const r = await stopThenChange(NEW_WA_ID);
    expect(r.outcome).toBe("consent");
    expect(r.reached).toBe(false);
  });

  it("new_wa_id as a number: the STOP follows too, or the change surfaces as unknown", async () => {
    const r = await stopThenChange(Number(NEW_WA_ID));
    expect(r.outcome === "consent" || r.kinds.includes("unknown")).toBe(true);
  });
});
