/**
 * An ACCOUNT_RESTRICTION's `expiration` in the form Meta's documented example uses (Unix seconds,
 * a number) and in the form integrators report receiving (a date-time string such as
 * `"2026-04-19T13:59:20+0000"`). The reference does not settle which one Meta sends, so both
 * must restrict until the moment they name — and one that cannot be read must restrict, never
 * end the restriction at once or drop it.
 */
import { describe, expect, it } from "vitest";
import { CA, twoNumbers } from "./attack6/two.js";

const DAY = 24 * 60 * 60 * 1000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "+0000");

describe("ACCOUNT_RESTRICTION expiration formats", () => {
  const restriction = (expiration: unknown) => ({
    event: "ACCOUNT_RESTRICTION",
    restriction_info: [{ restriction_type: "RESTRICTED_BIZ_INITIATED_MESSAGING", expiration }],
  });

  const cases: Array<[string, (until: number) => unknown]> = [
    ["Unix seconds, a number", (until) => Math.floor(until / 1000)],
    ["Unix seconds, a string of digits", (until) => String(Math.floor(until / 1000))],
    ["a date-time with +0000", (until) => iso(until)],
    ["a date-time with Z", (until) => new Date(until).toISOString()],
    [
      "a date-time with another offset (+0530)",
      (until) => new Date(until + 5.5 * 60 * 60 * 1000).toISOString().replace(/\.\d{3}Z$/, "+0530"),
    ],
  ];

  for (const [name, form] of cases) {
    it(`${name}: templates stop until the expiration, then resume`, async () => {
      const w = twoNumbers();
      const wa = w.client({ transport: w.transport });
      await wa.consent.grant(CA, { scope: "utility", source: "order" });
      const until = w.clock.now() + 2 * DAY;
      const res = await w.deliver(wa, w.accountUpdate(w.fake.wabaId, restriction(form(until))));
      expect(res.status).toBe(200);
      const before = w.reached.length;
      expect(await w.notice(wa)).toBe("account-health");
      w.clock.advance(DAY);
      expect(await w.notice(wa)).toBe("account-health");
      expect(w.reached.length).toBe(before);
      w.clock.advance(DAY + 60_000);
      expect(await w.notice(wa)).toBe("sent");
    });
  }

  for (const [name, expiration] of [
    ["a date nobody can read", "next tuesday"],
    ["an empty string", ""],
    ["null", null],
    ["an object", { at: 1 }],
  ] as const) {
    it(`${name}: the restriction holds (no end is known), it is not dropped or ended at once`, async () => {
      const w = twoNumbers();
      const wa = w.client({ transport: w.transport });
      await wa.consent.grant(CA, { scope: "utility", source: "order" });
      const res = await w.deliver(wa, w.accountUpdate(w.fake.wabaId, restriction(expiration)));
      expect(res.status).toBe(200);
      const before = w.reached.length;
      expect(await w.notice(wa)).toBe("account-health");
      w.clock.advance(30 * DAY);
      expect(await w.notice(wa)).toBe("account-health");
      expect(w.reached.length).toBe(before);
    });
  }
});

