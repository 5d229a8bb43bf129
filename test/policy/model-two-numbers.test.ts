import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ClientOptions,
  isPolicyViolation,
  type OutboundMessage,
  WhatsAppClient,
} from "../../src/index.js";
import { FakeClock, FakeCloudApi, fakeTransport } from "../../src/testing/index.js";

// Model-based test of two phone numbers of one WABA in one process: the second client is the
// first's `withOptions({ phoneNumberId })`. Each number has its own fake Meta number (windows,
// blocks and throughput are per number at Meta); the templates and the health status are the
// WABA's. The adversary's moves: a user writes to one number and is answered from the other, a
// block on one number, a STOP to either, a template paused through either number's view, and a
// health reading through the first number that says the WABA — or only that number — is blocked.
// Invariants: nothing Meta refuses reaches it, a send the reference model refuses never reaches
// the transport, and a compliant send goes through.

const USERS = ["+14165550001", "+5511987654321"];
const HOUR = 3_600_000;
const HOLD = 15 * 60_000; // HEALTH_HOLD_MS
const SECOND = "100000000000002";

type Cmd =
  | { kind: "grant" | "revoke"; user: number; scope: "marketing" | "utility" | "all" }
  | { kind: "inbound"; num: number; user: number; text: "hi" | "STOP" }
  | { kind: "tick"; ms: number }
  | { kind: "block" | "unblock"; num: number; user: number }
  | { kind: "template"; status: "APPROVED" | "PAUSED" }
  | { kind: "health"; entity: "WABA" | "PHONE_NUMBER" | "none" }
  | { kind: "foreignBan" }
  | { kind: "quality"; num: number; event: "FLAGGED" | "UNFLAGGED" }
  | { kind: "send"; num: number; user: number; message: number };

const user = fc.integer({ min: 0, max: USERS.length - 1 });
const num = fc.integer({ min: 0, max: 1 });
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom("grant" as const, "revoke" as const),
      user,
      scope: fc.constantFrom("marketing" as const, "utility" as const, "all" as const),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("inbound" as const),
      num,
      user,
      text: fc.constantFrom("hi" as const, "hi" as const, "STOP" as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("tick" as const),
      ms: fc.oneof(fc.integer({ min: 0, max: 10 * 60_000 }), fc.integer({ min: HOUR, max: 30 * HOUR })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constantFrom("block" as const, "unblock" as const), num, user }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("template" as const),
      status: fc.constantFrom("APPROVED" as const, "PAUSED" as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("health" as const),
      entity: fc.constantFrom("WABA" as const, "PHONE_NUMBER" as const, "none" as const),
    }),
  },
  // One app, one webhook URL: the first number's endpoint also hears another WABA's account
  // updates and the other number's quality updates.
  { weight: 1, arbitrary: fc.constant({ kind: "foreignBan" as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("quality" as const),
      num,
      event: fc.constantFrom("FLAGGED" as const, "UNFLAGGED" as const),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant("send" as const),
      num,
      user,
      message: fc.integer({ min: 0, max: 2 }),
    }),
  },
);

function message(i: number, to: string): OutboundMessage {
  if (i === 0) return { type: "text", to, body: "Your order shipped" };
  if (i === 1) return { type: "template", to, name: "promo", language: "en_US", body: ["20%"] };
  return { type: "template", to, name: "notice", language: "en_US" };
}

interface Model {
  /** Template sends per number: user, name, time. */
  sends: Array<Array<{ user: number; name: string; at: number }>>;
  ledger: Map<number, Array<{ action: "grant" | "revoke"; scope: string }>>;
  /** Per number: when each user last wrote to it. */
  lastInbound: Array<Map<number, number>>;
  blocked: Array<Set<number>>;
  promo: string;
  /** Per number: a BLOCKED health reading holds every send until then. */
  heldUntil: number[];
  /** The first number's quality is FLAGGED (its marketing is held until UNFLAGGED). */
  flagged: boolean;
}

function consents(model: Model, u: number, scope: string): boolean {
  let lifted = false;
  const events = model.ledger.get(u) ?? [];
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.scope === scope) return e.action === "grant";
    if (e.scope !== "all") continue;
    if (e.action === "grant") lifted = true;
    else if (!lifted) return false;
  }
  return false;
}

