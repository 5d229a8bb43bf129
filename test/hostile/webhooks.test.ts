/**
 * The adversary's webhooks: deliveries that fail halfway, processes that die mid-STOP, lifts
 * that arrive late or are replayed after the de-duplication window, and account signals that
 * must restrict. Each test is a reproduction of a defect seen on a landed build, through the
 * public API, with the fake as Meta; a violating send must never reach the fake.
 */
import { describe, expect, it } from "vitest";
import { memoryStores, type WebhookDedupStore } from "../../src/index.js";
import { DAY, HOUR, sec, USER, WA_ID, world } from "./world.js";

describe("hostile webhooks: a STOP is never lost", () => {
  it("a STOP whose handler died mid-way is applied by the redelivery to another instance", async () => {
    const w = world();
    const stores = memoryStores();
    // Instance A dies while appending the STOP to the ledger: its call never settles.
    let hang = true;
    const consent = {
      append: (e: Parameters<typeof stores.consent.append>[0]) =>
        hang && e.action === "revoke" ? new Promise<void>(() => undefined) : stores.consent.append(e),
      history: (k: string) => stores.consent.history(k),
    };
    const a = w.client({ stores: { ...stores, consent } });
    const b = w.client({ stores });
    await b.consent.grant(USER, { scope: "marketing", source: "form" });
    const body = w.stop("wamid.stop1", w.clock.now());
    void a.webhooks.handle(w.fake.webhooks.request(body)); // never answers: the process is gone
    await new Promise((r) => setTimeout(r, 10));
    hang = false;
    // Meta redelivers to B while A's lease is still held: B must not acknowledge without applying.
    const early = await b.webhooks.handle(w.fake.webhooks.request(body));
    expect(early.status).toBeGreaterThanOrEqual(500);
    expect(await w.outcome(w.promo(b))).toBe("consent");
    // Later (Meta backs off), the lease of the dead instance has lapsed: B applies the STOP.
    w.clock.advance(5 * 60_000);
    const late = await b.webhooks.handle(w.fake.webhooks.request(body));
    expect(late.status).toBe(200);
    expect(late.events.map((e) => e.kind)).toContain("optOut");
    expect((await b.consent.status(USER, "marketing")).granted).toBe(false);
    const before = w.reached();
    expect(await w.outcome(w.promo(b))).toBe("consent");
    expect(w.reached()).toBe(before);
    // And the next redelivery is a duplicate.
    const again = await b.webhooks.handle(w.fake.webhooks.request(body));
    expect([again.status, again.duplicates, again.events.length]).toEqual([200, 1, 0]);
  });

  it("a STOP whose store failed answers 500 and its redelivery applies it, even when no undo can be stored", async () => {
    const w = world();
    const stores = memoryStores();
    let failConsent = true;
    const consent = {
      append: async (e: Parameters<typeof stores.consent.append>[0]) => {
        if (failConsent && e.action === "revoke") throw new Error("store stalled");
        return stores.consent.append(e);
      },
      history: (k: string) => stores.consent.history(k),
    };
    // Every method of the de-duplication store that would undo a mark fails (as a NOSCRIPT under a
    // client timeout did): correctness must not depend on an undo.
    const dedup = new Proxy(stores.webhookDedup, {
      get(target, prop, receiver) {
        if (prop === "release" || prop === "abandon")
          return async () => {
            throw new Error("NOSCRIPT: no matching script");
          };
        const v = Reflect.get(target, prop, receiver);
        return typeof v === "function" ? v.bind(target) : v;
      },
    }) as WebhookDedupStore;
    const wa = w.client({ stores: { ...stores, consent, webhookDedup: dedup } });
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const body = w.stop("wamid.stop2", w.clock.now());
    const first = await wa.webhooks.handle(w.fake.webhooks.request(body));
    expect(first.status).toBe(500);
    failConsent = false;
    // Meta's redelivery comes after a back-off.
    w.clock.advance(5 * 60_000);
    const second = await wa.webhooks.handle(w.fake.webhooks.request(body));
    expect(second.status).toBe(200);
    expect(second.duplicates).toBe(0);
    expect((await wa.consent.status(USER, "marketing")).granted).toBe(false);
    expect(await w.outcome(w.promo(wa))).toBe("consent");
    expect(w.reached()).toBe(0);
  });
});