describe("account_update fields in shapes the reference does not show", () => {
  const deliverAndNotice = async (value: Record<string, unknown>) => {
    const w = twoNumbers();
    const wa = w.client({ transport: w.transport });
    await wa.consent.grant(CA, { scope: "utility", source: "order" });
    const res = await w.deliver(wa, w.accountUpdate(w.fake.wabaId, value));
    expect(res.status).toBe(200);
    const before = w.reached.length;
    const outcome = await w.notice(wa);
    return { outcome, reachedMeta: w.reached.length > before };
  };

  it("a DISABLE whose ban date is a number still stops everything", async () => {
    const r = await deliverAndNotice({
      event: "DISABLED_UPDATE",
      ban_info: { waba_ban_state: "DISABLE", waba_ban_date: 1_796_000_000 },
    });
    expect(r).toEqual({ outcome: "account-health", reachedMeta: false });
  });

  it("a restriction without a type, or with a number for a type, is the strict reading (templates stop)", async () => {
    for (const item of [
      { expiration: "2099-01-01T00:00:00+0000" },
      { restriction_type: 7 },
      { restriction_type: " " },
      "RESTRICTED",
    ]) {
      const r = await deliverAndNotice({ event: "ACCOUNT_RESTRICTION", restriction_info: [item] });
      expect(r).toEqual({ outcome: "account-health", reachedMeta: false });
    }
  });

  it("restriction_info as one object instead of a list still restricts", async () => {
    const r = await deliverAndNotice({
      event: "ACCOUNT_RESTRICTION",
      restriction_info: { restriction_type: "RESTRICTED_BIZ_INITIATED_MESSAGING" },
    });
    expect(r).toEqual({ outcome: "account-health", reachedMeta: false });
  });

  it("a violation whose type is a number still slows marketing and warns (a utility send still goes)", async () => {
    const w = twoNumbers();
    const wa = w.client({ transport: w.transport });
    await wa.consent.grant(CA, { scope: "utility", source: "order" });
    const warnings: unknown[] = [];
    wa.on("accountWarning", (e) => {
      warnings.push({ warning: e.warning, violationType: e.violationType });
    });
    const body = w.accountUpdate(w.fake.wabaId, {
      event: "ACCOUNT_VIOLATION",
      violation_info: { violation_type: 12 },
    });
    const result = await w.deliver(wa, body);
    expect(result.status).toBe(200);
    await result.delivered;
    expect(warnings).toEqual([{ warning: "ACCOUNT_VIOLATION", violationType: "12" }]);
    const { restrictions } = await wa.account.health();
    expect(restrictions.map((r) => r.scope)).toContain("marketing_slow");
    expect(await w.notice(wa)).toBe("sent");
  });
});

describe("endMs: the end of a restriction, as Meta may write it", async () => {
  const { endMs } = await import("../../src/webhooks/parse-common.js");
  const at = Date.UTC(2026, 3, 19, 13, 59, 20);
  it.each([
    [1_776_607_160, 1_776_607_160_000],
    ["1776607160", 1_776_607_160_000],
    ["2026-04-19T13:59:20+0000", at],
    ["2026-04-19T13:59:20Z", at],
    ["2026-04-19T13:59:20.123z", at + 123],
    ["2026-04-19T19:29:20+05:30", at],
    ["2026-04-19T08:59:20-0500", at],
    ["2026-04-19 13:59:20 +0000", at],
    // No zone: its latest instant anywhere (UTC-12).
    ["2026-04-19T13:59:20", at + 12 * 3_600_000],
    // A date alone: the end of that day, anywhere.
    ["2026-04-19", Date.UTC(2026, 3, 20) + 12 * 3_600_000],
  ])("%s", (input, expected) => {
    expect(endMs(input)).toBe(expected);
  });
  it.each([
    ["2026-02-30T00:00:00Z"],
    ["2026-04-19T24:00:00Z"],
    ["next tuesday"],
    [""],
    [null],
    [{}],
    [Number.NaN],
    [Infinity],
  ])("%s cannot be read", (input) => {
    expect(endMs(input)).toBeUndefined();
  });
});

describe("account and quality updates whose names are not in upper case", () => {
  it("a disabled_update with waba_ban_state 'disable' still stops everything", async () => {
    const w = twoNumbers();
    const wa = w.client({ transport: w.transport });
    await wa.consent.grant(CA, { scope: "utility", source: "order" });
    const body = w.accountUpdate(w.fake.wabaId, {
      event: "disabled_update",
      ban_info: { waba_ban_state: "Disable " },
    });
    expect((await w.deliver(wa, body)).status).toBe(200);
    const before = w.reached.length;
    expect(await w.notice(wa)).toBe("account-health");
    expect(w.reached.length).toBe(before);
  });

  it("a lower-case restriction type is read as the type it names (replies stop, not only templates)", async () => {
    const w = twoNumbers();
    const wa = w.client({ transport: w.transport });
    w.fake.messaging.receiveMessage(CA, { text: "hi" });
    await wa.sessions.recordInbound(CA);
    const body = w.accountUpdate(w.fake.wabaId, {
      event: "Account_Restriction",
      restriction_info: [{ restriction_type: "restricted_customer_initiated_messaging" }],
    });
    expect((await w.deliver(wa, body)).status).toBe(200);
    const before = w.reached.length;
    expect(await w.outcome(wa.messages.sendText({ to: CA, body: "a reply" }))).toBe("account-health");
    expect(w.reached.length).toBe(before);
  });
});
