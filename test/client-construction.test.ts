import { describe, expect, it } from "vitest";
import { RecipientBlockedError, WhatsAppClient } from "../src/index.js";
import { connected } from "./helpers.js";

const USER = "+14165551234";
const WA_ID = "14165551234";

function failedStatus(clock: { now(): number }, code: number) {
  return {
    statuses: [
      {
        id: `wamid.f${code}`,
        status: "failed",
        timestamp: String(Math.floor(clock.now() / 1000)),
        recipient_id: WA_ID,
        errors: [{ code, title: "failed", error_data: { details: "d" } }],
      },
    ],
  };
}

describe("client construction: the store registry and withOptions()", () => {
  it("a withOptions() copy of a policy: false client shares its consent ledger and windows", async () => {
    const { fake, wa } = connected({ client: { policy: false } });
    const copy = wa.withOptions({ apiVersion: "v24.0" });
    await wa.consent.grant(USER, { scope: "marketing", source: "signup" });
    expect((await copy.consent.status(USER, "marketing")).granted).toBe(true);
    fake.messaging.receiveMessage(USER, { text: "hi" });
    await fake.webhooks.deliver(copy);
    expect((await wa.sessions.status(USER)).open).toBe(true);
    // and a copy of the copy still shares them
    const grandchild = copy.withOptions({ maxRetries: 0 });
    expect((await grandchild.consent.status(USER, "marketing")).granted).toBe(true);
    expect((await grandchild.sessions.status(USER)).open).toBe(true);
  });

  it("with the policy off, webhooks still keep the state true: a copy with the policy on refuses a user Meta reported blocked", async () => {
    const { clock, fake, wa } = connected({ client: { policy: false } });
    fake.messaging.receiveMessage(USER, { text: "hi" });
    await fake.webhooks.deliver(wa);
    const result = await wa.webhooks.handle(
      fake.webhooks.request(fake.webhooks.queueMessages(failedStatus(clock, 130403))),
    );
    expect(result.status).toBe(200);
    await result.delivered;
    // A copy with the guards on refuses locally, from the mirror the plain client kept.
    const guarded = wa.withOptions({ policy: {} });
    await expect(guarded.messages.sendText({ to: USER, body: "hello" })).rejects.toBeInstanceOf(
      RecipientBlockedError,
    );
    expect(guarded.policy.pipeline?.stores.blockMirror).toBeDefined();
    expect(wa.policy.pipeline).toBeUndefined();
  });

  it("a client built after withOptions() shares nothing with the one withOptions() made", async () => {
    const { fake, wa } = connected({ client: { policy: false } });
    const copy = wa.withOptions({ apiVersion: "v24.0" });
    const stranger = new WhatsAppClient({
      accessToken: fake.accessToken,
      phoneNumberId: fake.phoneNumberId,
      policy: false,
    });
    await copy.consent.grant(USER, { scope: "marketing", source: "signup" });
    expect((await wa.consent.status(USER, "marketing")).granted).toBe(true);
    expect((await stranger.consent.status(USER, "marketing")).granted).toBe(false);
  });

  it("what withOptions() hands the copy is no option: toJSON shows only the options", () => {
    const { wa } = connected({ client: { policy: false } });
    const copy = wa.withOptions({ apiVersion: "v24.0" });
    expect(Object.getOwnPropertySymbols(copy.toJSON())).toEqual([]);
    expect(copy.toJSON()["apiVersion"]).toBe("v24.0");
    // A symbol-keyed property a caller adds is not the private construction path.
    const forged = { [Symbol("wa-guard shared client state")]: { stores: {} } };
    expect(() => new WhatsAppClient({ accessToken: "x".repeat(20), ...forged })).not.toThrow();
  });
});