function expectedAllowed(model: Model, n: number, u: number, i: number, now: number): boolean {
  if (now < model.heldUntil[n]!) return false;
  if (model.blocked[n]!.has(u)) return false;
  if (i === 1 || i === 2) {
    const name = i === 1 ? "promo" : "notice";
    if (name === "promo" && model.promo !== "APPROVED") return false;
    if (name === "promo" && n === 0 && model.flagged) return false;
    if (!consents(model, u, name === "promo" ? "marketing" : "utility")) return false;
    // Frequency (per number: each number keeps its own send history).
    const mine = model.sends[n]!.filter((x) => x.user === u);
    if (mine.some((x) => x.name === name && x.at > now - 24 * HOUR)) return false;
    if (name === "promo" && mine.filter((x) => x.name === "promo" && x.at > now - 7 * 24 * HOUR).length >= 3)
      return false;
    return true;
  }
  const last = model.lastInbound[n]!.get(u);
  return last !== undefined && now < last + 24 * HOUR - 60_000;
}

function twoNumbers() {
  const clock = new FakeClock();
  const fakes = [
    new FakeCloudApi({ clock }),
    new FakeCloudApi({
      clock,
      phoneNumberId: SECOND,
      wabaId: "200000000000001",
      displayPhoneNumber: "15550002222",
    }),
  ];
  for (const fake of fakes) {
    fake.templates.add({
      name: "promo",
      language: "en_US",
      category: "MARKETING",
      components: [
        { type: "FOOTER", text: "Reply STOP to opt out" },
        { type: "BODY", text: "{{1}} off" },
      ],
    });
    fake.templates.add({
      name: "notice",
      language: "en_US",
      category: "UTILITY",
      components: [{ type: "BODY", text: "Notice" }],
    });
  }
  const transports = fakes.map((f) => fakeTransport(f));
  let sends = 0;
  const transport: NonNullable<ClientOptions["transport"]> = (req) => {
    if (req.url.endsWith("/messages")) sends++;
    return transports[req.url.includes(`/${SECOND}`) ? 1 : 0]!(req);
  };
  const first = new WhatsAppClient({
    accessToken: fakes[0]!.accessToken,
    phoneNumberId: fakes[0]!.phoneNumberId,
    wabaId: fakes[0]!.wabaId,
    appSecret: fakes[0]!.webhooks.appSecret,
    clock,
    maxRetries: 0,
    transport,
  });
  const clients = [first, first.withOptions({ phoneNumberId: SECOND })];
  return { clock, fakes, clients, reached: () => sends };
}

