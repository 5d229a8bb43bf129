/**
 * Attacks: `#ourWaba` ("unknown on either side: yes"). One app has one webhook URL for all its
 * WABAs. A client built without `wabaId` (it only sends free-form replies, or reads its WABA from
 * nowhere) takes every WABA's account_update as its own: the strict reading for a DISABLE, but a
 * REINSTATE of another WABA also lifts its own WABA's DISABLE, and the next send reaches Meta.
 * The client did hear its WABA's id: the inbound message addressed to its own phone number came
 * in an entry whose `id` is that WABA. The same for an account_update whose `entry.id` is empty
 * or missing: a lift that names no WABA is taken as this WABA's.
 */
import { describe, expect, it } from "vitest";
import type { ClientOptions } from "../../../src/index.js";
import { CA, OTHER_WABA, twoNumbers } from "../attack6/two.js";

const WA_ID = "14165550101";

describe("a REINSTATE the client cannot tell is its WABA's", () => {
  const setup = async (options: { wabaId?: string } = {}) => {
    const w = twoNumbers();
    // wabaId present as undefined: the world's default WABA id is taken away.
    const wa = w.client({ transport: w.transport, wabaId: options.wabaId } as ClientOptions);
    // The person wrote to this number (entry.id: this WABA): the window is open.
    expect((await w.deliver(wa, w.inbound("wamid.in1", "hi", { waId: WA_ID }))).status).toBe(200);
    const text = () => {
      w.clock.advance(1_000);
      return w.outcome(wa.messages.sendText({ to: CA, body: `hello ${w.clock.now()}` }));
    };
    expect(await text()).toBe("sent");
    expect((await w.deliver(wa, w.accountUpdate(w.fake.wabaId, w.ban("DISABLE")))).status).toBe(200);
    expect(await text()).toBe("account-health");
    w.clock.advance(5_000);
    return { w, wa, text };
  };

  it("without wabaId: another WABA's REINSTATE does not lift this WABA's DISABLE", async () => {
    const { w, wa, text } = await setup();
    expect((await w.deliver(wa, w.accountUpdate(OTHER_WABA, w.ban("REINSTATE")))).status).toBe(200);
    const before = w.reached.length;
    expect(await text()).toBe("account-health");
    expect(w.reached.length).toBe(before);
  });

  it("with wabaId: a REINSTATE whose entry.id is empty does not lift the DISABLE", async () => {
    const { w, wa, text } = await setup({ wabaId: w0().fake.wabaId });
    const body = w.accountUpdate("", w.ban("REINSTATE"));
    expect((await w.deliver(wa, body)).status).toBe(200);
    const before = w.reached.length;
    expect(await text()).toBe("account-health");
    expect(w.reached.length).toBe(before);
  });

  it("with wabaId: a REINSTATE whose entry has no id does not lift the DISABLE", async () => {
    const { w, wa, text } = await setup({ wabaId: w0().fake.wabaId });
    const body = w.accountUpdate(w.fake.wabaId, w.ban("REINSTATE"));
    delete (body.entry[0] as { id?: string }).id;
    expect((await w.deliver(wa, body)).status).toBe(200);
    const before = w.reached.length;
    expect(await text()).toBe("account-health");
    expect(w.reached.length).toBe(before);
  });

  it("control: with wabaId, another WABA's REINSTATE lifts nothing", async () => {
    const { w, wa, text } = await setup({ wabaId: w0().fake.wabaId });
    expect((await w.deliver(wa, w.accountUpdate(OTHER_WABA, w.ban("REINSTATE")))).status).toBe(200);
    expect(await text()).toBe("account-health");
  });

  it("control: with wabaId, its own REINSTATE lifts the DISABLE", async () => {
    const { w, wa, text } = await setup({ wabaId: w0().fake.wabaId });
    expect((await w.deliver(wa, w.accountUpdate(w.fake.wabaId, w.ban("REINSTATE")))).status).toBe(200);
    expect(await text()).toBe("sent");
  });
});

/** The fake's default ids (every world has the same). */
function w0() {
  return twoNumbers();
}
