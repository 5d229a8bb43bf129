// One contract per state-store interface. Every implementation (memory, Redis, …) runs the same
// suites, so "shared" never means "slightly different".
import { describe, expect, it } from "vitest";
import type {
  AccountHealthStore,
  BlockMirror,
  CampaignCheckpointStore,
  ConsentEvent,
  ConsentStore,
  IdentityStore,
  MessageTemplate,
  RateLimitStore,
  SendHistoryStore,
  SessionWindowStore,
  TemplateListStore,
  WebhookDedupStore,
} from "../../src/index.js";
import { appendOnce, consentStatus } from "../../src/state/consent.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface StoreFactories {
  sessionWindows(): Promise<SessionWindowStore>;
  consent(): Promise<ConsentStore>;
  blockMirror(): Promise<BlockMirror>;
  accountHealth(): Promise<AccountHealthStore>;
  /** `instances` account-health stores sharing one state. */
  accountHealthShared(instances: number): Promise<AccountHealthStore[]>;
  webhookDedup(): Promise<WebhookDedupStore>;
  sendHistory(): Promise<SendHistoryStore>;
  /** `instances` stores sharing one state, as separate processes would. */
  rateLimits(instances?: number): Promise<RateLimitStore[]>;
  /** `instances` checkpoint stores sharing one state. */
  campaigns(instances?: number): Promise<CampaignCheckpointStore[]>;
  templates(): Promise<TemplateListStore>;
  /** `instances` identity stores sharing one state. */
  identity(instances?: number): Promise<IdentityStore[]>;
}

export function sessionWindowContract(make: StoreFactories["sessionWindows"]) {
  it("session windows: the latest inbound wins, an older one never moves it back", async () => {
    const s = await make();
    expect(await s.lastInbound("14165550001")).toBeUndefined();
    await s.recordInbound("14165550001", 1_000);
    await s.recordInbound("14165550001", 5_000);
    await s.recordInbound("14165550001", 3_000);
    expect(await s.lastInbound("14165550001")).toBe(5_000);
    expect(await s.lastInbound("14165550002")).toBeUndefined();
  });

  it("session windows: a close (Meta's 131047) ends the window; only a later message reopens it", async () => {
    const s = await make();
    if (!s.close) throw new Error("the built-in window stores implement close");
    const DAY_MS = 24 * 3_600_000;
    const t = 10 * DAY_MS;
    await s.recordInbound("14165550003", t);
    await s.close("14165550003", t + 3_600_000);
    // Counted as 24 hours before the close: no window is open at or after it.
    expect(await s.lastInbound("14165550003")).toBe(t + 3_600_000 - DAY_MS);
    // A late delivery of an older message does not reopen it; an older close changes nothing.
    await s.recordInbound("14165550003", t + 1_000);
    await s.close("14165550003", t);
    expect(await s.lastInbound("14165550003")).toBe(t + 3_600_000 - DAY_MS);
    // The user writes again: a new window.
    await s.recordInbound("14165550003", t + 2 * 3_600_000);
    expect(await s.lastInbound("14165550003")).toBe(t + 2 * 3_600_000);
    // A close of someone with no message recorded leaves nothing to report.
    await s.close("14165550004", t);
    expect(await s.lastInbound("14165550004")).toBeUndefined();
  });
}

