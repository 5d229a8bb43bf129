import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isPolicyViolation, MemoryRateLimitStore, type OutboundMessage } from "../../src/index.js";
import { modelWorld } from "../helpers.js";

// Model-based test of the policy layer. Random sequences of consent changes, inbound messages,
// clock jumps, blocks and template status changes, interleaved with sends of every kind.
// FakeCloudApi enforces Meta's rules independently; a small reference model decides consent.
// Invariants: no request that reaches the transport is refused by Meta's rules, a send the
// reference model refuses never reaches the transport, and a compliant send goes through.

const USERS = ["+14165550001", "+5511987654321"];
const HOUR = 3_600_000;

type Cmd =
  | { kind: "grant" | "revoke"; user: number; scope: "marketing" | "utility" | "all" }
  | { kind: "inbound"; user: number; text: "hi" | "STOP" | "start" }
  | { kind: "tick"; ms: number }
  | { kind: "block" | "unblock"; user: number }
  | { kind: "template"; name: "promo" | "notice"; status: "APPROVED" | "PAUSED" | "DISABLED" }
  | { kind: "send"; user: number; message: number };

const user = fc.integer({ min: 0, max: USERS.length - 1 });
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
      user,
      text: fc.constantFrom("hi" as const, "STOP" as const, "start" as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("tick" as const),
      ms: fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: HOUR, max: 30 * HOUR })),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom("block" as const, "unblock" as const), user }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("template" as const),
      name: fc.constantFrom("promo" as const, "notice" as const),
      status: fc.constantFrom("APPROVED" as const, "PAUSED" as const, "DISABLED" as const),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant("send" as const),
      user,
      message: fc.integer({ min: 0, max: 7 }),
    }),
  },
);

function message(i: number, to: string): OutboundMessage {
  switch (i) {
    case 0:
      return { type: "text", to, body: "Your order shipped" };
    case 1:
      return { type: "image", to, media: { id: "123" }, caption: "New in" };
    case 2:
      return { type: "buttons", to, body: "Confirm?", buttons: [{ id: "y", title: "Yes" }] };
    case 3:
      return { type: "template", to, name: "promo", language: "en_US", body: ["20%"] };
    case 4:
      return { type: "template", to, name: "promo", language: "en_US" }; // missing parameter
    case 5:
      return { type: "template", to, name: "notice", language: "en_US" };
    case 6:
      return { type: "text", to, body: "Shop now https://bit.ly/x" }; // shortener
    default:
      return { type: "reaction", to, messageId: "wamid.x", emoji: "👍" };
  }
}

interface Model {
  /** Template sends that went out: user, name, time. */
  sends: Array<{ user: number; name: string; at: number }>;
  ledger: Map<number, Array<{ action: "grant" | "revoke"; scope: string }>>;
  lastInbound: Map<number, number>;
  blocked: Set<number>;
  status: Map<string, string>;
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

function expectedAllowed(model: Model, u: number, i: number, now: number): boolean {
  if (model.blocked.has(u)) return false;
  if (i === 6) return false;
  if (i === 3 || i === 4 || i === 5) {
    const name = i === 5 ? "notice" : "promo";
    if (model.status.get(name) !== "APPROVED" || i === 4) return false;
    if (!consents(model, u, name === "promo" ? "marketing" : "utility")) return false;
    // Frequency: the same template (same parameters) at most once per 24 h; marketing at most
    // once per 24 h and three times per 7 days.
    const mine = model.sends.filter((x) => x.user === u);
    if (mine.some((x) => x.name === name && x.at > now - 24 * HOUR)) return false;
    if (name === "promo" && mine.filter((x) => x.name === "promo" && x.at > now - 7 * 24 * HOUR).length >= 3)
      return false;
    return true;
  }
  const last = model.lastInbound.get(u);
  return last !== undefined && now < last + 24 * HOUR - 60_000;
}

// Twice: with the memory rate store, and with one marked remote, where the pipeline tries
// capacity alongside its reads and gives it back when a check refuses (as with Redis).
describe.each([
  ["policy model", false],
  ["policy model, capacity tried with the reads (remote rate store)", true],
])("%s", (_, remote) => {
  it("lets through exactly the compliant sends, and nothing Meta would refuse reaches it", async () => {
    const coverage = { templatesSent: 0, refusedBy: new Set<string>() };
    await fc.assert(
      fc.asyncProperty(fc.array(cmd, { minLength: 20, maxLength: 60 }), async (cmds) => {
        const rateLimits = Object.assign(new MemoryRateLimitStore(), { remote });
        const { clock, fake, wa, reached } = modelWorld({ stores: { rateLimits } });
        const model: Model = {
          sends: [],
          ledger: new Map(),
          lastInbound: new Map(),
          blocked: new Set(),
          status: new Map([
            ["promo", "APPROVED"],
            ["notice", "APPROVED"],
          ]),
        };
        for (const c of cmds) {
          const to = USERS[(c as { user?: number }).user ?? 0]!;
          if (c.kind === "grant" || c.kind === "revoke") {
            if (c.kind === "grant") await wa.consent.grant(to, { scope: c.scope, source: "test" });
            else await wa.consent.revoke(to, { scope: c.scope, source: "test" });
            model.ledger.set(c.user, [
              ...(model.ledger.get(c.user) ?? []),
              { action: c.kind, scope: c.scope },
            ]);
          } else if (c.kind === "inbound") {
            fake.messaging.receiveMessage(to, { text: c.text });
            const signal = await wa.consent.processInbound({ from: to, text: c.text });
            model.lastInbound.set(c.user, clock.now());
            if (signal) {
              const e = {
                action: signal === "opt-out" ? ("revoke" as const) : ("grant" as const),
                scope: "all",
              };
              model.ledger.set(c.user, [...(model.ledger.get(c.user) ?? []), e]);
            }
          } else if (c.kind === "tick") {
            clock.advance(c.ms);
          } else if (c.kind === "block" || c.kind === "unblock") {
            const r = await (c.kind === "block" ? wa.blocklist.block([to]) : wa.blocklist.unblock([to]));
            if (r.results[0]!.status === "added") model.blocked.add(c.user);
            if (r.results[0]!.status === "removed") model.blocked.delete(c.user);
          } else if (c.kind === "template") {
            fake.templates.setStatus(c.name, c.status);
            model.status.set(c.name, c.status);
            await wa.policy.pipeline!.templates.invalidate(); // what the template-status webhook does
          } else if (c.kind === "send") {
            const expected = expectedAllowed(model, c.user, c.message, clock.now());
            const before = reached();
            const outcome = await wa.messages.send(message(c.message, to)).then(
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
            expect(outcome === "sent", `message ${c.message} to user ${c.user}: expected ${expected}`).toBe(
              expected,
            );
            if (outcome === "sent" && (c.message === 3 || c.message === 5)) {
              model.sends.push({ user: c.user, name: c.message === 5 ? "notice" : "promo", at: clock.now() });
              coverage.templatesSent++;
            }
            if (isPolicyViolation(outcome)) coverage.refusedBy.add(outcome.rule);
          }
        }
      }),
      { numRuns: 500 },
    );
    // The generator must reach every rule, or the property proves less than it claims.
    expect(coverage.templatesSent).toBeGreaterThan(50);
    expect([...coverage.refusedBy].sort()).toEqual(
      ["blocklist", "consent", "content", "frequency", "session-window", "template"].sort(),
    );
  }, 120_000);
});
