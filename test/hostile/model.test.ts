/**
 * The adversary as a model-based test. Random runs of everything hostile production does at once:
 * several clients on one set of stores (a client and its `withOptions()` copies), Meta's clock
 * off this server's by up to minutes either way, stores that
 * fail before or after their write, STOPs and account bans delivered late, out of order, failed
 * and redelivered, and replayed after the de-duplication window, and bursts of concurrent sends.
 *
 * Invariants, checked against what reached the fake (Meta):
 * - Meta refuses nothing that reaches it; every other failure is a policy refusal or a store
 *   failing closed.
 * - Once a STOP has been acknowledged (2xx or 503) and no grant is newer, no marketing reaches
 *   that user.
 * - Once the newest acknowledged ban (by Meta's time) is a DISABLE, nothing reaches Meta.
 * - Marketing per user: at most one in any 24 hours; unique users reached with templates outside
 *   a window: at most the tier (2) in any 24 hours — whatever the clients and the faults.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  isPolicyViolation,
  isStoreUnavailableError,
  memoryStores,
  StoreUnavailableError,
  WhatsAppClient,
} from "../../src/index.js";
import { FakeClock, FakeCloudApi, fakeTransport } from "../../src/testing/index.js";
import { inboundText } from "../helpers.js";

const USERS = ["+14165550001", "+14165550002", "+14165550003", "+14165550004"];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TIER = 2;

type Cmd =
  | { kind: "stop"; user: number; odd: Record<string, unknown> | undefined }
  | { kind: "grant"; user: number; client: number }
  | { kind: "ban"; state: "DISABLE" | "REINSTATE"; ageMin: number; banDate: unknown }
  | { kind: "deliver"; pick: number; client: number }
  | { kind: "replay"; pick: number }
  | { kind: "faults"; mode: "off" | "flaky" }
  | { kind: "tick"; ms: number }
  | { kind: "skew"; ms: number }
  | { kind: "burst"; sends: Array<{ user: number; client: number; reply: boolean; variant: number }> };

const user = fc.integer({ min: 0, max: USERS.length - 1 });
const client = fc.integer({ min: 0, max: 2 });
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("stop" as const),
      user,
      // Now and then a field beside the STOP in a shape the reference does not show.
      odd: fc.constantFrom(
        undefined,
        { context: { forwarded: "true" } },
        { referral: { source_id: 120_211_234_567 } },
        { identity: { created_timestamp: "2026-04-19T13:59:20+0000" } },
        // Or the message's own id or type unreadable: the STOP must still count.
        { id: null },
        { type: 7 },
        // An id as a JSON number (its own, like every message's: one id is one message).
        { id: "numeric" },
      ),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("grant" as const), user, client }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("ban" as const),
      state: fc.constantFrom("DISABLE" as const, "REINSTATE" as const),
      ageMin: fc.integer({ min: 0, max: 180 }),
      // The ban date in the shapes Meta's reference shows and does not: a field the guarantee
      // does not read must not make the ban an unknown event.
      banDate: fc.constantFrom(undefined, "2026-12-01", 1_796_000_000, null, { at: 1 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant("deliver" as const), pick: fc.nat(), client }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("replay" as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("faults" as const),
      mode: fc.constantFrom("off" as const, "flaky" as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("tick" as const),
      ms: fc.oneof(
        fc.integer({ min: 1_000, max: 60_000 }),
        fc.integer({ min: HOUR, max: 30 * HOUR }),
        fc.constant(8 * DAY),
      ),
    }),
  },
  {
    // Meta's clock against this server's: STOPs from now on are stamped this far off the truth.
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("skew" as const),
      ms: fc.constantFrom(-150_000, -90_000, -1_500, 0, 800, 60_000),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("burst" as const),
      sends: fc.array(
        fc.record({ user, client, reply: fc.boolean(), variant: fc.integer({ min: 0, max: 1 }) }),
        {
          minLength: 1,
          maxLength: 6,
        },
      ),
    }),
  },
);

/** Stores that fail, while `mode` is flaky, on about a third of calls — before or after the write. */
function faulty<T extends object>(
  store: T,
  state: { mode: "off" | "flaky"; rng: () => number; failures: number },
): T {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        const roll = state.mode === "flaky" ? state.rng() : 1;
        const fail = () => {
          state.failures++;
          return new StoreUnavailableError("test", String(prop), "a stall");
        };
        if (roll < 0.15) throw fail();
        const result = await (value as (...a: unknown[]) => unknown).apply(target, args);
        if (roll < 0.3) throw fail(); // the write landed, the answer was lost
        return result;
      };
    },
  });
}

interface Delivery {
  body: unknown;
  /** Meta's time of the event, ms. */
  at: number;
  what: { stop: number } | { ban: "DISABLE" | "REINSTATE" };
}

