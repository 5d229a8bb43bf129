// Consent against the mistakes that undo an opt-out: a business grant after Meta's marketing stop,
// an import (a nightly CRM re-import) of records older than a STOP, and events recorded in an
// order other than the order they happened in. Everything goes through the public API, with the
// fake as Meta.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ConsentEvent,
  ConsentRequiredError,
  ConsentSupersededError,
  ConsentWithdrawnByUserError,
  consentStatus,
  ValidationError,
} from "../../src/index.js";
import { connected } from "../helpers.js";

const USER = "+14165551234";
const WA_ID = "14165551234";
const OTHER = "+14165550002";
const DAY = 24 * 60 * 60 * 1000;
const iso = (ms: number) => new Date(ms).toISOString();

function world() {
  const { clock, fake, wa } = connected();
  fake.templates.add({
    name: "promo",
    language: "en_US",
    category: "MARKETING",
    components: [
      { type: "FOOTER", text: "Reply STOP to opt out" },
      { type: "BODY", text: "Sale!" },
    ],
  });
  fake.templates.add({
    name: "notice",
    language: "en_US",
    category: "UTILITY",
    components: [{ type: "BODY", text: "Your order shipped" }],
  });
  /** Deliver every webhook the fake queued. */
  const sync = async () => {
    for (const payload of fake.webhooks.pending.splice(0)) {
      const result = await wa.webhooks.handle(fake.webhooks.request(payload));
      expect(result.status).toBe(200);
      await result.delivered;
    }
  };
  /** Deliver a webhook built by hand (to choose Meta's timestamp), signed like Meta's. */
  const post = async (field: string, value: Record<string, unknown>) => {
    const payload = {
      object: "whatsapp_business_account",
      entry: [{ id: fake.wabaId, changes: [{ field, value }] }],
    };
    const result = await wa.webhooks.handle(fake.webhooks.request(payload));
    expect(result.status).toBe(200);
    await result.delivered;
  };
  const seconds = (at: number) => Math.floor(at / 1000);
  let id = 0;
  const meta = {
    preference: (value: "stop" | "resume", at: number) =>
      post("user_preferences", {
        messaging_product: "whatsapp",
        contacts: [{ wa_id: WA_ID }],
        user_preferences: [
          {
            wa_id: WA_ID,
            detail: `User requested to ${value} marketing messages`,
            category: "marketing_messages",
            value,
            timestamp: seconds(at),
          },
        ],
      }),
    failed131050: (at: number) =>
      post("messages", {
        messaging_product: "whatsapp",
        statuses: [
          {
            id: `wamid.failed${++id}`,
            status: "failed",
            timestamp: String(seconds(at)),
            recipient_id: WA_ID,
            errors: [
              {
                code: 131050,
                title:
                  "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.",
                message: "Unable to deliver the message.",
                error_data: { details: "The user has stopped marketing messages from this business." },
              },
            ],
          },
        ],
      }),
    text: (body: string, at: number) =>
      post("messages", {
        messaging_product: "whatsapp",
        messages: [
          {
            from: WA_ID,
            id: `wamid.in${++id}`,
            timestamp: String(seconds(at)),
            type: "text",
            text: { body },
          },
        ],
      }),
  };
  const promo = () => wa.messages.sendTemplate({ to: USER, name: "promo", language: "en_US" });
  const notice = () => wa.messages.sendTemplate({ to: USER, name: "notice", language: "en_US" });
  /** Sends that reached Meta's messages endpoint. */
  const reached = () =>
    fake.requests.filter((r) => r.method === "POST" && r.path.endsWith("/messages")).length;
  const marketingAllowed = async () =>
    !(
      await wa.policy.check({ type: "template", to: USER, name: "promo", language: "en_US" })
    ).violations.some((v) => v.rule === "consent");
  return { clock, fake, wa, sync, meta, promo, notice, reached, marketingAllowed };
}

async function refusal(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error("expected a refusal");
    },
    (e: unknown) => e,
  );
}

