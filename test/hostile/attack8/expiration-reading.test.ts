/**
 * attack8: `account_update` read field by field (src/webhooks/account-effects.ts) and the
 * restriction `expiration` read by `endMs` (src/webhooks/parse-common.ts). The stated rule: a
 * restriction never ends early; an expiration that cannot be read holds until lifted. The tests
 * below find readings that end a restriction EARLIER than the moment the text names (or at once),
 * and a ban state in a shape the field-by-field reading does not take.
 */
import { describe, expect, it } from "vitest";
import { DAY, HOUR, USER, world } from "../world.js";

const restriction = (expiration: unknown) => ({
  event: "ACCOUNT_RESTRICTION",
  restriction_info: [{ restriction_type: "RESTRICTED_BIZ_INITIATED_MESSAGING", expiration }],
});

async function restricted(value: Record<string, unknown>) {
  const w = world();
  const wa = w.client();
  await wa.consent.grant(USER, { scope: "utility", source: "order" });
  const result = await wa.webhooks.handle(w.fake.webhooks.request(w.account(value, w.clock.now())));
  expect(result.status).toBe(200);
  await result.delivered;
  /** The utility template's outcome now, and whether it reached Meta. */
  const notice = async () => {
    const before = w.reached();
    const outcome = await w.outcome(w.notice(wa));
    return { outcome, reached: w.reached() > before };
  };
  return { w, wa, notice };
}

const isoSeconds = (ms: number) => new Date(ms).toISOString().slice(0, 19); // no fraction, no zone

describe("expiration readings that end a restriction early", () => {
  it("fractional seconds are not dropped: the restriction does not end up to a second before the named instant", async () => {
    const probe = world();
    const until = Math.floor(probe.clock.now() / 1000) * 1000 + 2 * HOUR + 900; // …:SS.900
    const { w, notice } = await restricted(restriction(new Date(until).toISOString())); // "…:SS.900Z"
    expect(w.clock.now()).toBe(probe.clock.now());
    w.clock.advance(until - w.clock.now() - 400); // 400 ms before the named end
    const r = await notice();
    expect(r.outcome).toBe("account-health");
    expect(r.reached).toBe(false);
  });

  it.each<[string, string]>([
    ["+9959 (no such offset: 99 h 59 min)", "+9959"],
    ["+2400 (no such offset)", "+2400"],
    ["+14:75 (75 minutes)", "+14:75"],
  ])("an offset of %s is not read as a real one (unreadable: holds until lifted)", async (_n, zone) => {
    const probe = world();
    const named = `${isoSeconds(probe.clock.now() + 2 * DAY)}${zone}`;
    const { w, notice } = await restricted(restriction(named));
    w.clock.advance(36 * HOUR);
    const r = await notice();
    expect(r.outcome).toBe("account-health");
    expect(r.reached).toBe(false);
  });

  it('a date alone with a zone ("2026-04-19Z") is read to the end of that day, as a date alone without one is', async () => {
    const probe = world();
    const day = new Date(probe.clock.now() + 2 * DAY).toISOString().slice(0, 10);
    const dayStart = Date.parse(`${day}T00:00:00Z`);
    const { w, notice } = await restricted(restriction(`${day}Z`));
    w.clock.advance(dayStart + 12 * HOUR - w.clock.now()); // noon UTC of the named day
    const r = await notice();
    expect(r.outcome).toBe("account-health");
    expect(r.reached).toBe(false);
  });

  it('a zero date-time ("0001-01-01T00:00:00Z", a null date) does not end the restriction at once', async () => {
    const { notice } = await restricted(restriction("0001-01-01T00:00:00Z"));
    const r = await notice();
    expect(r.outcome).toBe("account-health");
    expect(r.reached).toBe(false);
  });
});