export function consentContract(make: StoreFactories["consent"]) {
  it("consent: an append-only ledger per person, in order, nothing lost", async () => {
    const s = await make();
    expect(await s.history("a")).toEqual([]);
    const events: ConsentEvent[] = [
      { key: "a", action: "grant", scope: "marketing", source: "form", proof: "box ticked ✓", at: 1 },
      { key: "a", action: "revoke", scope: "all", source: "keyword:STOP", at: 2 },
      { key: "a", action: "grant", scope: "all", source: "keyword:START", at: 3 },
    ];
    for (const e of events) await s.append(e);
    await s.append({ key: "b", action: "grant", scope: "utility", source: "x", at: 4 });
    expect(await s.history("a")).toEqual(events);
    expect(await s.history("b")).toHaveLength(1);
  });

  it("consent: events recorded out of time order come back as recorded and decide the same", async () => {
    const s = await make();
    const t = Date.UTC(2026, 0, 1);
    // Recorded in this order; happened in another (a late 131050, a backdated revoke, ties).
    const events: ConsentEvent[] = [
      { key: "c", action: "grant", scope: "marketing", source: "checkout-form", at: t + 60_000 },
      { key: "c", action: "revoke", scope: "marketing", source: "meta:131050", at: t + 30_000 },
      { key: "c", action: "revoke", scope: "all", source: "keyword:STOP", at: t + 90_400 },
      { key: "c", action: "grant", scope: "all", source: "keyword:START", at: t + 90_100 },
      { key: "c", action: "grant", scope: "marketing", source: "meta:user_preferences", at: t + 45_000 },
    ];
    for (const e of events) await s.append(e);
    const back = await s.history("c");
    expect(back).toEqual(events);
    for (const n of [1, 2, 3, 4, 5]) {
      for (const scope of ["marketing", "utility", "all"]) {
        expect(consentStatus(back.slice(0, n), scope), `${n} events, ${scope}`).toEqual(
          consentStatus(events.slice(0, n), scope),
        );
      }
    }
    // The START and the STOP share a second: the one recorded later (START) wins, so the grant
    // from before the STOP applies again, and the resume after the 131050 lifted Meta's stop.
    expect(consentStatus(back, "marketing")).toMatchObject({ granted: true, decidedBy: events[0] });
  });

  it("consent: what a webhook reported is recorded once (the history reads back equal)", async () => {
    const s = await make();
    const t = Date.UTC(2026, 0, 1, 0, 0, 7);
    const stop: ConsentEvent & { proof: string } = {
      key: "d",
      action: "revoke",
      scope: "all",
      source: "keyword:STOP",
      proof: "wamid.HBgLMTQxNjU1NTAwMDEVAgASGCA=",
      at: t,
    };
    expect(await appendOnce(s, stop)).toEqual(stop);
    await s.append({ key: "d", action: "grant", scope: "marketing", source: "form", at: t + 400 });
    // The replay of the same message is the event on file; another message of the same second is not.
    expect(await appendOnce(s, { ...stop })).toEqual(stop);
    // One message is one event whatever time it was recorded at (a clock behind Meta's).
    expect(await appendOnce(s, { ...stop, at: t + 900 })).toEqual(stop);
    await appendOnce(s, { ...stop, proof: "wamid.other" });
    expect((await s.history("d")).map((e) => e.proof ?? e.source)).toEqual([
      stop.proof,
      "form",
      "wamid.other",
    ]);
  });
}

export function blockMirrorContract(make: StoreFactories["blockMirror"]) {
  it("block mirror: add, remove, size and replace, including 64,000 entries", async () => {
    const m = await make();
    expect(await m.has("1")).toBe(false);
    await m.add(["1", "2", "2"]);
    expect(await m.has("1")).toBe(true);
    expect(await m.size()).toBe(2);
    await m.remove(["1", "9"]);
    expect(await m.has("1")).toBe(false);
    await m.replace(["3"]);
    expect([await m.has("2"), await m.has("3"), await m.size()]).toEqual([false, true, 1]);
    const many = Array.from({ length: 64_000 }, (_, i) => `1416${String(i).padStart(7, "0")}`);
    await m.add(many);
    expect(await m.size()).toBe(64_001);
    await m.replace([]);
    expect(await m.size()).toBe(0);
  }, 30_000);
}

export function accountHealthContract(make: StoreFactories["accountHealth"]) {
  it("account health: restrictions per scope, the longer one wins, expiry and close", async () => {
    const h = await make();
    expect(await h.active(0)).toEqual([]);
    await h.open({ scope: "business_initiated", source: "graph:131048", since: 0, until: 1_000 });
    await h.open({ scope: "business_initiated", source: "shorter", since: 0, until: 500 });
    expect(await h.active(100)).toEqual([
      { scope: "business_initiated", source: "graph:131048", since: 0, until: 1_000 },
    ]);
    await h.open({ scope: "business_initiated", source: "longer", since: 0, until: 2_000 });
    expect((await h.active(100)).map((r) => r.source)).toEqual(["longer"]);
    await h.open({ scope: "all", source: "account_update:DISABLED_UPDATE", since: 0 });
    await h.open({ scope: "all", source: "timed", since: 0, until: 99_000 });
    expect((await h.active(2_500)).map((r) => r.source)).toEqual(["account_update:DISABLED_UPDATE"]);
    await h.close("all", 1);
    expect(await h.active(2_500)).toEqual([]);
  });

  it("account health: Meta's time orders restrictions and lifts, whatever order they arrive in", async () => {
    const h = await make();
    await h.open({ scope: "all", source: "account_update:DISABLED_UPDATE", since: 10_000 });
    await h.close("all", 5_000); // a reinstatement older than the ban, delivered late
    expect((await h.active(20_000)).map((r) => r.scope)).toEqual(["all"]);
    await h.close("all", 15_000);
    expect(await h.active(20_000)).toEqual([]);
    await h.open({ scope: "all", source: "replayed", since: 10_000 }); // older than the lift
    expect(await h.active(20_000)).toEqual([]);
    await h.open({ scope: "all", source: "newer", since: 16_000 });
    expect((await h.active(20_000)).map((r) => r.source)).toEqual(["newer"]);
    await h.open({ scope: "marketing", source: "other scope", since: 1 });
    expect((await h.active(20_000)).map((r) => r.scope).sort()).toEqual(["all", "marketing"]);
  });
}

