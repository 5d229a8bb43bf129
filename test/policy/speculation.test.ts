import { describe, expect, it } from "vitest";
import { type ConsentEvent, type MessageTemplate, WhatsAppClient } from "../../src/index.js";
import { TemplateCache } from "../../src/policy/template-cache.js";
import { MemoryConsentStore, MemoryRateLimitStore, type TemplateListStore } from "../../src/state/index.js";
import { FakeClock, FakeCloudApi, fakeTransport } from "../../src/testing/index.js";
import { busiestWindow } from "../helpers.js";

/** A memory rate store marked remote (as Redis is), counting what is taken and given back. */
function countingRates() {
  const store = Object.assign(new MemoryRateLimitStore(), { remote: true });
  const counts = { taken: 0, refunded: 0 };
  const window = store.window.bind(store);
  const refundWindow = store.refundWindow.bind(store);
  store.window = async (key, limit, ms, now, consume) => {
    const d = await window(key, limit, ms, now, consume);
    if (consume && d.ok) counts.taken++;
    return d;
  };
  store.refundWindow = async (key, at) => {
    counts.refunded++;
    return refundWindow(key, at);
  };
  return { store, counts };
}

function world(options: ConstructorParameters<typeof WhatsAppClient>[0] = {}) {
  const clock = new FakeClock();
  const fake = new FakeCloudApi({ clock, webhooks: false });
  const wa = new WhatsAppClient({
    accessToken: fake.accessToken,
    phoneNumberId: fake.phoneNumberId,
    transport: fakeTransport(fake),
    clock,
    maxRetries: 0,
    ...options,
  });
  return { clock, fake, wa };
}

describe("capacity tried alongside the reads (remote rate stores)", () => {
  it("replies from 20 concurrent senders with capacity tried alongside the reads: never over 80/s or the pair rate", async () => {
    // A rate store marked remote, as Redis is: the pipeline takes the speculative path.
    const { fake, wa } = world({
      stores: { rateLimits: Object.assign(new MemoryRateLimitStore(), { remote: true }) },
    });
    const users = Array.from({ length: 5 }, (_, i) => `+141655500${10 + i}`);
    for (const u of users) {
      fake.messaging.receiveMessage(u);
      await wa.sessions.recordInbound(u);
    }
    const blocked = "+14165550099";
    fake.messaging.receiveMessage(blocked);
    await wa.sessions.recordInbound(blocked);
    await wa.policy.pipeline!.stores.blockMirror.add([blocked.slice(1)]);
    let refused = 0;
    let paced = 0;
    await Promise.all(
      Array.from({ length: 20 }, async (_, k) => {
        for (let i = 0; i < 12; i++) {
          // One in four goes to a blocked user: refused, and the capacity it tried is given back.
          const to = i % 4 === 3 ? blocked : users[(k + i) % users.length]!;
          await wa.messages.sendText({ to, body: `update ${k}-${i}` }).catch((e: unknown) => {
            // 36 replies to each of 5 users from 20 senders at once: past the pair rate's burst and
            // its longest wait, the rest are refused by the pair-rate guard (virtual time passes as
            // real time would: senders waiting together share the wait).
            expect(["blocklist", "pair-rate"]).toContain((e as { rule?: string }).rule);
            if ((e as { rule?: string }).rule === "blocklist") refused++;
            else paced++;
          });
        }
      }),
    );
    expect(refused).toBe(20 * 3);
    expect(fake.messaging.sent).toHaveLength(20 * 9 - paced);
    expect(fake.messaging.sent.length).toBeGreaterThanOrEqual(5 * 10); // at least every burst
    const worst = busiestWindow(fake.messaging.sent.map((m) => m.at));
    expect(worst).toBeLessThanOrEqual(80);
  });

  it("is not tried before custom guards, which may take long", async () => {
    const { store, counts } = countingRates();
    let takenWhenCustomRan = -1;
    const { fake, wa } = world({
      stores: { rateLimits: store },
      policy: {
        guards: [
          {
            name: "crm-lookup",
            check() {
              takenWhenCustomRan = counts.taken;
              return undefined;
            },
          },
        ],
      },
    });
    fake.messaging.receiveMessage("+14165550001");
    await wa.sessions.recordInbound("+14165550001");
    await wa.messages.sendText({ to: "+14165550001", body: "hi" });
    expect(takenWhenCustomRan).toBe(0);
    expect(counts).toEqual({ taken: 1, refunded: 0 });
  });

  it("is given back and taken afresh when the reads answered late", async () => {
    const { store, counts } = countingRates();
    const clock = new FakeClock();
    // A consent store that answers after 200 ms (a slow shared store).
    const consent = new MemoryConsentStore();
    const history = consent.history.bind(consent);
    consent.history = async (key: string): Promise<ConsentEvent[]> => {
      await clock.sleep(200);
      return history(key);
    };
    const { fake, wa } = (() => {
      const fake = new FakeCloudApi({ clock, webhooks: false });
      const wa = new WhatsAppClient({
        accessToken: fake.accessToken,
        phoneNumberId: fake.phoneNumberId,
        transport: fakeTransport(fake),
        clock,
        stores: { rateLimits: store, consent },
        policy: { consent: { requireForReplies: true } },
      });
      return { fake, wa };
    })();
    fake.messaging.receiveMessage("+14165550001");
    await wa.sessions.recordInbound("+14165550001");
    await wa.consent.grant("+14165550001", { scope: "utility", source: "form" });
    await wa.messages.sendText({ to: "+14165550001", body: "hi" });
    // The unit tried with the reads was returned; the one the send went out with was taken after.
    expect(counts).toEqual({ taken: 2, refunded: 1 });
    expect(fake.messaging.sent).toHaveLength(1);
  });
});

