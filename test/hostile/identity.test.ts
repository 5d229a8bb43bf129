/**
 * One person, many identifiers (issue 12): a phone number and business-scoped user ids (BSUIDs)
 * that Meta puts side by side are one person to every guard. Each test reproduces what was seen
 * on a landed build, through the public API with the fake as Meta: a violating send must never
 * reach the fake.
 */
import { describe, expect, it } from "vitest";
import {
  type IdentityStore,
  isStoreUnavailableError,
  MemoryIdentityStore,
  memoryStores,
  StoreUnavailableError,
  type UserIdUpdateEvent,
} from "../../src/index.js";
import { DAY, HOUR, sec, USER, WA_ID, world } from "./world.js";

// A Canadian user (a BSUID starts with the user's country; marketing to US users is refused).
const BSUID = "CA.13491208655302741918";
const NEW_BSUID = "CA.99887766554433221100";

function identityWorld() {
  const w = world();
  const meta = { display_phone_number: "15550000000", phone_number_id: w.fake.phoneNumberId };
  /** An inbound text, its sender named as Meta chooses (number, BSUID, or both). */
  const inbound = (
    id: string,
    at: number,
    body: string,
    who: { waId?: string; userId?: string; contactWaId?: string },
  ) =>
    w.entry([
      {
        field: "messages",
        value: {
          messaging_product: "whatsapp",
          metadata: meta,
          contacts: [
            {
              profile: { name: "U", ...(who.userId && !who.waId && { username: "@u" }) },
              ...((who.contactWaId ?? who.waId) && { wa_id: who.contactWaId ?? who.waId }),
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
  const failedStatus = (
    id: string,
    at: number,
    code: number,
    recipient: { waId?: string; userId?: string },
  ) =>
    w.entry([
      {
        field: "messages",
        value: {
          messaging_product: "whatsapp",
          metadata: meta,
          statuses: [
            {
              id,
              status: "failed",
              timestamp: String(sec(at)),
              ...(recipient.waId && { recipient_id: recipient.waId }),
              ...(recipient.userId && { recipient_user_id: recipient.userId }),
              errors: [{ code, title: "failed" }],
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
  return { ...w, inbound, failedStatus, system };
}

describe("hostile identity: a STOP under one identifier stops the person", () => {
  it("opt-in by phone, STOP from the username (from_user_id only): the template to the phone is refused", async () => {
    const w = identityWorld();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "checkout" });
    const t0 = w.clock.now();
    // An earlier webhook named the person by both identifiers.
    await wa.webhooks.handle(
      w.fake.webhooks.request(w.inbound("wamid.a", t0, "hi", { waId: WA_ID, userId: BSUID })),
    );
    w.clock.advance(HOUR);
    const stop = await wa.webhooks.handle(
      w.fake.webhooks.request(w.inbound("wamid.b", w.clock.now(), "STOP", { userId: BSUID })),
    );
    expect(stop.events.map((e) => e.kind)).toContain("optOut");
    const before = w.reached();
    expect(await w.outcome(w.promo(wa, 1, USER))).toBe("consent");
    expect(await w.outcome(w.promo(wa, 2, BSUID))).toBe("consent");
    expect(w.reached()).toBe(before);
    expect((await wa.consent.status(USER, "marketing")).granted).toBe(false);
  });

  it("opt-in by BSUID, STOP carrying both identifiers: the template to the BSUID is refused", async () => {
    const w = identityWorld();
    const wa = w.client();
    await wa.consent.grant(BSUID, { scope: "marketing", source: "checkout" });
    await wa.webhooks.handle(
      w.fake.webhooks.request(w.inbound("wamid.s", w.clock.now(), "STOP", { waId: WA_ID, userId: BSUID })),
    );
    const before = w.reached();
    expect(await w.outcome(w.promo(wa, 1, BSUID))).toBe("consent");
    expect(await w.outcome(w.promo(wa, 2, USER))).toBe("consent");
    expect(w.reached()).toBe(before);
  });

  it("a link learnt after the STOP still stops the other identifier", async () => {
    const w = identityWorld();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "checkout" });
    await wa.webhooks.handle(
      w.fake.webhooks.request(w.inbound("wamid.s", w.clock.now(), "STOP", { userId: BSUID })),
    );
    // Not linked yet: wa-guard cannot know the BSUID is this person.
    w.clock.advance(60_000);
    await wa.webhooks.handle(
      w.fake.webhooks.request(w.inbound("wamid.l", w.clock.now(), "thanks", { waId: WA_ID, userId: BSUID })),
    );
    expect(await w.outcome(w.promo(wa, 1, USER))).toBe("consent");
  });

  it("a 131050 failure reported under the BSUID only stops marketing to the phone number", async () => {
    const w = identityWorld();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "checkout" });
    await wa.webhooks.handle(
      w.fake.webhooks.request(w.inbound("wamid.a", w.clock.now(), "hi", { waId: WA_ID, userId: BSUID })),
    );
    w.clock.advance(DAY * 2);
    await wa.webhooks.handle(
      w.fake.webhooks.request(w.failedStatus("wamid.f", w.clock.now(), 131050, { userId: BSUID })),
    );
    expect(await w.outcome(w.promo(wa, 1, USER))).toBe("consent");
  });

  it("a failed status naming both identifiers links them", async () => {
    const w = identityWorld();
    const wa = w.client();
    await wa.consent.grant(BSUID, { scope: "marketing", source: "checkout" });
    await wa.webhooks.handle(
      w.fake.webhooks.request(
        w.failedStatus("wamid.f", w.clock.now(), 131050, { waId: WA_ID, userId: BSUID }),
      ),
    );
    expect(await w.outcome(w.promo(wa, 1, BSUID))).toBe("consent");
  });
});

describe("hostile identity: blocks, windows and history are the person's", () => {
  it("a block by phone number refuses sends to the linked BSUID", async () => {
    const w = identityWorld();
    const wa = w.client();
    // Meta's side: one user under both identifiers, who wrote (a block needs a recent message).
    w.fake.blocklist.linkUser(USER, BSUID);
    w.fake.messaging.receiveMessage(USER, { text: "hi" });
    await wa.webhooks.handle(
      w.fake.webhooks.request(w.inbound("wamid.a", w.clock.now(), "hi", { waId: WA_ID, userId: BSUID })),
    );
    const result = await wa.blocklist.block([USER]);
    expect(result.results[0]?.status).toBe("added");
    const before = w.reached();
    expect(await w.outcome(wa.messages.sendText({ to: BSUID, body: "hello" }))).toBe("blocklist");
    expect(w.reached()).toBe(before);
    // Already blocked as a person: a second block under the BSUID is not sent to Meta.
    expect((await wa.blocklist.block([BSUID])).results[0]).toMatchObject({
      status: "skipped",
      reason: "already_blocked",
    });
    // Unblocking under either identifier unblocks the person.
    expect((await wa.blocklist.unblock([BSUID])).results[0]?.status).toBe("removed");
    expect(await w.outcome(wa.messages.sendText({ to: USER, body: "hello again" }))).toBe("sent");
  });

  it("a window opened under the BSUID allows a reply to the phone number", async () => {
    const w = identityWorld();
    const wa = w.client();
    await wa.webhooks.handle(
      w.fake.webhooks.request(
        w.inbound("wamid.a", w.clock.now() - 60_000, "hi", { waId: WA_ID, userId: BSUID }),
      ),
    );
    w.clock.advance(DAY - 10 * 60_000);
    // The last message came under the BSUID alone.
    await wa.webhooks.handle(
      w.fake.webhooks.request(w.inbound("wamid.b", w.clock.now(), "still there?", { userId: BSUID })),
    );
    w.clock.advance(2 * HOUR); // the first window closed; the second is open
    w.fake.messaging.receiveMessage(USER, { text: "still there?" }); // Meta knows the person; so does its fake only by number
    expect((await wa.sessions.status(USER)).open).toBe(true);
    expect(await w.outcome(wa.messages.sendText({ to: USER, body: "yes" }))).toBe("sent");
  });

  it("marketing frequency counts the person's sends under both identifiers", async () => {
    const w = identityWorld();
    const wa = w.client({ policy: { frequency: { marketingPerDay: 1, marketingPerWeek: 3 } } });
    await wa.consent.grant(USER, { scope: "marketing", source: "checkout" });
    await wa.webhooks.handle(
      w.fake.webhooks.request(w.inbound("wamid.a", w.clock.now(), "hi", { waId: WA_ID, userId: BSUID })),
    );
    w.clock.advance(2 * DAY);
    expect(await w.outcome(w.promo(wa, 1, USER))).toBe("sent");
    const before = w.reached();
    expect(await w.outcome(w.promo(wa, 2, BSUID))).toBe("frequency");
    expect(w.reached()).toBe(before);
  });

  it("a campaign listing the person under both identifiers sends once", async () => {
    const w = identityWorld();
    const wa = w.client();
    await wa.webhooks.handle(
      w.fake.webhooks.request(w.inbound("wamid.a", w.clock.now(), "hi", { waId: WA_ID, userId: BSUID })),
    );
    await wa.consent.grant(USER, { scope: "marketing", source: "checkout" });
    w.clock.advance(2 * DAY);
    const before = w.reached();
    const run = wa.campaigns.run({
      id: "spring",
      template: { name: "promo", language: "en_US", body: ["10%"] },
      recipients: [USER, BSUID],
    });
    const statuses: string[] = [];
    for await (const r of run) statuses.push(r.status);
    expect(w.reached() - before).toBe(1);
    expect(statuses.sort()).toEqual(["sent", "skipped"]);
  });
});

describe("hostile identity: a changed BSUID keeps the person", () => {
  it("user_changed_user_id: a STOP under the old BSUID stops the new one, and userIdUpdate is emitted", async () => {
    const w = identityWorld();
    const wa = w.client();
    await wa.consent.grant(BSUID, { scope: "marketing", source: "checkout" });
    await wa.webhooks.handle(
      w.fake.webhooks.request(w.inbound("wamid.s", w.clock.now(), "STOP", { userId: BSUID })),
    );
    w.clock.advance(HOUR);
    const seen: UserIdUpdateEvent[] = [];
    wa.on("userIdUpdate", (e) => {
      seen.push(e);
    });
    const res = await wa.webhooks.handle(
      w.fake.webhooks.request(
        w.system("wamid.sys", w.clock.now(), {
          body: `User changed from ${BSUID} to ${NEW_BSUID}`,
          user_id: NEW_BSUID,
          previous_user_id: BSUID,
          type: "user_changed_user_id",
        }),
      ),
    );
    expect(res.status).toBe(200);
    expect(res.events.map((e) => e.kind)).not.toContain("unknown");
    await res.delivered;
    expect(seen).toMatchObject([{ kind: "userIdUpdate", previousUserId: BSUID, userId: NEW_BSUID }]);
    expect(await w.outcome(w.promo(wa, 1, NEW_BSUID))).toBe("consent");
  });

  it("a user_changed_user_id whose old id is only in the body is still linked", async () => {
    const w = identityWorld();
    const wa = w.client();
    await wa.webhooks.handle(
      w.fake.webhooks.request(w.inbound("wamid.s", w.clock.now(), "STOP", { userId: BSUID })),
    );
    await wa.webhooks.handle(
      w.fake.webhooks.request(
        w.system("wamid.sys", w.clock.now(), {
          body: `User changed from ${BSUID} to ${NEW_BSUID}`,
          user_id: NEW_BSUID,
          type: "user_changed_user_id",
        }),
      ),
    );
    await wa.consent.grant(NEW_BSUID, { scope: "marketing", source: "crm" }).catch(() => undefined);
    expect(await w.outcome(w.promo(wa, 1, NEW_BSUID))).toBe("consent");
  });

  it("the user_id_update field (documented until August 2026) is an event, not unknown, and links", async () => {
    const w = identityWorld();
    const wa = w.client();
    w.fake.messaging.receiveMessage(BSUID, { text: "hi" });
    expect((await wa.blocklist.block([BSUID], { checkRecentMessage: false })).results[0]?.status).toBe(
      "added",
    );
    const res = await wa.webhooks.handle(
      w.fake.webhooks.request(
        w.entry([
          {
            field: "user_id_update",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550000000", phone_number_id: w.fake.phoneNumberId },
              contacts: [{ profile: { name: "U" }, wa_id: WA_ID }],
              user_id_update: [
                {
                  wa_id: WA_ID,
                  detail: "User id for U has been updated.",
                  user_id: { previous: BSUID, current: NEW_BSUID },
                  timestamp: String(sec(w.clock.now())),
                },
              ],
            },
          },
        ]),
      ),
    );
    expect(res.events).toMatchObject([
      { kind: "userIdUpdate", previousUserId: BSUID, userId: NEW_BSUID, waId: WA_ID },
    ]);
    for (const to of [NEW_BSUID, USER])
      expect(await w.outcome(wa.messages.sendText({ to, body: "hi" })), to).toBe("blocklist");
  });

  it("clients sharing stores share the links", async () => {
    const w = identityWorld();
    const stores = memoryStores();
    const a = w.client({ stores });
    const b = w.client({ stores }).withOptions({ maxRetries: 0 });
    await b.consent.grant(USER, { scope: "marketing", source: "checkout" });
    await a.webhooks.handle(
      w.fake.webhooks.request(w.inbound("wamid.a", w.clock.now(), "hi", { waId: WA_ID, userId: BSUID })),
    );
    await a.webhooks.handle(
      w.fake.webhooks.request(w.inbound("wamid.s", w.clock.now(), "STOP", { userId: BSUID })),
    );
    expect(await w.outcome(w.promo(b, 1, USER))).toBe("consent");
  });
});

describe("hostile identity: the identity store stalls, fails and races", () => {
  /** A memory identity store whose calls can be made to fail or hang. */
  function faulty() {
    const inner = new MemoryIdentityStore();
    const mode = { link: "ok" as "ok" | "down", aliases: "ok" as "ok" | "down" | "hang" };
    const store: IdentityStore = {
      link: (ids, link) =>
        mode.link === "down"
          ? Promise.reject(new StoreUnavailableError("redis", "identity.link", "connection lost"))
          : inner.link(ids, link),
      aliases: (id) =>
        mode.aliases === "down"
          ? Promise.reject(new StoreUnavailableError("redis", "identity.aliases", "connection lost"))
          : mode.aliases === "hang"
            ? new Promise(() => undefined)
            : inner.aliases(id),
    };
    return { store, mode };
  }

  it("a link that fails mid-STOP: the STOP is recorded, the event is retried, and the redelivery links", async () => {
    const w = identityWorld();
    const { store, mode } = faulty();
    const wa = w.client({ stores: { ...memoryStores(), identity: store } });
    await wa.consent.grant(USER, { scope: "marketing", source: "checkout" });
    await wa.consent.grant(BSUID, { scope: "marketing", source: "checkout" });
    const body = w.inbound("wamid.s", w.clock.now(), "STOP", { waId: WA_ID, userId: BSUID });
    mode.link = "down";
    const first = await wa.webhooks.handle(w.fake.webhooks.request(body));
    expect(first.status).toBeGreaterThanOrEqual(500); // Meta delivers it again
    expect(await w.outcome(w.promo(wa, 1, USER))).toBe("consent"); // the STOP itself is kept
    mode.link = "ok";
    w.clock.advance(5 * 60_000); // the failed attempt's lease has lapsed
    const again = await wa.webhooks.handle(w.fake.webhooks.request(body));
    expect(again.status).toBe(200);
    const before = w.reached();
    expect(await w.outcome(w.promo(wa, 2, BSUID))).toBe("consent"); // now linked: the person stopped
    expect(w.reached()).toBe(before);
  });

  it("a send whose identity lookup fails or hangs is refused, and nothing reaches Meta", async () => {
    const w = identityWorld();
    const { store, mode } = faulty();
    const wa = w.client({ stores: { ...memoryStores(), identity: store }, policy: { timeoutMs: 300 } });
    await wa.consent.grant(USER, { scope: "marketing", source: "checkout" });
    const before = w.reached();
    mode.aliases = "down";
    const failed = await w.promo(wa, 1, USER).catch((e: unknown) => e);
    expect(isStoreUnavailableError(failed)).toBe(true);
    mode.aliases = "hang";
    const hung = await w.promo(wa, 2, USER).catch((e: unknown) => e);
    expect(isStoreUnavailableError(hung)).toBe(true);
    expect(w.reached()).toBe(before);
    mode.aliases = "ok";
    expect(await w.outcome(w.promo(wa, 3, USER))).toBe("sent");
  });

  it("two clients sending marketing to the phone and the BSUID at the same moment: one goes out", async () => {
    const w = identityWorld();
    const stores = memoryStores();
    const policy = { frequency: { marketingPerDay: 1, marketingPerWeek: 3 } };
    const a = w.client({ stores, policy });
    const b = w.client({ stores, policy });
    await a.consent.grant(USER, { scope: "marketing", source: "checkout" });
    await a.webhooks.handle(
      w.fake.webhooks.request(w.inbound("wamid.a", w.clock.now(), "hi", { waId: WA_ID, userId: BSUID })),
    );
    w.clock.advance(2 * DAY);
    const before = w.reached();
    const outcomes = await Promise.all([w.outcome(w.promo(a, 1, USER)), w.outcome(w.promo(b, 2, BSUID))]);
    expect(outcomes.sort()).toEqual(["frequency", "sent"]);
    expect(w.reached() - before).toBe(1);
  });
});

describe("hostile identity: the rules for replays and clock skew see the person, not the identifier", () => {
  it("a STOP from the BSUID stamped (our clock ahead) before a grant made to the phone number still withdraws it", async () => {
    const w = identityWorld();
    const wa = w.client();
    // An earlier message named the person by both identifiers.
    await wa.webhooks.handle(
      w.fake.webhooks.request(w.inbound("wamid.both", w.clock.now(), "hi", { waId: WA_ID, userId: BSUID })),
    );
    w.clock.advance(60_000);
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    // 30 s later the user sends STOP from the username; Meta's clock runs 90 s behind ours.
    w.clock.advance(30_000);
    const stop = w.inbound("wamid.stop-bsuid", w.clock.now() - 90_000, "STOP", { userId: BSUID });
    expect((await wa.webhooks.handle(w.fake.webhooks.request(stop))).status).toBe(200);
    const before = w.reached();
    expect(await w.outcome(w.promo(wa))).toBe("consent");
    expect(w.reached()).toBe(before);
  });

  it("the same STOP replayed under the BSUID after the window is recorded once", async () => {
    const w = identityWorld();
    const wa = w.client();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const stop = w.inbound("wamid.stop-both", w.clock.now(), "STOP", { waId: WA_ID, userId: BSUID });
    await wa.webhooks.handle(w.fake.webhooks.request(stop));
    w.clock.advance(60_000);
    await wa.consent.grant(USER, { scope: "marketing", source: "form-again" });
    w.clock.advance(8 * DAY);
    expect((await wa.webhooks.handle(w.fake.webhooks.request(stop))).status).toBe(200);
    expect((await wa.consent.history(USER)).filter((e) => e.action === "revoke")).toHaveLength(1);
    expect(await w.outcome(w.promo(wa))).toBe("sent");
  });
});