export function webhookDedupContract(make: StoreFactories["webhookDedup"]) {
  it("webhook dedup: one lease at a time, done only when completed, a lapsed lease is new again", async () => {
    const d = await make();
    const key = `m:wamid.${Math.random()}`;
    expect(await d.begin(key, 60_000, Date.now())).toBe("new");
    expect(await d.begin(key, 60_000, Date.now())).toBe("processing");
    await d.abandon(key);
    expect(await d.begin(key, 60_000, Date.now())).toBe("new");
    await d.complete(key, 60_000, Date.now());
    expect(await d.begin(key, 60_000, Date.now())).toBe("done");
    await d.abandon(key); // a done event stays done
    expect(await d.begin(key, 60_000, Date.now())).toBe("done");
    const leased = `s:wamid.${Math.random()}:sent`;
    expect(await d.begin(leased, 50, Date.now())).toBe("new");
    await sleep(120);
    expect(await d.begin(leased, 50, Date.now())).toBe("new"); // the holder died: the lease lapsed
    await d.complete(leased, 50, Date.now());
    await sleep(120);
    expect(await d.begin(leased, 60_000, Date.now())).toBe("new"); // remembered for ttlMs only
  });
}

export function rateLimitContract(make: StoreFactories["rateLimits"]) {
  it("rate limits: a sliding window admits `limit`, peeks without taking, refunds", async () => {
    const [r] = (await make()) as [RateLimitStore];
    const take = (consume = true) => r.window("tp", 3, 1_000, Date.now(), consume);
    const at = Date.now();
    expect((await r.window("tp", 3, 1_000, at, true)).ok).toBe(true);
    expect((await take()).ok).toBe(true);
    expect((await take(false)).ok).toBe(true); // a peek takes nothing
    expect((await take()).ok).toBe(true);
    const refused = await take();
    expect(refused.ok).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(1_000);
    await r.refundWindow("tp", at);
    expect((await take()).ok).toBe(true);
    expect((await take()).ok).toBe(false);
    await sleep(1_100);
    expect((await take()).ok).toBe(true);
  });

  it("rate limits: a token bucket of `burst`, one more per interval, refunds", async () => {
    const [r] = (await make()) as [RateLimitStore];
    const take = () => r.bucket("pair", 2, 1_000, Date.now(), true);
    expect((await take()).ok).toBe(true);
    expect((await take()).ok).toBe(true);
    const refused = await take();
    expect(refused.ok).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(1_000);
    await r.refundBucket("pair", 2);
    expect((await take()).ok).toBe(true);
    await sleep(1_100);
    expect((await take()).ok).toBe(true);
  });

  it("rate limits: 4 instances × 50 concurrent takers admit exactly the budget", async () => {
    const instances = await make(4);
    let admitted = 0;
    await Promise.all(
      instances.flatMap((r) =>
        Array.from({ length: 50 }, async () => {
          if ((await r.window("fleet", 80, 60_000, Date.now(), true)).ok) admitted++;
        }),
      ),
    );
    expect(admitted).toBe(80);
  });
}

