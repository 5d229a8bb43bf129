/**
 * attack8: the webhook element repair (src/webhooks/shape.ts `repairer`, `Validator.parse`).
 * Before it, an element with a field in an unexpected shape became an `unknown` event (it changed
 * nothing). Now the field is left out and the element is handled as if the field had never been
 * there. Where the field is one wa-guard acts on, "never there" means something else: a group
 * message becomes a 1:1 message, a tapped STOP button becomes a message without text, a 131050
 * becomes a failure without a code, an old resume becomes a new one.
 */
import { describe, expect, it } from "vitest";
import { sec, USER, WA_ID, world } from "../world.js";

type W = ReturnType<typeof world>;
const meta = (w: W) => ({ display_phone_number: "15550000000", phone_number_id: w.fake.phoneNumberId });

const inbound = (w: W, message: Record<string, unknown>) =>
  w.entry([
    {
      field: "messages",
      value: {
        messaging_product: "whatsapp",
        metadata: meta(w),
        contacts: [{ wa_id: WA_ID, profile: { name: "U" } }],
        messages: [{ from: WA_ID, timestamp: String(sec(w.clock.now())), ...message }],
      },
    },
  ]);

describe("a repaired field changes what the element means", () => {
  it("a group message whose group_id is a number opens no 1:1 window with the sender", async () => {
    const w = world();
    const wa = w.client();
    // Sanity: with group_id as a string, no 1:1 window (the documented behaviour).
    const asString = await wa.webhooks.handle(
      w.fake.webhooks.request(
        inbound(w, { id: "wamid.g1", type: "text", text: { body: "hi all" }, group_id: "120363000000" }),
      ),
    );
    expect(asString.status).toBe(200);
    expect(await w.outcome(wa.messages.sendText({ to: USER, body: "free-form" }))).toBe("session-window");
    // The same group message with group_id as a JSON number: repair drops group_id, and the
    // message is taken as the user writing to the business 1:1.
    const asNumber = await wa.webhooks.handle(
      w.fake.webhooks.request(
        inbound(w, { id: "wamid.g2", type: "text", text: { body: "hi all" }, group_id: 120363000000 }),
      ),
    );
    expect(asNumber.status).toBe(200);
    const before = w.reached();
    expect(await w.outcome(wa.messages.sendText({ to: USER, body: "free-form" }))).toBe("session-window");
    expect(w.reached()).toBe(before);
  });

  it("a tapped STOP button whose reply id is a number still stops (button_reply is not dropped whole)", async () => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const result = await wa.webhooks.handle(
      w.fake.webhooks.request(
        inbound(w, {
          id: "wamid.b1",
          type: "interactive",
          interactive: { type: "button_reply", button_reply: { id: 2, title: "STOP" } },
        }),
      ),
    );
    expect(result.status).toBe(200);
    await result.delivered;
    const before = w.reached();
    expect(await w.outcome(w.promo(wa))).toBe("consent");
    expect(w.reached()).toBe(before);
  });

  it("a STOP whose text arrives as a plain string is not silently handled as a message without text", async () => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const result = await wa.webhooks.handle(
      w.fake.webhooks.request(inbound(w, { id: "wamid.t1", type: "text", text: "STOP" })),
    );
    expect(result.status).toBe(200);
    await result.delivered;
    const kinds = result.events.map((e) => e.kind);
    // The claim: unknown only when a field wa-guard acts on is unusable. `text` is one: the STOP
    // must stop, or at least the element must surface as `unknown`, not as an ordinary message.
    expect(kinds.includes("optOut") || kinds.includes("unknown")).toBe(true);
  });

  it("a failed status whose errors is one object (not a list) with 131050 is not silently a failure without a code", async () => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const body = w.entry([
      {
        field: "messages",
        value: {
          messaging_product: "whatsapp",
          metadata: meta(w),
          statuses: [
            {
              id: "wamid.f1",
              status: "failed",
              timestamp: String(sec(w.clock.now())),
              recipient_id: WA_ID,
              errors: { code: 131050, title: "User stopped marketing messages" },
            },
          ],
        },
      },
    ]);
    const result = await wa.webhooks.handle(w.fake.webhooks.request(body));
    expect(result.status).toBe(200);
    await result.delivered;
    const kinds = result.events.map((e) => e.kind);
    const revoked = !(await wa.consent.status(USER, "marketing")).granted;
    expect(revoked || kinds.includes("unknown")).toBe(true);
  });

  it("an old resume whose timestamp is unreadable does not override a newer stop", async () => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const t0 = w.clock.now();
    w.clock.advance(60_000);
    const t1 = w.clock.now();
    // The stop (t1) arrives first, with a readable timestamp.
    const stop = await wa.webhooks.handle(w.fake.webhooks.request(w.preference("stop", t1)));
    expect(stop.status).toBe(200);
    await stop.delivered;
    expect(await w.outcome(w.promo(wa))).toBe("consent");
    // The resume the user made before it (t0) arrives late, its timestamp in a date-time form.
    w.clock.advance(60_000);
    const late = w.entry([
      {
        field: "user_preferences",
        value: {
          messaging_product: "whatsapp",
          metadata: meta(w),
          contacts: [{ wa_id: WA_ID, profile: { name: "U" } }],
          user_preferences: [
            {
              wa_id: WA_ID,
              detail: "User requested to resume marketing messages",
              category: "marketing_messages",
              value: "resume",
              timestamp: new Date(t0).toISOString(),
            },
          ],
        },
      },
    ]);
    const resume = await wa.webhooks.handle(w.fake.webhooks.request(late));
    expect(resume.status).toBe(200);
    await resume.delivered;
    const before = w.reached();
    expect(await w.outcome(w.promo(wa, 1))).toBe("consent");
    expect(w.reached()).toBe(before);
  });

  it("a START typed before a STOP, delivered after it with an unreadable timestamp, does not undo the STOP", async () => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const t0 = w.clock.now();
    w.clock.advance(60_000);
    const stop = await wa.webhooks.handle(w.fake.webhooks.request(w.stop("wamid.s1", w.clock.now())));
    await stop.delivered;
    expect(await w.outcome(w.promo(wa))).toBe("consent");
    w.clock.advance(60_000);
    const start = await wa.webhooks.handle(
      w.fake.webhooks.request(
        inbound(w, {
          id: "wamid.s0",
          type: "text",
          text: { body: "START" },
          timestamp: new Date(t0).toISOString(),
        }),
      ),
    );
    expect(start.status).toBe(200);
    await start.delivered;
    const before = w.reached();
    expect(await w.outcome(w.promo(wa, 1))).toBe("consent");
    expect(w.reached()).toBe(before);
  });

  it("a STOP whose `from` is a JSON number (like the metadata ids now read) still stops", async () => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const result = await wa.webhooks.handle(
      w.fake.webhooks.request(
        inbound(w, { id: "wamid.n1", type: "text", text: { body: "STOP" }, from: Number(WA_ID) }),
      ),
    );
    expect(result.status).toBe(200);
    await result.delivered;
    const before = w.reached();
    expect(await w.outcome(w.promo(wa))).toBe("consent");
    expect(w.reached()).toBe(before);
  });
  it("a failed 131050 status whose recipient_id is a JSON number still revokes (or surfaces as unknown)", async () => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const body = w.entry([
      {
        field: "messages",
        value: {
          messaging_product: "whatsapp",
          metadata: meta(w),
          statuses: [
            {
              id: "wamid.f2",
              status: "failed",
              timestamp: String(sec(w.clock.now())),
              recipient_id: Number(WA_ID),
              errors: [{ code: 131050, title: "User stopped marketing messages" }],
            },
          ],
        },
      },
    ]);
    const result = await wa.webhooks.handle(w.fake.webhooks.request(body));
    expect(result.status).toBe(200);
    await result.delivered;
    const kinds = result.events.map((e) => e.kind);
    const revoked = !(await wa.consent.status(USER, "marketing")).granted;
    expect(revoked || kinds.includes("unknown")).toBe(true);
  });
});