describe("Meta's marketing stop is lifted only by the user", () => {
  it("after a user_preferences stop, a business grant is refused with a typed error that says why, and records nothing", async () => {
    const w = world();
    await w.wa.consent.grant(USER, { scope: "marketing", source: "checkout-form" });
    w.fake.messaging.setMarketingPreference(USER, "stop");
    await w.sync();
    const stoppedAt = Math.floor(w.clock.now() / 1000) * 1000;
    const before = await w.wa.consent.history(USER);

    const error = await refusal(
      w.wa.consent.grant(USER, { scope: "marketing", source: "crm-sync", proof: "row 7" }),
    );
    expect(error).toBeInstanceOf(ConsentWithdrawnByUserError);
    expect(error).toBeInstanceOf(ValidationError); // callers that catch bad input catch this too
    const e = error as ConsentWithdrawnByUserError;
    expect(e.code).toBe("consent_withdrawn_by_user");
    expect(e.scope).toBe("marketing");
    expect(e.withdrawal).toEqual({ scope: "marketing", source: "meta:user_preferences", at: stoppedAt });
    expect(e.message).toContain("stopped marketing messages in WhatsApp");
    expect(e.message).toContain(iso(stoppedAt));
    expect(e.message).toContain("only the user can resume");
    expect(e.message).not.toContain(WA_ID); // the recipient is masked, as in every error
    expect(JSON.stringify(e)).not.toContain(WA_ID);
    // `all` includes marketing: refused too, rather than recorded without effect.
    expect(await refusal(w.wa.consent.grant(USER, { scope: "all", source: "crm-sync" }))).toBeInstanceOf(
      ConsentWithdrawnByUserError,
    );
    expect(await w.wa.consent.history(USER)).toEqual(before);

    const sends = w.reached();
    expect(await refusal(w.promo())).toBeInstanceOf(ConsentRequiredError);
    expect(w.reached()).toBe(sends); // refused by the policy, never reached Meta

    // A marketing-only stop leaves the other scopes to the business.
    await w.wa.consent.grant(USER, { scope: "utility", source: "checkout-form" });
    await w.notice();
    expect(w.reached()).toBe(sends + 1);
  });

  it("after a 131050 failure, a business grant is refused", async () => {
    const w = world();
    await w.wa.consent.grant(USER, { scope: "marketing", source: "checkout-form" });
    w.fake.messaging.marketingStopped.add(WA_ID); // stopped in WhatsApp; no user_preferences webhook
    await w.promo(); // Meta accepts it, then fails it with 131050
    await w.sync();
    const error = await refusal(w.wa.consent.grant(USER, { scope: "marketing", source: "checkout-form" }));
    expect(error).toBeInstanceOf(ConsentWithdrawnByUserError);
    expect((error as ConsentWithdrawnByUserError).withdrawal.source).toBe("meta:131050");
    expect((error as Error).message).toContain("only the user can resume");
    const sends = w.reached();
    expect(await refusal(w.promo())).toBeInstanceOf(ConsentRequiredError);
    expect(w.reached()).toBe(sends);
  });

  it("a 131050 reported late still stops marketing, even after a grant recorded in the meantime", async () => {
    const w = world();
    const t0 = w.clock.now();
    w.clock.advance(60_000);
    await w.wa.consent.grant(USER, { scope: "marketing", source: "checkout-form" }); // at t0 + 60 s
    await w.meta.failed131050(t0 + 30_000); // Meta's failure, dated before the grant, arrives after it
    expect(await w.marketingAllowed()).toBe(false);
    expect((await w.wa.consent.status(USER, "marketing")).decidedBy?.source).toBe("meta:131050");
  });

  it("a business grant recorded after the stop by an older version (or by hand) does not lift it", () => {
    const e = (action: "grant" | "revoke", scope: string, source: string, at: number): ConsentEvent => ({
      key: WA_ID,
      action,
      scope,
      source,
      at,
    });
    const ledger = [
      e("grant", "marketing", "checkout-form", 1_000),
      e("revoke", "marketing", "meta:user_preferences", 2_000),
      e("grant", "marketing", "crm-sync", 3_000),
    ];
    expect(consentStatus(ledger, "marketing")).toMatchObject({ granted: false, decidedBy: ledger[1] });
    // Meta's resume lifts it; the per-scope history applies again.
    const resumed = [...ledger, e("grant", "marketing", "meta:user_preferences", 4_000)];
    expect(consentStatus(resumed, "marketing")).toMatchObject({ granted: true, decidedBy: ledger[2] });
  });

  it("after a user_preferences resume, a grant is accepted and marketing goes out again", async () => {
    const w = world();
    w.fake.messaging.setMarketingPreference(USER, "stop");
    await w.sync();
    expect(
      await refusal(w.wa.consent.grant(USER, { scope: "marketing", source: "checkout-form" })),
    ).toBeInstanceOf(ConsentWithdrawnByUserError);
    w.clock.advance(5_000);
    const optIns: boolean[] = [];
    w.wa.on("optIn", (e) => void optIns.push(e.granted));
    w.fake.messaging.setMarketingPreference(USER, "resume");
    await w.sync();
    expect(optIns).toEqual([false]); // the resume lifts the stop; it grants nothing by itself
    expect(await w.marketingAllowed()).toBe(false);
    await w.wa.consent.grant(USER, { scope: "marketing", source: "checkout-form", proof: "order A-1" });
    const sends = w.reached();
    await w.promo();
    expect(w.reached()).toBe(sends + 1);
    await w.sync();
    expect(w.fake.messaging.marketingStopped.has(WA_ID)).toBe(false);
    expect(await w.marketingAllowed()).toBe(true); // no 131050 came back
  });

  it("a resume older than the stop does not lift it", async () => {
    const w = world();
    const t0 = w.clock.now();
    w.clock.advance(60_000);
    await w.meta.preference("stop", t0 + 40_000);
    await w.meta.preference("resume", t0 + 20_000); // sent earlier, arrived later
    expect(
      await refusal(w.wa.consent.grant(USER, { scope: "marketing", source: "checkout-form" })),
    ).toBeInstanceOf(ConsentWithdrawnByUserError);
  });

  it("the user's START lifts it too; if Meta still holds the stop, its 131050 records it again", async () => {
    const w = world();
    await w.wa.consent.grant(USER, { scope: "marketing", source: "checkout-form" });
    w.fake.messaging.setMarketingPreference(USER, "stop");
    await w.sync();
    expect(await w.marketingAllowed()).toBe(false);
    w.clock.advance(5_000);
    w.fake.messaging.receiveMessage(USER, { text: "START" });
    await w.sync();
    expect(await w.marketingAllowed()).toBe(true); // the grant from before the stop applies again
    // The user did not resume in WhatsApp: Meta accepts the send, then fails it.
    await w.promo();
    await w.sync();
    expect(await w.marketingAllowed()).toBe(false);
    expect((await w.wa.consent.status(USER, "marketing")).decidedBy?.source).toBe("meta:131050");
  });

  it("only Meta's report resumes, and only the user's keywords count as the user's", async () => {
    const w = world();
    for (const source of ["meta:user_preferences", "keyword:START"]) {
      const error = await refusal(w.wa.consent.grant(USER, { scope: "marketing", source }));
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toContain("reserved");
    }
    const error = await refusal(w.wa.consent.resume(USER, { scope: "marketing", source: "crm" }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(await w.wa.consent.history(USER)).toEqual([]);
  });
});

describe("newer withdrawals win, by the time they happened", () => {
  it("STOP today, then an import of a grant dated yesterday: superseded, and marketing stays refused", async () => {
    const w = world();
    await w.wa.consent.grant(USER, { scope: "marketing", source: "checkout-form" });
    w.clock.advance(10 * DAY);
    w.fake.messaging.receiveMessage(USER, { text: "STOP" });
    await w.sync();
    const stop = (await w.wa.consent.history(USER)).at(-1)!;
    expect(stop).toMatchObject({ action: "revoke", scope: "all", source: "keyword:STOP" });
    const before = await w.wa.consent.history(USER);

    const now = w.clock.now();
    const results = await w.wa.consent.import([
      { recipient: USER, scope: "marketing", source: "crm", proof: "row 1", at: now - DAY },
      { recipient: OTHER, scope: "marketing", source: "crm", at: now - DAY },
      { recipient: USER, scope: "marketing", source: "crm", at: "yesterday" as unknown as number },
      { recipient: USER, scope: "marketing", source: "crm" }, // undated: cannot show it is newer
      { recipient: USER, scope: "utility", source: "crm", action: "revoke", at: now - 3 * DAY },
    ]);
    expect(results.map((r) => r.status)).toEqual([
      "superseded",
      "recorded",
      "invalid",
      "superseded",
      "recorded",
    ]);
    const superseded = results[0]!;
    if (superseded.status !== "superseded") throw new Error("unreachable");
    expect(superseded.by).toEqual(stop);
    expect(superseded.error).toBeInstanceOf(ConsentSupersededError);
    expect(superseded.error.code).toBe("consent_superseded");
    expect(superseded.error.message).toContain(iso(now - DAY));
    expect(superseded.error.message).toContain(iso(stop.at));
    expect(superseded.error.message).toContain("keyword:STOP");
    const invalid = results[2]!;
    expect(invalid.status === "invalid" && invalid.error.message).toMatch(
      /at must be a time in milliseconds/,
    );
    // Only the revoke was added for USER.
    expect(await w.wa.consent.history(USER)).toEqual([
      ...before,
      expect.objectContaining({ action: "revoke" }),
    ]);

    const sends = w.reached();
    expect(await refusal(w.promo())).toBeInstanceOf(ConsentRequiredError);
    expect(w.reached()).toBe(sends);
  });

  it("the same import run again every night adds nothing", async () => {
    const w = world();
    const at = w.clock.now() - DAY;
    const records = [
      { recipient: USER, scope: "marketing", source: "crm", proof: "row 1", at },
      { recipient: USER, scope: "utility", source: "crm", action: "revoke" as const, at },
      { recipient: OTHER, scope: "marketing", source: "crm", proof: "row 2" }, // undated
    ];
    expect((await w.wa.consent.import(records)).map((r) => r.status)).toEqual([
      "recorded",
      "recorded",
      "recorded",
    ]);
    w.clock.advance(DAY);
    expect((await w.wa.consent.import(records)).map((r) => r.status)).toEqual([
      "unchanged",
      "unchanged",
      "unchanged",
    ]);
    expect(await w.wa.consent.history(USER)).toHaveLength(2);
    expect(await w.wa.consent.history(OTHER)).toHaveLength(1);
    // Once the user says STOP, last night's rows no longer decide anything: they are superseded.
    w.fake.messaging.receiveMessage(USER, { text: "STOP" });
    await w.sync();
    w.clock.advance(DAY);
    expect((await w.wa.consent.import(records)).map((r) => r.status)).toEqual([
      "superseded",
      "unchanged",
      "unchanged",
    ]);
  });

  it("an import never lifts Meta's stop: older records are superseded, newer ones refused", async () => {
    const w = world();
    const t0 = w.clock.now();
    w.clock.advance(DAY);
    await w.meta.preference("stop", t0 + DAY / 2);
    const results = await w.wa.consent.import([
      { recipient: USER, scope: "marketing", source: "crm", at: t0 },
      { recipient: USER, scope: "marketing", source: "crm", at: t0 + DAY - 1000 },
      { recipient: USER, scope: "marketing", source: "crm" },
      { recipient: USER, scope: "all", source: "crm", at: t0 + DAY - 1000 },
      { recipient: USER, scope: "utility", source: "crm", at: t0 + DAY - 1000 },
      { recipient: USER, scope: "marketing", source: "crm", action: "revoke", at: t0 },
    ]);
    expect(results.map((r) => r.status)).toEqual([
      "superseded",
      "refused",
      "refused",
      "refused",
      "recorded",
      "recorded",
    ]);
    const refused = results[1]!;
    expect(refused.status === "refused" && refused.error).toBeInstanceOf(ConsentWithdrawnByUserError);
    expect(await w.marketingAllowed()).toBe(false);
  });

  it("a business grant dated at or before a withdrawal is refused as superseded and records nothing", async () => {
    const w = world();
    const t0 = w.clock.now();
    w.clock.advance(DAY);
    await w.meta.text("STOP", t0 + 1000 * 3600);
    const before = await w.wa.consent.history(USER);
    const error = await refusal(
      w.wa.consent.grant(USER, { scope: "marketing", source: "paper-form", at: t0 }),
    );
    expect(error).toBeInstanceOf(ConsentSupersededError);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ConsentSupersededError).withdrawal).toMatchObject({
      source: "keyword:STOP",
      scope: "all",
    });
    // Within the same second as the STOP counts as "not after it".
    expect(
      await refusal(
        w.wa.consent.grant(USER, { scope: "marketing", source: "paper-form", at: t0 + 1000 * 3600 + 500 }),
      ),
    ).toBeInstanceOf(ConsentSupersededError);
    expect(await w.wa.consent.history(USER)).toEqual(before);
    expect(await w.marketingAllowed()).toBe(false);
  });

  it("a fresh opt-in after the user's STOP (a checkout form, dated after it) lifts it", async () => {
    const w = world();
    await w.wa.consent.grant(USER, { scope: "marketing", source: "newsletter-form" });
    w.fake.messaging.receiveMessage(USER, { text: "STOP" });
    await w.sync();
    expect(await w.marketingAllowed()).toBe(false);
    w.clock.advance(DAY);
    const results = await w.wa.consent.import([
      {
        recipient: USER,
        scope: "marketing",
        source: "checkout-form",
        proof: "order A-2",
        at: w.clock.now() - 60_000,
      },
    ]);
    expect(results[0]?.status).toBe("recorded");
    expect(await w.marketingAllowed()).toBe(true);
  });

  it("a grant cannot be dated in the future, and `at` must be a time", async () => {
    const w = world();
    const future = await refusal(
      w.wa.consent.grant(USER, { scope: "marketing", source: "crm", at: w.clock.now() + 60_000 }),
    );
    expect(future).toBeInstanceOf(ValidationError);
    expect((future as Error).message).toContain("future");
    expect(
      await refusal(w.wa.consent.revoke(USER, { scope: "marketing", source: "crm", at: Number.NaN })),
    ).toBeInstanceOf(ValidationError);
    expect(await w.wa.consent.history(USER)).toEqual([]);
  });

  it("status follows when events happened, not the order they were recorded in", async () => {
    const w = world();
    const t0 = w.clock.now();
    w.clock.advance(DAY);
    await w.wa.consent.grant(USER, { scope: "marketing", source: "checkout-form", at: t0 + 2 * 3600_000 });
    // The preference-centre opt-out happened before the grant; it is entered later.
    await w.wa.consent.revoke(USER, { scope: "marketing", source: "preference-center", at: t0 + 3600_000 });
    expect(await w.wa.consent.status(USER, "marketing")).toMatchObject({
      granted: true,
      decidedBy: { source: "checkout-form" },
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Property: for any sequence of grants, revokes, imports, STOP/START, Meta stops and resumes,
// happening at random times and recorded in random order, marketing is allowed only if the newest
// relevant event (by time) is a grant and no Meta stop is newer than the user's last resume.

type Scope = "marketing" | "all";
type Cmd =
  | { kind: "grant"; scope: Scope | "utility"; dated: boolean }
  | { kind: "revoke"; scope: Scope; dated: boolean }
  | { kind: "import"; action: "grant" | "revoke"; scope: Scope; dated: boolean }
  | { kind: "stop" }
  | { kind: "start" }
  | { kind: "metaStop"; via: "user_preferences" | "131050" }
  | { kind: "resume" };

const scope = fc.constantFrom<Scope>("marketing", "all");
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({
    kind: fc.constant("grant" as const),
    scope: fc.constantFrom<Scope | "utility">("marketing", "all", "utility"),
    dated: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("revoke" as const), scope, dated: fc.boolean() }),
  fc.record({
    kind: fc.constant("import" as const),
    action: fc.constantFrom("grant" as const, "revoke" as const),
    scope,
    dated: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("stop" as const) }),
  fc.record({ kind: fc.constant("start" as const) }),
  fc.record({
    kind: fc.constantFrom("metaStop" as const),
    via: fc.constantFrom("user_preferences" as const, "131050" as const),
  }),
  fc.record({ kind: fc.constant("resume" as const) }),
);
/** Commands, each with its own second in the past (distinct, in any order). */
const script = fc.array(cmd, { minLength: 1, maxLength: 25 }).chain((cmds) =>
  fc.tuple(
    fc.constant(cmds),
    fc.uniqueArray(fc.integer({ min: 1, max: 100_000 }), {
      minLength: cmds.length,
      maxLength: cmds.length,
    }),
  ),
);

interface Happened {
  at: number;
  grant: boolean;
  /** The user's own lift of Meta's stop: a START, or Meta's resume. */
  userLift: boolean;
  metaStop: boolean;
}

describe("property: no marketing after a withdrawal nobody lifted", () => {
  it("a marketing send is allowed only if the newest relevant event is a grant and no Meta stop is newer than the user's last resume", async () => {
    const coverage = { allowed: 0, refusedByMeta: 0, superseded: 0 };
    await fc.assert(
      fc.asyncProperty(script, async ([cmds, pasts]) => {
        const w = world();
        const start = w.clock.now();
        const happened: Happened[] = [];
        const business = (s: string) => s !== "utility";
        for (const [i, c] of cmds.entries()) {
          w.clock.advance(1000); // events "now" get their own second, after every dated one
          const dated = start - pasts[i]! * 1000;
          const before = await w.wa.consent.history(USER);
          switch (c.kind) {
            case "grant": {
              const at = c.dated ? dated : w.clock.now();
              if (business(c.scope)) happened.push({ at, grant: true, userLift: false, metaStop: false });
              const outcome = await w.wa.consent
                .grant(USER, { scope: c.scope, source: "crm", ...(c.dated && { at }) })
                .catch((e: unknown) => e);
              if (outcome instanceof ValidationError) {
                expect(outcome.code).toMatch(/^consent_(withdrawn_by_user|superseded)$/);
                if (outcome.code === "consent_withdrawn_by_user") coverage.refusedByMeta++;
                else coverage.superseded++;
                expect(await w.wa.consent.history(USER)).toEqual(before);
              } else expect(outcome).toMatchObject({ action: "grant" });
              break;
            }
            case "revoke": {
              const at = c.dated ? dated : w.clock.now();
              happened.push({ at, grant: false, userLift: false, metaStop: false });
              await w.wa.consent.revoke(USER, { scope: c.scope, source: "crm", ...(c.dated && { at }) });
              break;
            }
            case "import": {
              const at = c.dated ? dated : w.clock.now();
              happened.push({ at, grant: c.action === "grant", userLift: false, metaStop: false });
              const [result] = await w.wa.consent.import([
                { recipient: USER, scope: c.scope, source: "crm", action: c.action, ...(c.dated && { at }) },
              ]);
              if (c.action === "revoke") expect(result?.status).toBe("recorded");
              if (result?.status === "superseded") coverage.superseded++;
              if (result?.status === "refused") coverage.refusedByMeta++;
              if (result?.status !== "recorded") expect(await w.wa.consent.history(USER)).toEqual(before);
              break;
            }
            case "stop":
              happened.push({ at: dated, grant: false, userLift: false, metaStop: false });
              await w.meta.text("STOP", dated);
              break;
            case "start":
              happened.push({ at: dated, grant: true, userLift: true, metaStop: false });
              await w.meta.text("START", dated);
              break;
            case "metaStop":
              happened.push({ at: dated, grant: false, userLift: false, metaStop: true });
              if (c.via === "user_preferences") await w.meta.preference("stop", dated);
              else await w.meta.failed131050(dated);
              break;
            case "resume":
              happened.push({ at: dated, grant: true, userLift: true, metaStop: false });
              await w.meta.preference("resume", dated);
              break;
          }
          const byTime = [...happened].sort((a, b) => a.at - b.at);
          const newest = byTime.at(-1);
          const lastLift = Math.max(-Infinity, ...happened.filter((h) => h.userLift).map((h) => h.at));
          const stopNewerThanLift = happened.some((h) => h.metaStop && h.at > lastLift);
          const permitted = newest?.grant === true && !stopNewerThanLift;
          const allowed = await w.marketingAllowed();
          if (allowed) coverage.allowed++;
          expect(!allowed || permitted, `after ${JSON.stringify(cmds.slice(0, i + 1))}`).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
    // The property is not vacuous: sends were allowed, and both refusals happened.
    expect(coverage.allowed).toBeGreaterThan(20);
    expect(coverage.refusedByMeta).toBeGreaterThan(5);
    expect(coverage.superseded).toBeGreaterThan(5);
  }, 120_000);
});