export function sendHistoryContract(make: StoreFactories["sendHistory"]) {
  it("send history: marketing counts, identical repeats, unique reach per 24 h, release", async () => {
    const DAY = 86_400_000;
    const h = await make();
    const fp = (name: string) => `template:${name}:en_US:${JSON.stringify([null, ["Ana", "20%"], null])}`;
    const a1 = { key: "a", at: 1_000, marketing: true, fingerprint: fp("promo"), reach: true };
    const a2 = { key: "a", at: 2_000, marketing: false, fingerprint: fp("notice"), reach: false };
    const a3 = { key: "a", at: 3_000, marketing: true, fingerprint: fp("promo2"), reach: true };
    for (const e of [a1, a2, a3]) await h.record(e);
    await h.record({ key: "b", at: 5_000, marketing: false, fingerprint: fp("notice"), reach: true });
    expect(await h.marketingSince("a", 0)).toBe(2);
    expect(await h.marketingSince("a", 1_000)).toBe(1); // strictly after
    expect(await h.sentSince("a", fp("notice"), 1_500)).toBe(true);
    expect(await h.sentSince("a", fp("notice"), 2_000)).toBe(false);
    expect(await h.sentSince("a", fp("other"), 0)).toBe(false);
    expect(await h.reach("a", 6_000)).toEqual({ unique: 2, includes: true });
    expect(await h.reach("c", 6_000)).toEqual({ unique: 2, includes: false });
    await h.release(a3);
    await h.release({ ...a3, at: 9_999 }); // never recorded: nothing happens
    expect(await h.marketingSince("a", 0)).toBe(1);
    expect(await h.reach("a", 1_000 + DAY - 1)).toEqual({ unique: 2, includes: true });
    expect(await h.reach("a", 1_000 + DAY)).toEqual({ unique: 1, includes: false });
  });

  it("send history: reserve counts the caps over the person's other identifiers", async () => {
    const h = await make();
    if (!h.reserve) return;
    const send = (key: string, at: number, fingerprint: string, aliases?: string[]) => ({
      key,
      at,
      marketing: true,
      fingerprint,
      reach: true,
      ...(aliases && { aliases }),
    });
    expect(await h.reserve(send("14165550001", 1_000, "p1"), { marketingPerDay: 1 })).toBeUndefined();
    // Another identifier of the same person: their day's marketing is used.
    expect(await h.reserve(send("US.7", 2_000, "p2", ["14165550001"]), { marketingPerDay: 1 })).toBe("day");
    expect(await h.reserve(send("US.7", 2_000, "p1", ["14165550001"]), { identicalSince: 0 })).toBe(
      "identical",
    );
    // Already reached under the number: not one more unique user toward the limit.
    expect(await h.reserve(send("US.7", 3_000, "p3", ["14165550001"]), { reachLimit: 1 })).toBeUndefined();
    expect(await h.reserve(send("US.8", 3_000, "p3"), { reachLimit: 1 })).toBe("limit");
    // Without the link, the BSUID is nobody known.
    expect(
      await h.reserve(send("US.9", 4_000, "p1"), { marketingPerDay: 1, identicalSince: 0 }),
    ).toBeUndefined();
  });
}

