import { describe, expect, it } from "vitest";
import { isValidationError, parseRecipient, WhatsAppClient } from "../../src/index.js";
import { FakeClock, FakeCloudApi, fakeTransport } from "../../src/testing/index.js";

/**
 * One recipient rule for the send schema and the policy layer: 5–15 digits (E.164 caps numbers
 * at 15; Niue and Tokelau numbers have 7). The recipient guard then names a country's real lengths.
 */
function client(policy: boolean) {
  const clock = new FakeClock();
  const fake = new FakeCloudApi({ clock });
  const wa = new WhatsAppClient({
    accessToken: fake.accessToken,
    phoneNumberId: fake.phoneNumberId,
    wabaId: fake.wabaId,
    transport: fakeTransport(fake),
    clock,
    ...(policy ? {} : { policy: false as const }),
  });
  return { fake, wa };
}

const NIUE = "+683 4002"; // 7 digits, in service
const rules = async (wa: WhatsAppClient, to: string) =>
  (await wa.policy.check({ type: "text", to, body: "hi" })).violations.map((v) => v.rule);

describe("the recipient digit rule", () => {
  it("gives a 7-digit number a canonical identity, and the policy does not refuse it", async () => {
    expect(parseRecipient(NIUE)).toEqual({ input: NIUE, kind: "phone", key: "6834002" });
    expect(parseRecipient("+683 4002")?.key).toBe(parseRecipient("6834002")?.key);
    const { wa } = client(true);
    expect(await rules(wa, NIUE)).not.toContain("recipient");
  });

  it("draws the same bounds for the schema and the identity: 5 and 15 digits", async () => {
    const { wa } = client(false);
    for (const [to, ok] of [
      ["+1234", false],
      ["+12345", true],
      ["+123456789012345", true],
      ["+1234567890123456", false],
    ] as const) {
      expect(parseRecipient(to) !== undefined, to).toBe(ok);
      // Past the schema is what counts here: Meta (the fake) may still answer with an error.
      const pastSchema = await wa.messages.sendText({ to, body: "hi" }).then(
        () => true,
        (e: unknown) => !isValidationError(e),
      );
      expect(pastSchema, to).toBe(ok);
    }
  });

  it("still refuses a number too short for its country, with the reason", async () => {
    const { wa } = client(true);
    const verdict = await wa.policy.check({ type: "text", to: "+1 555 01", body: "hi" });
    expect(verdict.violations.map((v) => v.rule)).toContain("recipient");
    expect(verdict.violations[0]?.reason).toMatch(/too short/);
  });
});