describe("capacity of a send that never left", () => {
  it("goes back: the next message to the same user is not held by the pair rate", async () => {
    const { fake, wa } = world({ policy: { pairRate: { burst: 1, mode: "refuse" } } });
    fake.messaging.receiveMessage("+14165550001");
    await wa.sessions.recordInbound("+14165550001");
    fake.dropNext(1, "before_write");
    await expect(wa.messages.sendText({ to: "+14165550001", body: "lost" })).rejects.toMatchObject({
      outcome: "not_sent",
    });
    await expect(wa.messages.sendText({ to: "+14165550001", body: "again" })).resolves.toBeDefined();
    expect(fake.messaging.sent).toHaveLength(1);
  });
});

describe("a shared template list that cannot be read", () => {
  it("keeps this instance's fresh list instead of asking Meta every sharedCheckMs", async () => {
    const clock = new FakeClock();
    let fetches = 0;
    const broken: TemplateListStore = {
      get: async () => {
        throw new Error("connect ECONNREFUSED 127.0.0.1:6379");
      },
      set: async () => undefined,
      invalidate: async () => undefined,
    };
    const cache = new TemplateCache(
      async function* () {
        fetches++;
        yield {
          id: "1",
          name: "notice",
          language: "en_US",
          status: "APPROVED",
          category: "UTILITY",
        } as MessageTemplate;
      },
      clock,
      { ttlMs: 600_000, sharedCheckMs: 5_000 },
      broken,
    );
    for (let s = 0; s < 120; s++) {
      expect((await cache.get("notice", "en_US"))?.status).toBe("APPROVED");
      clock.advance(1_000);
    }
    expect(fetches).toBe(1);
    clock.advance(600_000);
    await cache.get("notice", "en_US");
    expect(fetches).toBe(2);
  });
});

describe("a shared template list that missed an invalidation", () => {
  it("drops the shared copy before this instance reads it again", async () => {
    const clock = new FakeClock();
    const calls: string[] = [];
    let down = false;
    const stale = { id: "1", name: "notice", language: "en_US", status: "APPROVED", category: "UTILITY" };
    const shared: TemplateListStore = {
      get: async () => {
        calls.push("get");
        return {
          list: calls.includes("invalidate")
            ? undefined
            : { templates: [stale] as MessageTemplate[], fetchedAt: clock.now() },
          generation: "1",
        };
      },
      set: async () => undefined,
      invalidate: async () => {
        if (down) throw new Error("connect ECONNREFUSED 127.0.0.1:6379");
        calls.push("invalidate");
      },
    };
    const cache = new TemplateCache(
      async function* () {
        calls.push("meta");
        yield { ...stale, status: "PAUSED" } as MessageTemplate;
      },
      clock,
      {},
      shared,
    );
    expect((await cache.get("notice", "en_US"))?.status).toBe("APPROVED");
    // A send answered 132015 while the shared store was down: the invalidation failed.
    down = true;
    await expect(cache.invalidate()).rejects.toThrow(/ECONNREFUSED/);
    down = false;
    expect((await cache.get("notice", "en_US"))?.status).toBe("PAUSED");
    expect(calls).toEqual(["get", "invalidate", "get", "meta"]);
  });
});

describe("custom guards", () => {
  it("what an earlier custom guard took is given back when a later one throws", async () => {
    let held = 0;
    const { fake, wa } = world({
      policy: {
        guards: [
          {
            name: "quota",
            check(_ctx, take, undo) {
              if (take) {
                held++;
                undo.push(async () => {
                  held--;
                });
              }
              return undefined;
            },
          },
          {
            name: "crm",
            check() {
              throw new Error("CRM unreachable");
            },
          },
        ],
      },
    });
    fake.messaging.receiveMessage("+14165550001");
    await wa.sessions.recordInbound("+14165550001");
    await expect(wa.messages.sendText({ to: "+14165550001", body: "hi" })).rejects.toThrow("CRM unreachable");
    expect(held).toBe(0);
    expect(fake.messaging.sent).toHaveLength(0);
  });
});