export function campaignCheckpointContract(make: StoreFactories["campaigns"]) {
  it("campaign checkpoints: claim once, settle, release for a retry, campaigns apart", async () => {
    const [c] = (await make()) as [CampaignCheckpointStore];
    const pending = { state: "pending" as const, correlationId: "wag_1", run: "run_a", at: 1_000 };
    expect(await c.get("spring", "14165550001")).toBeUndefined();
    expect(await c.claim("spring", "14165550001", pending)).toBeUndefined();
    expect(await c.claim("spring", "14165550001", { ...pending, run: "run_b" })).toEqual(pending);
    expect(await c.get("spring", "14165550001")).toEqual(pending);
    // Another campaign is another checkpoint.
    expect(await c.claim("autumn", "14165550001", pending)).toBeUndefined();
    const sent = { state: "sent" as const, messageId: "wamid.X", run: "run_a", at: 2_000 };
    await c.settle("spring", "14165550001", sent);
    expect(await c.claim("spring", "14165550001", pending)).toEqual(sent);
    expect(await c.claim("spring", "14165550002", pending)).toBeUndefined();
    // Released (nothing sent): the same run sees it as done, a later run claims it again.
    const released = { state: "released" as const, run: "run_a", at: 3_000 };
    await c.release("spring", "14165550002", released);
    expect(await c.get("spring", "14165550002")).toEqual(released);
    expect(await c.claim("spring", "14165550002", pending)).toEqual(released);
    const later = { ...pending, run: "run_b", correlationId: "wag_2" };
    expect(await c.claim("spring", "14165550002", later)).toBeUndefined();
    expect(await c.get("spring", "14165550002")).toEqual(later);
  });

  it("campaign checkpoints: releasePending releases only a pending entry, never a recorded send", async () => {
    const [c] = (await make()) as [CampaignCheckpointStore];
    if (!c.releasePending) throw new Error("the built-in checkpoint stores implement releasePending");
    const pending = { state: "pending" as const, correlationId: "wag_1", run: "run_a", at: 1_000 };
    const released = { state: "released" as const, run: "run_a", at: 3_000 };
    expect(await c.releasePending("fall", "14165550001", released)).toBe(false); // nothing there
    expect(await c.get("fall", "14165550001")).toBeUndefined();
    await c.claim("fall", "14165550001", pending);
    expect(await c.releasePending("fall", "14165550001", released)).toBe(true);
    expect(await c.get("fall", "14165550001")).toEqual(released);
    expect(await c.releasePending("fall", "14165550001", released)).toBe(false); // already released
    await c.claim("fall", "14165550002", pending);
    const sent = { state: "sent" as const, messageId: "wamid.Y", run: "run_a", at: 2_000 };
    await c.settle("fall", "14165550002", sent);
    expect(await c.releasePending("fall", "14165550002", released)).toBe(false);
    expect(await c.get("fall", "14165550002")).toEqual(sent);
  });

  it("campaign checkpoints: pending lists the claims whose outcome is unknown, of that campaign only", async () => {
    const [c, other] = (await make(2)) as [CampaignCheckpointStore, CampaignCheckpointStore];
    const campaign = `pending-${Math.random().toString(36).slice(2)}`;
    expect(await c.pending?.(campaign)).toEqual([]);
    const claim = (key: string, n: number) =>
      c.claim(campaign, key, { state: "pending", correlationId: `wag_${n}`, run: "run_a", at: n });
    // Enough to take several HSCAN steps in Redis.
    for (let i = 0; i < 2_500; i++) await claim(`1650556${String(i).padStart(4, "0")}`, i);
    await c.claim("elsewhere", "16505560001", { state: "pending", correlationId: "x", run: "r", at: 1 });
    for (let i = 0; i < 2_500; i += 3)
      await c.settle(campaign, `1650556${String(i).padStart(4, "0")}`, {
        state: "sent",
        messageId: `wamid.${i}`,
        run: "run_a",
        at: 10_000,
      });
    for (let i = 1; i < 2_500; i += 3)
      await c.release(campaign, `1650556${String(i).padStart(4, "0")}`, {
        state: "released",
        run: "run_a",
        at: 10_000,
      });
    // Every instance sees the same list.
    const listed = (await other.pending?.(campaign)) ?? [];
    const expected = Array.from({ length: 2_500 }, (_, i) => i).filter((i) => i % 3 === 2);
    expect(listed.map((p) => p.key).sort()).toEqual(
      expected.map((i) => `1650556${String(i).padStart(4, "0")}`),
    );
    const one = listed.find((p) => p.key === "16505560002");
    expect(one?.entry).toEqual({ state: "pending", correlationId: "wag_2", run: "run_a", at: 2 });
  });

  it("campaign checkpoints: instances claiming one recipient at once: exactly one wins", async () => {
    const stores = await make(4);
    for (let round = 0; round < 20; round++) {
      const key = `1416555${String(round).padStart(4, "0")}`;
      const claims = await Promise.all(
        stores.map((s, i) =>
          s.claim("race", key, { state: "pending", correlationId: `wag_${i}`, run: `run_${i}`, at: 1 }),
        ),
      );
      expect(claims.filter((c) => c === undefined)).toHaveLength(1);
    }
  });
}

export function templateListContract(make: StoreFactories["templates"]) {
  it("template list: shared until it expires or is invalidated; a fetch older than an invalidation is not stored", async () => {
    const t = await make();
    const list = {
      templates: [
        {
          id: "1",
          name: "promo",
          language: "en_US",
          status: "APPROVED",
          category: "MARKETING",
          parameterFormat: "POSITIONAL",
          components: [
            { type: "FOOTER", text: "Reply STOP to opt out" },
            { type: "BODY", text: "{{1}} off" },
          ],
        },
      ] as MessageTemplate[],
      fetchedAt: 1_000,
    };
    const first = await t.get();
    expect(first.list).toBeUndefined();
    await t.set(list, 60_000, first.generation);
    const second = await t.get();
    expect(second.list).toEqual(list);
    expect(second.generation).toBe(first.generation);
    await t.invalidate();
    const third = await t.get();
    expect(third.list).toBeUndefined();
    expect(third.generation).not.toBe(first.generation);
    // A fetch that began before the invalidation is ignored; one after it is kept.
    await t.set(list, 60_000, first.generation);
    expect((await t.get()).list).toBeUndefined();
    await t.set(list, 50, third.generation);
    expect((await t.get()).list).toEqual(list);
    await sleep(120);
    expect((await t.get()).list).toBeUndefined();
  });
}