describe("policy model, two numbers of one WABA", () => {
  it("each number keeps its own windows and blocks; the WABA's templates and health reach both", async () => {
    const coverage = { sent: 0, refusedBy: new Set<string>(), otherNumberWindow: 0, foreign: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(cmd, { minLength: 20, maxLength: 60 }), async (cmds) => {
        const { clock, fakes, clients, reached } = twoNumbers();
        const [first] = clients as [WhatsAppClient, WhatsAppClient];
        const model: Model = {
          sends: [[], []],
          ledger: new Map(),
          lastInbound: [new Map(), new Map()],
          blocked: [new Set(), new Set()],
          promo: "APPROVED",
          heldUntil: [0, 0],
          flagged: false,
        };
        const deliver = async (wabaId: string, field: string, value: Record<string, unknown>) => {
          clock.advance(1_000); // a second apart: Meta's timestamps order them
          const body = {
            object: "whatsapp_business_account",
            entry: [{ id: wabaId, time: Math.floor(clock.now() / 1000), changes: [{ field, value }] }],
          };
          const res = await first.webhooks.handle(fakes[0]!.webhooks.request(body) as never);
          expect(res.status).toBe(200);
        };
        for (const c of cmds) {
          const to = USERS[(c as { user?: number }).user ?? 0]!;
          if (c.kind === "grant" || c.kind === "revoke") {
            if (c.kind === "grant") await first.consent.grant(to, { scope: c.scope, source: "test" });
            else await first.consent.revoke(to, { scope: c.scope, source: "test" });
            model.ledger.set(c.user, [
              ...(model.ledger.get(c.user) ?? []),
              { action: c.kind, scope: c.scope },
            ]);
          } else if (c.kind === "inbound") {
            fakes[c.num]!.messaging.receiveMessage(to, { text: c.text });
            const signal = await clients[c.num]!.consent.processInbound({ from: to, text: c.text });
            model.lastInbound[c.num]!.set(c.user, clock.now());
            if (signal) {
              const action = signal === "opt-out" ? ("revoke" as const) : ("grant" as const);
              model.ledger.set(c.user, [...(model.ledger.get(c.user) ?? []), { action, scope: "all" }]);
            }
          } else if (c.kind === "tick") {
            clock.advance(c.ms);
          } else if (c.kind === "block" || c.kind === "unblock") {
            const list = clients[c.num]!.blocklist;
            const r = await (c.kind === "block" ? list.block([to]) : list.unblock([to]));
            if (r.results[0]!.status === "added") model.blocked[c.num]!.add(c.user);
            if (r.results[0]!.status === "removed") model.blocked[c.num]!.delete(c.user);
          } else if (c.kind === "template") {
            for (const fake of fakes) fake.templates.setStatus("promo", c.status);
            model.promo = c.status;
            // What the template-status webhook does, on the first number's endpoint only.
            await first.policy.pipeline!.templates.invalidate();
          } else if (c.kind === "health") {
            for (const entity of ["WABA", "PHONE_NUMBER"] as const)
              fakes[0]!.setHealth(entity, {
                canSendMessage: c.entity === entity ? "BLOCKED" : "AVAILABLE",
                ...(c.entity === entity && { errors: [{ code: 1, description: "blocked" }] }),
              });
            await first.account.health({ refresh: true });
            const until = clock.now() + HOLD;
            if (c.entity === "WABA") model.heldUntil = model.heldUntil.map((t) => Math.max(t, until));
            if (c.entity === "PHONE_NUMBER") model.heldUntil[0] = Math.max(model.heldUntil[0]!, until);
            // The fakes stop blocking at once; the policy holds (it never lifts early).
            for (const fake of fakes) {
              fake.setHealth("WABA", { canSendMessage: "AVAILABLE" });
              fake.setHealth("PHONE_NUMBER", { canSendMessage: "AVAILABLE" });
            }
          } else if (c.kind === "foreignBan") {
            coverage.foreign++;
            await deliver("300000000000003", "account_update", {
              event: "DISABLED_UPDATE",
              ban_info: { waba_ban_state: "DISABLE", waba_ban_date: "2026-12-01" },
            });
          } else if (c.kind === "quality") {
            await deliver(fakes[0]!.wabaId, "phone_number_quality_update", {
              display_phone_number: fakes[c.num]!.displayPhoneNumber,
              event: c.event,
            });
            if (c.num === 0) model.flagged = c.event === "FLAGGED";
          } else if (c.kind === "send") {
            const now = clock.now();
            const expected = expectedAllowed(model, c.num, c.user, c.message, now);
            if (
              c.message === 0 &&
              model.lastInbound[1 - c.num]!.has(c.user) &&
              !model.lastInbound[c.num]!.has(c.user)
            )
              coverage.otherNumberWindow++;
            const before = reached();
            const outcome = await clients[c.num]!.messages.send(message(c.message, to)).then(
              () => "sent" as const,
              (e: unknown) => e,
            );
            if (outcome !== "sent") {
              expect(
                isPolicyViolation(outcome),
                `Meta refused what the policy let through: ${String(outcome)}`,
              ).toBe(true);
              expect(reached()).toBe(before);
            }
            expect(
              outcome === "sent",
              `number ${c.num}, message ${c.message} to user ${c.user}: expected ${expected}, got ${String(outcome)}`,
            ).toBe(expected);
            if (outcome === "sent" && c.message > 0)
              model.sends[c.num]!.push({ user: c.user, name: c.message === 1 ? "promo" : "notice", at: now });
            if (outcome === "sent") coverage.sent++;
            if (isPolicyViolation(outcome)) coverage.refusedBy.add(outcome.rule);
          }
        }
      }),
      { numRuns: 200 },
    );
    expect(coverage.sent).toBeGreaterThan(50);
    expect(coverage.otherNumberWindow).toBeGreaterThan(10);
    expect(coverage.foreign).toBeGreaterThan(10);
    expect([...coverage.refusedBy].sort()).toEqual(
      ["account-health", "blocklist", "consent", "frequency", "session-window", "template"].sort(),
    );
  }, 120_000);
});