describe("hostile webhooks: Meta's time orders restrictions and lifts", () => {
  it("a REINSTATE older than the DISABLE it follows lifts nothing", async () => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "utility", source: "form" });
    const t = w.clock.now();
    await wa.webhooks.handle(
      w.fake.webhooks.request(
        w.account({ event: "DISABLED_UPDATE", ban_info: { waba_ban_state: "DISABLE" } }, t),
      ),
    );
    w.clock.advance(60_000);
    await wa.webhooks.handle(
      w.fake.webhooks.request(
        w.account({ event: "DISABLED_UPDATE", ban_info: { waba_ban_state: "REINSTATE" } }, t - HOUR),
      ),
    );
    expect(await w.outcome(w.notice(wa))).toBe("account-health");
    expect(w.reached()).toBe(0);
  });

  it("a REINSTATE replayed byte for byte after the de-duplication window lifts no newer DISABLE", async () => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "utility", source: "form" });
    const t0 = w.clock.now();
    const disable = (at: number) =>
      w.account({ event: "DISABLED_UPDATE", ban_info: { waba_ban_state: "DISABLE" } }, at);
    const reinstate = w.account(
      { event: "DISABLED_UPDATE", ban_info: { waba_ban_state: "REINSTATE" } },
      t0 + HOUR,
    );
    await wa.webhooks.handle(w.fake.webhooks.request(disable(t0)));
    w.clock.advance(HOUR);
    await wa.webhooks.handle(w.fake.webhooks.request(reinstate));
    expect(await w.outcome(w.notice(wa))).toBe("sent");
    w.clock.advance(2 * DAY);
    await wa.webhooks.handle(w.fake.webhooks.request(disable(w.clock.now())));
    w.clock.advance(8 * DAY);
    const replay = await wa.webhooks.handle(w.fake.webhooks.request(reinstate));
    expect(replay.status).toBe(200);
    const before = w.reached();
    expect(await w.outcome(w.notice(wa))).toBe("account-health");
    expect(w.reached()).toBe(before);
  });

  it("an UNFLAGGED older than the FLAGGED it follows leaves marketing stopped", async () => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const t = w.clock.now();
    await wa.webhooks.handle(w.fake.webhooks.request(w.quality("FLAGGED", t)));
    w.clock.advance(60_000);
    await wa.webhooks.handle(w.fake.webhooks.request(w.quality("UNFLAGGED", t - HOUR)));
    expect(await w.outcome(w.promo(wa))).toBe("account-health");
    expect(w.reached()).toBe(0);
  });

  it("an UNPAUSED older than the PAUSED it follows leaves the template unsendable", async () => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    expect(await w.outcome(w.promo(wa))).toBe("sent");
    const t = w.clock.now();
    w.fake.templates.setStatus("promo", "PAUSED", "en_US");
    await wa.webhooks.handle(w.fake.webhooks.request(w.templateStatus("PAUSED", t)));
    w.clock.advance(60_000);
    await wa.webhooks.handle(w.fake.webhooks.request(w.templateStatus("UNPAUSED", t - HOUR)));
    const before = w.reached();
    expect(await w.outcome(w.promo(wa, 1))).toBe("template");
    expect(w.reached()).toBe(before);
  });
});

describe("hostile webhooks: every account signal restricts what it names", () => {
  const restriction = (type: string) => ({
    event: "ACCOUNT_RESTRICTION",
    restriction_info: [{ restriction_type: type, expiration: sec(Date.UTC(2030, 0, 1)) }],
  });

  it.each(["RESTRICTED_UTILITY_TEMPLATES", "RESTRICTED_DIRECT_SEND_UTILITY_TEMPLATES"])(
    "%s stops utility templates",
    async (type) => {
      const w = world();
      const wa = w.client();
      await wa.consent.grant(USER, { scope: "utility", source: "form" });
      await wa.webhooks.handle(w.fake.webhooks.request(w.account(restriction(type), w.clock.now())));
      expect(await w.outcome(w.notice(wa))).toBe("account-health");
      expect(w.reached()).toBe(0);
    },
  );

  it.each([
    [
      "SCHEDULE_FOR_DISABLE",
      {
        event: "DISABLED_UPDATE",
        ban_info: { waba_ban_state: "SCHEDULE_FOR_DISABLE", waba_ban_date: "2030-01-01" },
      },
    ],
    ["ACCOUNT_VIOLATION", { event: "ACCOUNT_VIOLATION", violation_info: { violation_type: "SCAM" } }],
  ])("%s raises a warning and slows marketing", async (_name, value) => {
    const w = world();
    const wa = w.client();
    const warnings: string[] = [];
    wa.on("accountWarning", (e) => void warnings.push(e.reason));
    const result = await wa.webhooks.handle(w.fake.webhooks.request(w.account(value, w.clock.now())));
    await result.delivered;
    expect(warnings).toHaveLength(1);
    expect((await wa.account.health()).restrictions.map((r) => r.scope)).toEqual(["marketing_slow"]);
  });

  it("131064 restricts free-form replies as well as templates", async () => {
    const w = world();
    const wa = w.client();
    // The user writes: the window is open.
    w.fake.messaging.receiveMessage(USER, { text: "hi" });
    await w.fake.webhooks.deliver(wa);
    expect(await w.outcome(wa.messages.sendText({ to: USER, body: "hello" }))).toBe("sent");
    w.fake.failNext(1, 131064);
    await wa.messages.sendText({ to: USER, body: "again" }).catch(() => undefined);
    const before = w.reached();
    expect(await w.outcome(wa.messages.sendText({ to: USER, body: "third" }))).toBe("account-health");
    expect(w.reached()).toBe(before);
  });
});