export function identityContract(make: StoreFactories["identity"]) {
  const at = { at: 1_000, source: "test" };
  it("identity: links join people transitively, both ways, and are never undone", async () => {
    const [s] = (await make()) as [IdentityStore];
    expect(await s.aliases("14165550001")).toEqual(["14165550001"]);
    await s.link(["14165550001", "US.1"], at);
    expect(await s.aliases("14165550001")).toEqual(["14165550001", "US.1"]);
    expect(await s.aliases("US.1")).toEqual(["US.1", "14165550001"]);
    // A changed BSUID: the old one stays linked to the new one and the number.
    await s.link(["US.1", "US.2"], at);
    for (const id of ["14165550001", "US.1", "US.2"])
      expect([...(await s.aliases(id))].sort(), id).toEqual(["14165550001", "US.1", "US.2"]);
    // Two people already known become one when Meta names them together.
    await s.link(["447700900001", "GB.9"], at);
    await s.link(["GB.9", "US.2"], at);
    expect((await s.aliases("447700900001")).length).toBe(5);
    expect((await s.aliases("447700900001"))[0]).toBe("447700900001");
    // Repeats and single ids change nothing; strangers stay alone.
    await s.link(["US.1", "US.1"], at);
    await s.link(["US.1"], at);
    expect((await s.aliases("US.1")).length).toBe(5);
    expect(await s.aliases("33600000001")).toEqual(["33600000001"]);
  });

  it("identity: links made at once by separate instances all hold", async () => {
    const stores = await make(4);
    // A chain a0-a1-…-a20 linked pair by pair, from four instances concurrently.
    const ids = Array.from({ length: 21 }, (_, i) => `US.${1000 + i}`);
    await Promise.all(
      ids
        .slice(1)
        .map((id, i) => (stores[i % stores.length] as IdentityStore).link([ids[i] as string, id], at)),
    );
    for (const s of stores) expect([...(await s.aliases("US.1020"))].sort()).toEqual([...ids].sort());
  });
}

export function allContracts(f: StoreFactories) {
  sessionWindowContract(f.sessionWindows);
  consentContract(f.consent);
  blockMirrorContract(f.blockMirror);
  accountHealthContract(f.accountHealth);
  accountHealthSourcesContract(f.accountHealth, f.accountHealthShared);
  webhookDedupContract(f.webhookDedup);
  rateLimitContract(f.rateLimits);
  sendHistoryContract(f.sendHistory);
  campaignCheckpointContract(f.campaigns);
  templateListContract(f.templates);
  identityContract(f.identity);
}

/**
 * How one scope was kept before restrictions were kept per source: one merged entry, the source
 * of the one that lasts longer (the reference the per-source stores must be at least as strict as).
 */
class OneEntryPerScope {
  readonly open = new Map<string, { source: string; since: number; until?: number }>();
  readonly lifted = new Map<string, number>();
  restrict(r: { scope: string; source: string; since: number; until?: number }) {
    const lifted = this.lifted.get(r.scope);
    if (lifted !== undefined && r.since < lifted) return;
    const c = this.open.get(r.scope);
    if (!c) {
      this.open.set(r.scope, {
        source: r.source,
        since: r.since,
        ...(r.until !== undefined && { until: r.until }),
      });
      return;
    }
    const longer = c.until === undefined || (r.until !== undefined && r.until <= c.until) ? c : r;
    this.open.set(r.scope, {
      source: longer.source,
      since: Math.max(c.since, r.since),
      ...(c.until !== undefined && r.until !== undefined && { until: Math.max(c.until, r.until) }),
    });
  }
  lift(scope: string, at: number, source?: string) {
    const c = this.open.get(scope);
    if (source !== undefined) {
      if (c?.source === source && c.since <= at) this.open.delete(scope);
      return;
    }
    this.lifted.set(scope, Math.max(at, this.lifted.get(scope) ?? Number.NEGATIVE_INFINITY));
    if (c && c.since <= at) this.open.delete(scope);
  }
  active(now: number) {
    for (const [s, c] of this.open) if (c.until !== undefined && c.until <= now) this.open.delete(s);
    return this.open;
  }
}

