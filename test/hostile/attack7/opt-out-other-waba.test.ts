/**
 * Attacks: `learnFromCode(..., about)` for a failed status of another WABA's number (one app, one
 * webhook URL). Consent is the business's and 131049 is the person's: both must still count on
 * this client. And the same status must not teach this number or WABA anything else (131048,
 * 368). Also a status with an `entry.id` but no `metadata` at all, and one whose metadata names
 * this number under another WABA id.
 */
import { describe, expect, it } from "vitest";
import { CA, OTHER_WABA, twoNumbers } from "../attack6/two.js";

const CA_WA = "14165550101";
const OTHER_PHONE = "500000000000005";

function failed(
  w: ReturnType<typeof twoNumbers>,
  code: number,
  opts: { waba?: string; phone?: string | null } = {},
) {
  const value: Record<string, unknown> = {
    messaging_product: "whatsapp",
    statuses: [
      {
        id: `wamid.x-${code}-${w.clock.now()}`,
        status: "failed",
        timestamp: String(Math.floor(w.clock.now() / 1000)),
        recipient_id: CA_WA,
        errors: [{ code, title: "failed" }],
      },
    ],
  };
  if (opts.phone !== null)
    value["metadata"] = { display_phone_number: "15550005555", phone_number_id: opts.phone ?? OTHER_PHONE };
  return {
    object: "whatsapp_business_account",
    entry: [{ id: opts.waba ?? OTHER_WABA, changes: [{ field: "messages", value }] }],
  };
}

describe("a failed status of another WABA's number, heard by this client", () => {
  const setup = async () => {
    const w = twoNumbers();
    const wa = w.client({ transport: w.transport });
    await wa.consent.grant(CA, { scope: "marketing", source: "form" });
    await wa.consent.grant(CA, { scope: "utility", source: "order" });
    const promo = () => {
      w.clock.advance(60_000);
      return w.outcome(wa.messages.sendTemplate({ to: CA, name: "promo", language: "en_US" }));
    };
    return { w, wa, promo };
  };

  it("131050 (the person opted out of marketing): this client's marketing to the person is refused", async () => {
    const { w, wa, promo } = await setup();
    expect(await promo()).toBe("sent");
    expect((await w.deliver(wa, failed(w, 131050))).status).toBe(200);
    const before = w.reached.length;
    expect(await promo()).toBe("consent");
    expect(w.reached.length).toBe(before);
  });

  it("131049 (the person's marketing limit): this client's marketing to the person waits 24 h", async () => {
    const { w, wa, promo } = await setup();
    expect((await w.deliver(wa, failed(w, 131049))).status).toBe(200);
    expect(await promo()).toBe("frequency");
  });

  it("131048 and 368 of another WABA's number change nothing here", async () => {
    const { w, wa } = await setup();
    expect((await w.deliver(wa, failed(w, 131048))).status).toBe(200);
    expect((await w.deliver(wa, failed(w, 368))).status).toBe(200);
    expect(await w.notice(wa)).toBe("sent");
  });

  it("131050 in a status with no metadata at all still revokes consent", async () => {
    const { w, wa, promo } = await setup();
    expect((await w.deliver(wa, failed(w, 131050, { phone: null }))).status).toBe(200);
    expect(await promo()).toBe("consent");
  });

  it("131050 in a status whose entry has no id still revokes consent", async () => {
    const { w, wa, promo } = await setup();
    const body = failed(w, 131050);
    delete (body.entry[0] as { id?: string }).id;
    expect((await w.deliver(wa, body)).status).toBe(200);
    expect(await promo()).toBe("consent");
  });

  it("this number's own 131048, under this WABA, holds this number's templates", async () => {
    const { w, wa } = await setup();
    expect(
      (await w.deliver(wa, failed(w, 131048, { waba: w.fake.wabaId, phone: w.fake.phoneNumberId }))).status,
    ).toBe(200);
    expect(await w.notice(wa)).not.toBe("sent");
  });
});