describe("hostile model: late, failed and replayed webhooks, flaky stores, derived clients, bursts", () => {
  it("never lets a violating send reach Meta, and never loses an acknowledged STOP or ban", async () => {
    const coverage = {
      sent: 0,
      refused: new Set<string>(),
      storeFailures: 0,
      busy: 0,
      failedDeliveries: 0,
      replays: 0,
    };
    await fc.assert(
      fc.asyncProperty(fc.array(cmd, { minLength: 20, maxLength: 70 }), fc.integer(), async (cmds, seed) => {
        let s = seed >>> 0 || 1;
        const faults = {
          mode: "off" as "off" | "flaky",
          rng: () => {
            s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0;
            return s / 2 ** 32;
          },
          failures: 0,
        };
        const clock = new FakeClock();
        const fake = new FakeCloudApi({ clock, webhooks: false });
        fake.templates.add({
          name: "promo",
          language: "en_US",
          category: "MARKETING",
          components: [
            { type: "FOOTER", text: "Reply STOP to opt out" },
            { type: "BODY", text: "{{1}} off" },
          ],
        });
        const base = memoryStores();
        const stores = {
          ...base,
          consent: faulty(base.consent, faults),
          sendHistory: faulty(base.sendHistory, faults),
          webhookDedup: faulty(base.webhookDedup, faults),
          accountHealth: faulty(base.accountHealth, faults),
          sessionWindows: faulty(base.sessionWindows, faults),
        };
        const wa = new WhatsAppClient({
          accessToken: fake.accessToken,
          phoneNumberId: fake.phoneNumberId,
          wabaId: fake.wabaId,
          appSecret: fake.webhooks.appSecret,
          clock,
          maxRetries: 0,
          transport: fakeTransport(fake),
          stores,
          policy: { messagingLimit: { tier: TIER } },
        });
        const clients = [wa, wa.withOptions({}), wa.withOptions({ maxRetries: 0 })];
        for (const u of USERS) await wa.consent.grant(u, { scope: "marketing", source: "form" });

        // The model: what was acknowledged, and the latest time each user may have been granted.
        const grantedAt = new Map<number, number>(USERS.map((_, i) => [i, clock.now()]));
        const stopAcked = new Map<number, number>();
        const bans: Array<{ state: "DISABLE" | "REINSTATE"; at: number }> = [];
        // A lift whose delivery failed may still have been stored (the answer was lost, not the
        // write): any REINSTATE delivered at all may be in force.
        const liftsTried: number[] = [];
        const inboundAt = new Map<number, number[]>();
        const pending: Delivery[] = [];
        const delivered: Delivery[] = [];
        let seq = 0;
        let metaSkew = 0;
        const sec = (ms: number) => Math.floor(ms / 1000);

        const handle = async (d: Delivery, by: number) => {
          const result = await clients[by]!.webhooks.handle(fake.webhooks.request(d.body));
          expect([200, 500, 503]).toContain(result.status);
          if ("ban" in d.what && d.what.ban === "REINSTATE") liftsTried.push(d.at);
          if (result.status === 500) coverage.failedDeliveries++;
          if (result.status === 503) coverage.busy++;
          if (result.status === 200 || result.status === 503) {
            if ("stop" in d.what) {
              const u = d.what.stop;
              stopAcked.set(u, Math.max(stopAcked.get(u) ?? 0, d.at));
            } else bans.push({ state: d.what.ban, at: d.at });
          }
          return result.status;
        };

        for (const c of cmds) {
          if (c.kind === "stop") {
            clock.advance(1_000); // one event a second: Meta's stamps are seconds
            const at = clock.now();
            inboundAt.set(c.user, [...(inboundAt.get(c.user) ?? []), at]);
            fake.messaging.receiveMessage(USERS[c.user]!, { text: "STOP" }); // Meta's side of it
            pending.push({
              at,
              what: { stop: c.user },
              body: inboundText(fake.wabaId, {
                from: USERS[c.user]!.slice(1),
                id: `wamid.stop.${++seq}`,
                at: at + metaSkew, // Meta's stamp; the model keeps the true time

                body: "STOP",
                ...(c.odd !== undefined && {
                  extra: c.odd["id"] === "numeric" ? { id: 4_242_000_000 + seq } : c.odd,
                }),
              }),
            });
          } else if (c.kind === "ban") {
            clock.advance(1_000);
            const at = (sec(clock.now()) - c.ageMin * 60) * 1000;
            pending.push({
              at,
              what: { ban: c.state },
              body: {
                object: "whatsapp_business_account",
                entry: [
                  {
                    id: fake.wabaId,
                    time: sec(at),
                    changes: [
                      {
                        field: "account_update",
                        value: {
                          event: "DISABLED_UPDATE",
                          ban_info: {
                            waba_ban_state: c.state,
                            n: ++seq,
                            ...(c.banDate !== undefined && { waba_ban_date: c.banDate }),
                          },
                        },
                      },
                    ],
                  },
                ],
              },
            });
          } else if (c.kind === "grant") {
            clock.advance(1_000);
            const at = clock.now();
            // Whether it throws or not, it may have landed: the grant is possible from now on.
            grantedAt.set(c.user, at);
            await clients[c.client]!.consent.grant(USERS[c.user]!, {
              scope: "marketing",
              source: "form",
            }).catch((e: unknown) => {
              if (!isStoreUnavailableError(e) && !(e as { code?: string }).code?.startsWith("consent_"))
                throw e;
            });
          } else if (c.kind === "deliver") {
            if (pending.length === 0) continue;
            const i = c.pick % pending.length;
            const d = pending[i]!;
            const status = await handle(d, c.client);
            if (status === 200) {
              pending.splice(i, 1);
              delivered.push(d);
            }
          } else if (c.kind === "replay") {
            if (delivered.length === 0) continue;
            coverage.replays++;
            await handle(delivered[c.pick % delivered.length]!, 0);
          } else if (c.kind === "faults") {
            faults.mode = c.mode;
          } else if (c.kind === "tick") {
            clock.advance(c.ms);
          } else if (c.kind === "skew") {
            metaSkew = c.ms;
          } else {
            // What must hold for every send of this burst, decided before it starts.
            // Banned: an acknowledged DISABLE newer (by Meta's time) than every REINSTATE tried.
            const disabledAt = Math.max(
              Number.NEGATIVE_INFINITY,
              ...bans.filter((b) => b.state === "DISABLE").map((b) => b.at),
            );
            const banned = disabledAt > Math.max(Number.NEGATIVE_INFINITY, ...liftsTried);
            const stopped = (u: number) => {
              const stop = stopAcked.get(u);
              return stop !== undefined && sec(stop) > sec(grantedAt.get(u) ?? 0);
            };
            const before = fake.messaging.sent.length;
            const outcomes = await Promise.all(
              c.sends.map(async (x) => {
                const to = USERS[x.user]!;
                const send = x.reply
                  ? clients[x.client]!.messages.sendText({ to, body: `thanks ${x.variant}` })
                  : clients[x.client]!.messages.sendTemplate({
                      to,
                      name: "promo",
                      language: "en_US",
                      body: [`${10 + x.variant}%`],
                    });
                return send.then(
                  () => ({ x, ok: true as const }),
                  (error: unknown) => ({ x, ok: false as const, error }),
                );
              }),
            );
            for (const o of outcomes) {
              if (o.ok) {
                coverage.sent++;
                expect(banned, "a send reached Meta while the newest acknowledged ban is a DISABLE").toBe(
                  false,
                );
                if (!o.x.reply)
                  expect(
                    stopped(o.x.user),
                    `marketing reached user ${o.x.user} after an acknowledged STOP`,
                  ).toBe(false);
              } else if (isPolicyViolation(o.error)) coverage.refused.add(o.error.rule);
              else
                expect(
                  isStoreUnavailableError(o.error),
                  `Meta refused what the policy let through: ${String(o.error)}`,
                ).toBe(true);
            }
            // Caps, over everything Meta ever accepted.
            const sent = fake.messaging.sent.slice(before);
            for (const m of sent) expect(m.type === "template" || m.type === "text").toBe(true);
            const promos = fake.messaging.sent.filter((m) => m.type === "template");
            const times = new Map<string, number[]>();
            for (const m of promos) times.set(m.waId, [...(times.get(m.waId) ?? []), m.at]);
            for (const [who, list] of times) {
              list.sort((a, b) => a - b);
              for (let i = 1; i < list.length; i++)
                expect(list[i]! - list[i - 1]!, `two promos to ${who} within 24 h`).toBeGreaterThanOrEqual(
                  DAY,
                );
            }
            // Reach: a template to someone with no inbound in the 24 h before it counts.
            const reach = promos
              .map((m) => {
                const u = USERS.findIndex((x) => x.slice(1) === m.waId);
                const windowOpen = (inboundAt.get(u) ?? []).some((t) => t <= m.at && t > m.at - DAY);
                return windowOpen ? undefined : { who: m.waId, at: m.at };
              })
              .filter((r): r is { who: string; at: number } => r !== undefined);
            for (const r of reach) {
              const inDay = new Set(reach.filter((q) => q.at <= r.at && q.at > r.at - DAY).map((q) => q.who));
              expect(inDay.size, "more unique users than the tier in 24 h").toBeLessThanOrEqual(TIER);
            }
          }
        }
        coverage.storeFailures += faults.failures;
      }),
      {
        numRuns: 150,
        // HOSTILE_SEED=… HOSTILE_PATH=… replays a counterexample fast-check printed.
        ...(process.env["HOSTILE_SEED"] !== undefined && {
          seed: Number(process.env["HOSTILE_SEED"]),
          path: process.env["HOSTILE_PATH"] ?? "",
          endOnFailure: true,
        }),
      },
    );
    // The generator must reach every move, or the property proves less than it claims.
    expect(coverage.sent).toBeGreaterThan(100);
    expect(coverage.storeFailures).toBeGreaterThan(50);
    expect(coverage.failedDeliveries).toBeGreaterThan(10);
    expect(coverage.replays).toBeGreaterThan(10);
    expect(coverage.busy).toBeGreaterThan(0);
    for (const rule of ["consent", "account-health", "frequency", "session-window"])
      expect([...coverage.refused], `no send was refused by ${rule}`).toContain(rule);
  }, 180_000);
});
