/**
 * The compact layouts of the memory stores (rows of parallel columns, times coded as small
 * integers, keys held once) answer exactly as the object-per-entry stores they replaced: random
 * sequences of calls against the reference (test/state/reference-stores.ts), then the edge cases
 * the layouts introduce, one by one.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { internKey } from "../../src/internal/recipients.js";
import {
  type CheckpointEntry,
  KeyIndex,
  MemoryCampaignCheckpointStore,
} from "../../src/state/campaign-checkpoints.js";
import { MemoryRateLimitStore } from "../../src/state/rate-limits.js";
import { MemorySendHistoryStore, type SendRecord } from "../../src/state/send-history.js";
import { ReferenceCheckpoints, ReferenceRateLimits, ReferenceSendHistory } from "./reference-stores.js";

const DAY = 24 * 60 * 60 * 1000;

/** A settled value or the error's message, so a throw is compared like an answer. */
async function outcome<T>(f: () => Promise<T>): Promise<T | { threw: string }> {
  try {
    return await f();
  } catch (e) {
    return { threw: (e as Error).constructor.name === "TypeError" ? String(e) : "refused" };
  }
}

/** Exact equality for entries: same fields in the same order, times compared with Object.is. */
function expectSameEntry(actual: unknown, expected: unknown): void {
  if (expected === undefined || actual === undefined) {
    expect(actual).toBe(expected);
    return;
  }
  expect(Object.keys(actual as object)).toEqual(Object.keys(expected as object));
  for (const [k, v] of Object.entries(expected as object))
    expect(Object.is((actual as Record<string, unknown>)[k], v), `${k}: ${String(v)}`).toBe(true);
}