/** A small seeded generator, so a failing sequence can be replayed. */
function seeded(seed: number) {
  let x = seed >>> 0 || 1;
  return (n: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

/**
 * Restrictions per scope and source: a lift by source takes that source's restriction only, what
 * callers read is one restriction per scope (the merge of the sources still in force), never less
 * strict than one merged entry per scope was.
 */
export function accountHealthSourcesContract(
  make: StoreFactories["accountHealth"],
  /** `instances` stores sharing one state, as separate processes would. */
  shared: (instances: number) => Promise<AccountHealthStore[]>,
) {
  describe("account health: restrictions per scope and source", () => {
    const DAY = 86_400_000;
    const view = async (h: AccountHealthStore, now: number) =>
      (await h.active(now)).map((r) => ({ ...r })).sort((a, b) => a.scope.localeCompare(b.scope));
    const strictness = (r: { since: number; until?: number }) => ({ since: r.since, until: r.until });

    it("two sources in one scope read as one: the latest start, the later end, the longer's source", async () => {
      const h = await make();
      await h.open({ scope: "marketing_slow", source: "a", since: 1_000, until: 5_000 });
      await h.open({ scope: "marketing_slow", source: "b", since: 2_000, until: 9_000 });
      expect(await view(h, 3_000)).toEqual([
        { scope: "marketing_slow", source: "b", since: 2_000, until: 9_000 },
      ]);
      await h.open({ scope: "marketing_slow", source: "c", since: 2_500 });
      expect(await view(h, 3_000)).toEqual([{ scope: "marketing_slow", source: "c", since: 2_500 }]);
    });

    it("a lift by source keeps the scope's other sources (a violation outlives a scheduled disable's lift)", async () => {
      const h = await make();
      const violation = "account_update:ACCOUNT_VIOLATION:SCAM";
      const scheduled = "account_update:SCHEDULE_FOR_DISABLE";
      await h.open({ scope: "marketing_slow", source: violation, since: 1_000, until: 1_000 + 7 * DAY });
      await h.open({ scope: "marketing_slow", source: scheduled, since: 2_000 });
      await h.close("marketing_slow", 3_000, scheduled);
      expect(await view(h, 4_000)).toEqual([
        { scope: "marketing_slow", source: violation, since: 2_000, until: 1_000 + 7 * DAY },
      ]);
      // A lift by a source the scope does not have changes nothing; the last source's lift clears it.
      await h.close("marketing_slow", 3_000, "quality:YELLOW");
      expect((await view(h, 4_000)).map((r) => r.source)).toEqual([violation]);
      await h.close("marketing_slow", 3_000, violation);
      expect(await h.active(4_000)).toEqual([]);
      // The other way round: the shorter one lifted, the open-ended one stays.
      await h.open({ scope: "all", source: "account_update:DISABLED_UPDATE", since: 5_000 });
      await h.open({ scope: "all", source: "health:BLOCKED", since: 6_000, until: 7_000 });
      await h.close("all", 6_500, "health:BLOCKED");
      expect(await view(h, 6_600)).toEqual([
        { scope: "all", source: "account_update:DISABLED_UPDATE", since: 6_000 },
      ]);
      // Other scopes are not touched by either lift.
      await h.open({ scope: "marketing", source: "health:BLOCKED", since: 6_000, until: 9_000 });
      await h.close("all", 6_500, "health:BLOCKED");
      expect((await view(h, 6_600)).map((r) => r.scope)).toEqual(["all", "marketing"]);
    });

    it("a lift by source before the scope's latest start lifts nothing (as the merged entry did)", async () => {
      const h = await make();
      await h.open({ scope: "all", source: "a", since: 1_000 });
      await h.open({ scope: "all", source: "b", since: 3_000, until: 9_000 });
      await h.close("all", 2_000, "a");
      expect(await view(h, 4_000)).toEqual([{ scope: "all", source: "a", since: 3_000 }]);
      await h.close("all", 3_000, "a");
      expect(await view(h, 4_000)).toEqual([{ scope: "all", source: "b", since: 3_000, until: 9_000 }]);
    });

    it("a lift without source lifts every source of the scope, and remembers the lift", async () => {
      const h = await make();
      await h.open({ scope: "all", source: "a", since: 1_000 });
      await h.open({ scope: "all", source: "b", since: 2_000, until: 50_000 });
      await h.open({ scope: "utility", source: "a", since: 1_000 });
      await h.close("all", 1_500); // between the two starts: nothing
      expect((await view(h, 3_000)).map((r) => r.scope)).toEqual(["all", "utility"]);
      await h.close("all", 2_500);
      expect((await view(h, 3_000)).map((r) => r.scope)).toEqual(["utility"]);
      // Older than the lift, of any source: already over. Newer: in force.
      await h.open({ scope: "all", source: "c", since: 2_400 });
      expect((await view(h, 3_000)).map((r) => r.scope)).toEqual(["utility"]);
      await h.open({ scope: "all", source: "a", since: 2_600 });
      expect((await view(h, 3_000)).map((r) => r.scope)).toEqual(["all", "utility"]);
    });

    it("each source ends on its own", async () => {
      const h = await make();
      await h.open({ scope: "business_initiated", source: "short", since: 0, until: 5_000 });
      await h.open({ scope: "business_initiated", source: "long", since: 100, until: 9_000 });
      await h.open({ scope: "marketing", source: "open", since: 0 });
      await h.open({ scope: "marketing", source: "timed", since: 200, until: 3_000 });
      expect(await view(h, 6_000)).toEqual([
        { scope: "business_initiated", source: "long", since: 100, until: 9_000 },
        { scope: "marketing", source: "open", since: 200 },
      ]);
      // The long one lifted after the short one ended: the scope is clear.
      await h.close("business_initiated", 6_000, "long");
      await h.close("marketing", 6_000, "open");
      expect(await h.active(6_000)).toEqual([]);
      // Reopened afresh: its own start and end, nothing of the ended ones.
      await h.open({ scope: "business_initiated", source: "short", since: 7_000, until: 8_000 });
      expect(await view(h, 7_500)).toEqual([
        { scope: "business_initiated", source: "short", since: 7_000, until: 8_000 },
      ]);
      expect(await h.active(8_000)).toEqual([]);
      // Same source twice: one restriction, the later end.
      await h.open({ scope: "utility", source: "x", since: 9_000, until: 10_000 });
      await h.open({ scope: "utility", source: "x", since: 9_500, until: 9_800 });
      await h.close("utility", 9_600, "x");
      expect(await h.active(9_700)).toEqual([]);
    });

    it("never less strict than one merged entry per scope (random sequences, lifts by source included)", async () => {
      const scopes = ["all", "marketing_slow"] as const;
      const sources = ["a", "b", "c"];
      for (const seed of [1, 7, 42]) {
        const rnd = seeded(seed);
        const h = await make();
        const ref = new OneEntryPerScope();
        let t = 10_000;
        let bySource = false;
        for (let step = 0; step < 120; step++) {
          t += rnd(400);
          const scope = scopes[rnd(scopes.length)] as (typeof scopes)[number];
          const op = rnd(10);
          const at = t - rnd(2_000);
          if (op < 6) {
            const r = {
              scope,
              source: sources[rnd(sources.length)] as string,
              since: at,
              ...(rnd(3) > 0 && { until: at + 200 + rnd(3_000) }),
            };
            await h.open(r);
            ref.restrict(r);
          } else if (op < 8) {
            await h.close(scope, at);
            ref.lift(scope, at);
          } else {
            const source = sources[rnd(sources.length)] as string;
            await h.close(scope, at, source);
            ref.lift(scope, at, source);
            bySource = true;
          }
          const got = await h.active(t);
          const want = ref.active(t);
          for (const [s, w] of want) {
            const g = got.find((r) => r.scope === s);
            const where = `seed ${seed} step ${step} scope ${s}`;
            expect(g, where).toBeDefined();
            if (!bySource) {
              expect(g && strictness(g), where).toEqual(strictness(w));
            } else {
              expect(g?.since, where).toBeGreaterThanOrEqual(w.since);
              if (w.until === undefined) expect(g?.until, where).toBeUndefined();
              else if (g?.until !== undefined) expect(g.until, where).toBeGreaterThanOrEqual(w.until);
            }
          }
          if (!bySource) expect(got.length, `seed ${seed} step ${step}`).toBe(want.size);
        }
      }
    }, 60_000);

    it("instances at once: restrictions and lifts of different sources, none of them lost", async () => {
      for (let round = 0; round < 5; round++) {
        const stores = await shared(2);
        const at = (i: number) => stores[i % 2] as AccountHealthStore;
        const until = (i: number) => 10_000 + i * 1_000;
        // Eight sources of one scope restricted at once from two instances.
        await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            at(i).open({ scope: "all", source: `s${i}`, since: 1_000, until: until(i) }),
          ),
        );
        // The even ones lifted at once (from the other instance), while two more sources arrive.
        await Promise.all([
          ...[0, 2, 4, 6].map((i) => at(i + 1).close("all", 2_000, `s${i}`)),
          at(0).open({ scope: "all", source: "s8", since: 1_500, until: 8_000 }),
          at(1).open({ scope: "marketing", source: "s9", since: 1_500 }),
        ]);
        // Each source still there shows when the longer ones are lifted one by one.
        const seen: string[] = [];
        for (;;) {
          const all = (await at(round).active(3_000)).find((r) => r.scope === "all");
          if (!all) break;
          seen.push(all.source);
          await at(round + 1).close("all", 2_000, all.source);
        }
        expect(seen).toEqual(["s7", "s5", "s3", "s1", "s8"]);
        expect((await at(0).active(3_000)).map((r) => r.source)).toEqual(["s9"]);
      }
    }, 60_000);
  });
}