describe("hostile text: an opt-out however it is typed", () => {
  const inbound = (w: ReturnType<typeof world>, message: Record<string, unknown>) => ({
    object: "whatsapp_business_account",
    entry: [
      {
        id: w.fake.wabaId,
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              messages: [
                {
                  from: WA_ID,
                  id: `wamid.${Math.random()}`,
                  timestamp: String(sec(w.clock.now())),
                  ...message,
                },
              ],
            },
          },
        ],
      },
    ],
  });

  it.each([
    ["fullwidth", "ＳＴＯＰ"],
    ["mathematical bold", "𝐒𝐓𝐎𝐏"],
    ["fullwidth lower case", "ｕｎｓｕｂｓｃｒｉｂｅ"],
    ["zero-width space inside", "S\u200BTOP"],
    ["direction marks and punctuation", "\u200F¡stop!\u200E"],
    ["accents and case", "Arrêt"],
    ["ligature and spaces", "  opt   out  "],
  ])("%s (%s) stops marketing", async (_name, text) => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    w.clock.advance(1000);
    const result = await wa.webhooks.handle(
      w.fake.webhooks.request(inbound(w, { type: "text", text: { body: text } })),
    );
    expect(result.events.map((e) => e.kind)).toContain("optOut");
    expect(await w.outcome(w.promo(wa))).toBe("consent");
    expect(w.reached()).toBe(0);
  });

  it("a message edited to read STOP stops marketing", async () => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    w.clock.advance(1000);
    const edit = {
      type: "edit",
      edit: { original_message_id: "wamid.original", message: { type: "text", text: { body: "stop" } } },
    };
    const result = await wa.webhooks.handle(w.fake.webhooks.request(inbound(w, edit)));
    expect(result.events.map((e) => e.kind)).toEqual(["message", "optOut"]);
    expect(await w.outcome(w.promo(wa))).toBe("consent");
    expect(w.reached()).toBe(0);
  });

  it("an unsubscribe payload matches however it is typed", async () => {
    const w = world();
    const wa = w.client({ policy: { consent: { unsubscribePayloads: ["STOP_PROMOS"] } } });
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    w.clock.advance(1000);
    const tap = { type: "button", button: { payload: "ｓｔｏｐ＿ｐｒｏｍｏｓ", text: "Stop promotions" } };
    await wa.webhooks.handle(w.fake.webhooks.request(inbound(w, tap)));
    expect(await w.outcome(w.promo(wa))).toBe("consent");
  });
});

describe("hostile webhooks: one endpoint for several phone numbers", () => {
  it("a message to another of the business's numbers opens no window on this one, and its STOP still counts", async () => {
    const w = world();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const toOtherNumber = (id: string, body: string) => ({
      object: "whatsapp_business_account",
      entry: [
        {
          id: w.fake.wabaId,
          changes: [
            {
              field: "messages",
              value: {
                messaging_product: "whatsapp",
                metadata: { display_phone_number: "15559999999", phone_number_id: "999999999999999" },
                messages: [
                  { from: WA_ID, id, timestamp: String(sec(w.clock.now())), type: "text", text: { body } },
                ],
              },
            },
          ],
        },
      ],
    });
    await wa.webhooks.handle(w.fake.webhooks.request(toOtherNumber("wamid.other.1", "hi there")));
    expect((await wa.sessions.status(USER)).open).toBe(false);
    expect(await w.outcome(wa.messages.sendText({ to: USER, body: "hello" }))).toBe("session-window");
    w.clock.advance(1000);
    await wa.webhooks.handle(w.fake.webhooks.request(toOtherNumber("wamid.other.2", "STOP")));
    expect(await w.outcome(w.promo(wa))).toBe("consent");
    expect(w.reached()).toBe(0);
  });
});

describe("hostile webhooks: lifts end only what they lift", () => {
  it("a REINSTATE ends a scheduled disable's slowdown but not a violation's", async () => {
    const w = world();
    const wa = w.client();
    const t = w.clock.now();
    await wa.webhooks.handle(
      w.fake.webhooks.request(
        w.account({ event: "ACCOUNT_VIOLATION", violation_info: { violation_type: "SCAM" } }, t),
      ),
    );
    w.clock.advance(60_000);
    await wa.webhooks.handle(
      w.fake.webhooks.request(
        w.account({ event: "DISABLED_UPDATE", ban_info: { waba_ban_state: "REINSTATE" } }, t + 60_000),
      ),
    );
    expect((await wa.account.health()).restrictions.map((r) => r.source)).toEqual([
      "account_update:ACCOUNT_VIOLATION:SCAM",
    ]);
  });
});