describe("send history rows", () => {
  // Times on the half millisecond (a fake clock's steps) around the 1-day and 7-day edges, some
  // out of order: what both layouts compute exactly.
  const times = [
    0,
    0.5,
    12.5,
    DAY - 0.5,
    DAY,
    DAY + 12.5,
    3 * DAY,
    7 * DAY,
    7 * DAY + 0.5,
    8 * DAY,
    15 * DAY,
  ];
  const keys = ["a", "b", "c", "d", "e"];
  const record = fc.record({
    key: fc.constantFrom(...keys),
    at: fc.constantFrom(...times),
    marketing: fc.boolean(),
    fingerprint: fc.constantFrom("f1", "f2"),
    reach: fc.boolean(),
  });
  const op = fc.oneof(
    fc.record({ kind: fc.constant("record" as const), e: record }),
    fc.record({
      kind: fc.constant("reserve" as const),
      e: record,
      aliases: fc.option(fc.subarray(keys, { maxLength: 2 }), { nil: undefined }),
      caps: fc.record(
        {
          identicalSince: fc.constantFrom(...times),
          marketingPerDay: fc.integer({ min: 0, max: 2 }),
          marketingPerWeek: fc.integer({ min: 0, max: 3 }),
          reachLimit: fc.integer({ min: 0, max: 4 }),
        },
        { requiredKeys: [] },
      ),
    }),
    fc.record({ kind: fc.constant("release" as const), e: record }),
    fc.record({
      kind: fc.constant("reach" as const),
      key: fc.constantFrom(...keys),
      at: fc.constantFrom(...times),
    }),
    fc.record({
      kind: fc.constant("since" as const),
      key: fc.constantFrom(...keys),
      at: fc.constantFrom(...times),
      fingerprint: fc.constantFrom("f1", "f2"),
    }),
  );

  it("answer every call as the object-per-entry history did (random sequences, small bounds)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(op, { maxLength: 40 }), async (max, ops) => {
        const compact = new MemorySendHistoryStore({ max });
        const reference = new ReferenceSendHistory({ max });
        const both = async <T>(f: (s: MemorySendHistoryStore | ReferenceSendHistory) => Promise<T>) =>
          expect(await outcome(() => f(compact))).toEqual(await outcome(() => f(reference)));
        for (const o of ops) {
          if (o.kind === "record") await both((s) => s.record({ ...o.e }));
          else if (o.kind === "reserve")
            await both((s) =>
              s.reserve(
                { ...o.e, ...(o.aliases ? { aliases: o.aliases } : {}) },
                o.caps as Record<string, number>,
              ),
            );
          else if (o.kind === "release") await both((s) => s.release({ ...o.e }));
          else if (o.kind === "reach") await both((s) => s.reach(o.key, o.at));
          else {
            await both((s) => s.marketingSince(o.key, o.at));
            await both((s) => s.sentSince(o.key, o.fingerprint, o.at));
          }
          expect(compact.size).toBe(reference.size);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("keep each send's time exactly: fractional, before 1970, far ahead, the edges of a day", async () => {
    for (const at of [12.5, 0.1, 1 / 3, -86_400_000.25, -1e15, 2 ** 53 + 2, 1e300, Number.MAX_VALUE]) {
      const h = new MemorySendHistoryStore();
      await h.record({ key: "k", at, marketing: true, fingerprint: "f", reach: true });
      const below = at - Math.max(Number.MIN_VALUE, Math.abs(at) * Number.EPSILON);
      expect(await h.sentSince("k", "f", at)).toBe(false); // strictly after `since`
      expect(await h.sentSince("k", "f", below)).toBe(true);
      expect(await h.marketingSince("k", below)).toBe(1);
      // Counted while within a day of `now` (a day is below the precision of the largest times).
      const counted = at > at - DAY;
      expect(await h.reach("k", at)).toEqual({ unique: counted ? 1 : 0, includes: counted });
      // Its release finds it by that exact time, and only by it.
      await h.release({ key: "k", at: below, marketing: true, fingerprint: "f", reach: true });
      expect(await h.sentSince("k", "f", below)).toBe(true);
      await h.release({ key: "k", at, marketing: true, fingerprint: "f", reach: true });
      expect(await h.sentSince("k", "f", below)).toBe(false);
      expect(await h.reach("k", at)).toEqual({ unique: 0, includes: false });
    }
  });

  it("an evicted recipient's row goes to the next one with nothing of theirs in it", async () => {
    const h = new MemorySendHistoryStore({ max: 2 });
    const send = (key: string, at: number, extra: Partial<SendRecord> = {}) =>
      h.record({ key, at, marketing: true, fingerprint: `fp-${key}`, reach: true, ...extra });
    await send("old", 0);
    await send("kept", 7.5 * DAY);
    // 8 days on, "old" is the one whose sends are all older than 7 days: it goes.
    await send("new", 8 * DAY, { marketing: false });
    expect(h.size).toBe(2);
    expect(await h.sentSince("old", "fp-old", -1)).toBe(false);
    expect(await h.sentSince("new", "fp-old", -1)).toBe(false);
    expect(await h.sentSince("new", "fp-new", 8 * DAY - 0.5)).toBe(true);
    expect(await h.marketingSince("new", -1)).toBe(0);
    expect(await h.marketingSince("kept", -1)).toBe(1);
    // Nobody else can go now: a new recipient is refused, and no row is lost to the refusal.
    for (let i = 0; i < 50; i++) await expect(send(`x${i}`, 8 * DAY + i)).rejects.toThrow(/2 recipients/);
    expect(h.size).toBe(2);
  });

  it("an evicted recipient still counted toward reach stays counted until their send ages out", async () => {
    const h = new MemorySendHistoryStore({ max: 1 });
    await h.record({ key: "a", at: 0, marketing: false, fingerprint: "f", reach: true });
    await h.record({ key: "b", at: 8 * DAY, marketing: false, fingerprint: "f", reach: true });
    // Asked at a time within a day of a's send (clocks of several instances disagree), a counts.
    expect(await h.reach("a", 0.5)).toEqual({ unique: 2, includes: true });
    // A new send to a (after b's have aged) takes its latest back: one count, not two.
    await h.record({ key: "a", at: 16 * DAY, marketing: false, fingerprint: "f", reach: true });
    expect(await h.reach("a", 16 * DAY)).toEqual({ unique: 1, includes: true });
    expect(await h.reach("b", 16 * DAY)).toEqual({ unique: 1, includes: false });
  });

  it("a recipient goes from one send to several and back without losing their reach time", async () => {
    const h = new MemorySendHistoryStore();
    const e = (at: number, reach: boolean, fingerprint = "f"): SendRecord => ({
      key: "k",
      at,
      marketing: true,
      fingerprint,
      reach,
    });
    await h.record(e(1.5, true));
    await h.record(e(2.5, false, "g"));
    await h.record(e(3.5, true, "h"));
    expect(await h.marketingSince("k", 0)).toBe(3);
    await h.release(e(3.5, true, "h"));
    // The latest reach send left; the one at 1.5 still reaches them.
    expect(await h.reach("k", 1.5 + DAY - 0.5)).toEqual({ unique: 1, includes: true });
    expect(await h.reach("k", 1.5 + DAY)).toEqual({ unique: 0, includes: false });
    await h.release(e(2.5, false, "g"));
    expect(await h.marketingSince("k", 0)).toBe(1);
    await h.release(e(1.5, true));
    expect(await h.marketingSince("k", 0)).toBe(0);
    expect(h.size).toBe(1); // held with no send, as before
  });

  it("rebuilds its reach queue from the rows as the reference does (many sends to few people)", async () => {
    const compact = new MemorySendHistoryStore({ max: 3 });
    const reference = new ReferenceSendHistory({ max: 3 });
    for (let i = 0; i < 5_000; i++) {
      const e = { key: `k${i % 3}`, at: i * 12.5, marketing: false, fingerprint: "f", reach: true };
      await compact.record(e);
      await reference.record(e);
      if (i % 997 === 0)
        expect(await compact.reach(`k${i % 3}`, i * 12.5)).toEqual(
          await reference.reach(`k${i % 3}`, i * 12.5),
        );
    }
    for (const now of [62_500, DAY, DAY + 62_487.5, DAY + 62_500])
      for (const k of ["k0", "k1", "k2"])
        expect(await compact.reach(k, now)).toEqual(await reference.reach(k, now));
  });
});

describe("campaign checkpoint rows", () => {
  const times = [0, 12.5, -0, -1e15, 1e300, Number.NaN, 1 / 3];
  const entry = fc.oneof(
    fc.record({
      state: fc.constant("sent" as const),
      messageId: fc.constantFrom("wamid.A", "wamid.B", ""),
      run: fc.constantFrom("r1", "r2"),
      at: fc.constantFrom(...times),
    }),
    fc.record({
      state: fc.constant("pending" as const),
      correlationId: fc.constantFrom("c1", "c2"),
      run: fc.constantFrom("r1", "r2"),
      at: fc.constantFrom(...times),
    }),
    fc.record({
      state: fc.constant("released" as const),
      run: fc.constantFrom("r1", "r2"),
      at: fc.constantFrom(...times),
    }),
  );
  const key = fc.constantFrom("14165550001", "14165550002", "US.ENT.1", "", "a");
  const op = fc.record({
    kind: fc.constantFrom("claim", "settle", "release", "releasePending", "get", "pending", "tick"),
    campaign: fc.constantFrom("c1", "c2"),
    key,
    entry,
  });

  it("answer every call as the object-per-entry checkpoint did (random sequences, TTL, bound)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.array(op, { maxLength: 40 }),
        async (maxEntries, ops) => {
          let now = 0;
          const options = { ttlMs: 100, maxEntries, now: () => now };
          const compact = new MemoryCampaignCheckpointStore(options);
          const reference = new ReferenceCheckpoints(options);
          for (const o of ops) {
            if (o.kind === "tick") {
              now += 40;
              continue;
            }
            const call = (s: MemoryCampaignCheckpointStore | ReferenceCheckpoints): Promise<unknown> => {
              const e = { ...o.entry } as never;
              if (o.kind === "claim")
                return s.claim(o.campaign, o.key, { ...o.entry, state: "pending" } as never);
              if (o.kind === "settle") return s.settle(o.campaign, o.key, e);
              if (o.kind === "release") return s.release(o.campaign, o.key, e);
              if (o.kind === "releasePending") return s.releasePending(o.campaign, o.key, e);
              if (o.kind === "get") return s.get(o.campaign, o.key);
              return s
                .pending(o.campaign)
                .then((p) => p.sort((x, y) => (x.key < y.key ? -1 : 1)).map((x) => [x.key, x.entry]));
            };
            const [a, b] = [await outcome(() => call(compact)), await outcome(() => call(reference))];
            if (o.kind === "pending") {
              expect((a as unknown[]).length).toBe((b as unknown[]).length);
              (a as [string, unknown][]).forEach(([k, v], i) => {
                expect(k).toBe((b as [string, unknown][])[i]?.[0]);
                expectSameEntry(v, (b as [string, unknown][])[i]?.[1]);
              });
            } else if (a !== null && typeof a === "object" && !("threw" in a)) expectSameEntry(a, b);
            else expect(a).toEqual(b);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("gives back every time exactly, -0 and NaN included", async () => {
    const s = new MemoryCampaignCheckpointStore();
    const ats = [12.5, 0.1, -0, Number.NaN, -1e15, 2 ** 53 + 2, 1e300, -Number.MAX_VALUE, Number.MIN_VALUE];
    for (const [i, at] of ats.entries())
      await s.settle("c", `k${i}`, { state: "sent", messageId: "w", run: "r", at });
    for (const [i, at] of ats.entries()) expect(Object.is((await s.get("c", `k${i}`))?.at, at)).toBe(true);
  });

  it("an entry of another shape is held as given, and a later entry of the usual shape replaces it", async () => {
    const s = new MemoryCampaignCheckpointStore();
    const odd = [
      { state: "sent", messageId: "w", run: "r", at: 1, note: "extra field" },
      { at: 2, run: "r", messageId: "w", state: "sent" }, // another field order
      { state: "pending", correlationId: 7, run: "r", at: 3 }, // not a string
      { state: "released", run: "r", at: "4" }, // not a number
      { state: "archived", run: "r", at: 5 }, // not a state the columns know
    ] as unknown as CheckpointEntry[];
    for (const [i, e] of odd.entries()) await s.release("c", `k${i}`, e as never);
    for (const [i, e] of odd.entries()) expectSameEntry(await s.get("c", `k${i}`), e);
    await s.settle("c", "k0", { state: "sent", messageId: "w2", run: "r", at: 9 });
    expectSameEntry(await s.get("c", "k0"), { state: "sent", messageId: "w2", run: "r", at: 9 });
    // And back: the odd copy is the entry again, the columns' old values not.
    await s.release("c", "k0", odd[0] as never);
    expectSameEntry(await s.get("c", "k0"), odd[0]);
    // A copy each time: changing what was returned or given changes nothing held.
    const got = (await s.get("c", "k0")) as Record<string, unknown>;
    got["run"] = "changed";
    (odd[0] as Record<string, unknown>)["run"] = "changed too";
    expect((await s.get("c", "k0"))?.run).toBe("r");
  });

  it("many runs of one campaign keep their own run each", async () => {
    const s = new MemoryCampaignCheckpointStore();
    for (let i = 0; i < 300; i++)
      await s.release("c", `k${i}`, { state: "released", run: `run-${i % 150}`, at: i });
    for (let i = 0; i < 300; i++) expect((await s.get("c", `k${i}`))?.run).toBe(`run-${i % 150}`);
  });
});

describe("the checkpoint's key index", () => {
  it("finds every key it was given across many resizes, and no other", () => {
    const index = new KeyIndex();
    const keys = Array.from({ length: 20_000 }, (_, i) => `1416${String(i).padStart(7, "0")}`);
    // Keys that differ by a character, prefixes of each other, empty, non-ASCII.
    keys.push("", "1", "14", "141", "US.ENT.a", "US.ENT.A", "é", "\u0000", "\u0000\u0000", "😀");
    for (const [row, k] of keys.entries()) expect(index.add(k)).toBe(row);
    for (const [row, k] of keys.entries()) expect(index.get(k)).toBe(row);
    for (const k of ["2", "1416", "14160000000x", "US.ENT.b", "\u0001", "e\u0301"])
      expect(index.get(k)).toBeUndefined();
    // The same characters in another string (built, not literal) find the same row.
    expect(index.get(["1416", "0001234"].join(""))).toBe(1234);
    expect([...index.entries()].length).toBe(keys.length);
  });

  it("keeps finding keys when they all collide (a probe each, never a wrong row)", () => {
    const index = new KeyIndex();
    // Whatever the seed, 64 keys fill slots in clusters; every lookup still compares strings.
    const keys = Array.from({ length: 64 }, (_, i) =>
      String.fromCharCode(65 + (i % 26)).repeat(1 + Math.floor(i / 26)),
    );
    for (const k of keys) index.add(k);
    for (const [row, k] of keys.entries()) expect(index.get(k)).toBe(row);
  });
});

describe("pair-rate buckets held by recipient key", () => {
  // Half-millisecond times near the store's first time: exact in both layouts' arithmetic.
  const keys = [
    "pair:1:a",
    "pair:1:b",
    "pair:2:a",
    "a",
    "\u0000pair:1:a",
    "pair:1:\u0000a",
    "pair:1:",
    "",
    "pair:1:pair:2:a",
  ];
  const op = fc.record({
    kind: fc.constantFrom("take", "peek", "refund"),
    key: fc.constantFrom(...keys),
    burst: fc.constantFrom(1, 2, 3),
    intervalMs: fc.constantFrom(100, 1_000),
    step: fc.constantFrom(0, 0, 12.5, 50, 500, 5_000),
  });

  it("answer every call as the number-per-key buckets did (random sequences, a small bound)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(op, { maxLength: 50 }),
        async (maxKeys, ops) => {
          const compact = new MemoryRateLimitStore({ maxKeys });
          const reference = new ReferenceRateLimits({ maxKeys });
          let now = 1_700_000_000_000;
          for (const o of ops) {
            now += o.step;
            if (o.kind === "refund") {
              await compact.refundBucket(o.key, o.burst);
              await reference.refundBucket(o.key, o.burst);
            } else {
              const consume = o.kind === "take";
              expect(await compact.bucket(o.key, o.burst, o.intervalMs, now, consume)).toEqual(
                await reference.bucket(o.key, o.burst, o.intervalMs, now, consume),
              );
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keys that would meet once the prefix is taken off stay apart", async () => {
    const r = new MemoryRateLimitStore();
    // The first key sets the prefix "pair:1:"; the others would hold "a" or "pair:2:a" too.
    for (const k of ["pair:1:a", "a", "\u0000pair:1:a", "pair:1:pair:2:a", "pair:2:a"]) {
      expect((await r.bucket(k, 1, 1_000, 0, true)).ok, k).toBe(true);
      expect((await r.bucket(k, 1, 1_000, 0, false)).ok, k).toBe(false);
    }
    expect((await r.bucket("pair:1:b", 1, 1_000, 0, false)).ok).toBe(true);
  });

  it("holds a time the small-integer code cannot give back exactly, exactly", async () => {
    // The first take sets the epoch; times far from it, or finer than 1/8 ms, do not fit the code.
    // A bucket of one token, one per second, emptied at exactly t: its answers are those of t.
    const expected = (now: number, emptyAt: number) => {
      const tokens = Math.min(1, (now - emptyAt) / 1_000);
      return tokens < 1
        ? { ok: false, retryAfterMs: Math.ceil((1 - tokens) * 1_000) }
        : { ok: true, retryAfterMs: 0 };
    };
    for (const [first, t] of [
      [1e12, 0.1],
      [0, 1 / 3],
      [0, 1e300],
      [1e12, -1e15],
      [1e12, 2 ** 53 + 2],
      [5, 5 + 2 ** -20],
      [0, 12.5],
    ] as const) {
      const r = new MemoryRateLimitStore();
      await r.bucket("pair:1:first", 1, 1_000, first, true);
      expect((await r.bucket("pair:1:k", 1, 1_000, t, true)).ok).toBe(true);
      for (const now of [t, t + 999, t + 999.9, t + 1_000, t + 1_000.5])
        expect(await r.bucket("pair:1:k", 1, 1_000, now, false), `${t} at ${now}`).toEqual(expected(now, t));
      await r.refundBucket("pair:1:k", 1);
      for (const now of [t - 1, t, t + 0.1])
        expect(await r.bucket("pair:1:k", 1, 1_000, now, false), `${t} at ${now}`).toEqual(
          expected(now, t - 1_000),
        );
    }
  });
});

describe("recipient keys held once", () => {
  it("gives back one string per key content, and any content as it came", () => {
    const a = ["1416", "5550001"].join("");
    const b = ["14165", "550001"].join("");
    expect(internKey(a)).toBe(internKey(b));
    for (const k of ["", "\u0000", "é", "US.ENT.x"]) expect(internKey(k)).toBe(k);
    // Past its size the table starts again: keys still come back equal.
    for (let i = 0; i < 5_000; i++) expect(internKey(`k${i}`)).toBe(`k${i}`);
    expect(internKey(a)).toBe(a);
  });
});