describe("a ban state the field-by-field reading does not take", () => {
  it('DISABLED_UPDATE whose waba_ban_state is a one-element list ["DISABLE"] still stops every send', async () => {
    const { notice } = await restricted({
      event: "DISABLED_UPDATE",
      ban_info: { waba_ban_state: ["DISABLE"], waba_ban_date: "2026-04-19" },
    });
    const r = await notice();
    expect(r.outcome).toBe("account-health");
    expect(r.reached).toBe(false);
  });

  it('control (holds): the same DISABLED_UPDATE with waba_ban_state "DISABLE" stops every send', async () => {
    const { notice } = await restricted({
      event: "DISABLED_UPDATE",
      ban_info: { waba_ban_state: "DISABLE", waba_ban_date: "2026-04-19" },
    });
    const r = await notice();
    expect(r.outcome).toBe("account-health");
    expect(r.reached).toBe(false);
  });
});

describe("expiration forms that held (the restriction lasts at least until the named instant)", () => {
  const probeNow = () => world().clock.now();
  const forms: Array<[string, (until: number) => string]> = [
    ["+14:00", (u) => `${isoSeconds(u + 14 * HOUR)}+14:00`],
    ["-12:00", (u) => `${isoSeconds(u - 12 * HOUR)}-12:00`],
    ["lower-case t and z", (u) => `${isoSeconds(u).replace("T", "t")}z`],
    ["a space and a space before the offset", (u) => `${isoSeconds(u).replace("T", " ")} +0000`],
    ["no offset (read as UTC-12, the latest)", (u) => isoSeconds(u)],
  ];
  it.each(forms)("%s", async (_n, form) => {
    const until = Math.floor(probeNow() / 1000) * 1000 + 2 * DAY;
    const { w, notice } = await restricted(restriction(form(until)));
    w.clock.advance(until - w.clock.now() - 1000);
    expect((await notice()).outcome).toBe("account-health");
    w.clock.advance(13 * HOUR);
    expect((await notice()).outcome).toBe("sent");
  });

  it.each<[string, string]>([
    ["a leap second 23:59:60", "2026-12-31T23:59:60Z"],
    ["February 30", "2027-02-30T10:00:00Z"],
    ["hour 24", "2027-01-01T24:00:00Z"],
    ["a far-future year 9999", "9999-12-31T23:59:59Z"],
  ])("%s: holds (30 days later still restricted)", async (_n, text) => {
    const { w, notice } = await restricted(restriction(text));
    w.clock.advance(30 * DAY);
    expect((await notice()).outcome).toBe("account-health");
  });
});

describe('a restriction without a type ("the strict reading")', () => {
  it("stops replies too: it may be RESTRICTED_CUSTOMER_INITIATED_MESSAGING, and nothing says it is not", async () => {
    const probe = world();
    const until = probe.clock.now() + 2 * DAY;
    const w = world();
    const wa = w.client();
    // The user wrote: a reply is within the window.
    const hi = await wa.webhooks.handle(w.fake.webhooks.request(w.text("wamid.hi", w.clock.now(), "hi")));
    await hi.delivered;
    const result = await wa.webhooks.handle(
      w.fake.webhooks.request(
        w.account(
          { event: "ACCOUNT_RESTRICTION", restriction_info: [{ expiration: Math.floor(until / 1000) }] },
          w.clock.now(),
        ),
      ),
    );
    expect(result.status).toBe(200);
    await result.delivered;
    const before = w.reached();
    expect(await w.outcome(wa.messages.sendText({ to: USER, body: "a reply" }))).toBe("account-health");
    expect(w.reached()).toBe(before);
  });

  it("control (holds): the named RESTRICTED_CUSTOMER_INITIATED_MESSAGING stops the reply", async () => {
    const w = world();
    const wa = w.client();
    const hi = await wa.webhooks.handle(w.fake.webhooks.request(w.text("wamid.hi", w.clock.now(), "hi")));
    await hi.delivered;
    const result = await wa.webhooks.handle(
      w.fake.webhooks.request(
        w.account(
          {
            event: "ACCOUNT_RESTRICTION",
            restriction_info: [
              {
                restriction_type: "RESTRICTED_CUSTOMER_INITIATED_MESSAGING",
                expiration: Math.floor((w.clock.now() + 2 * DAY) / 1000),
              },
            ],
          },
          w.clock.now(),
        ),
      ),
    );
    await result.delivered;
    expect(await w.outcome(wa.messages.sendText({ to: USER, body: "a reply" }))).toBe("account-health");
  });
});
