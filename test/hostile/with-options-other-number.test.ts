/**
 * `withOptions({ phoneNumberId })` on a client built with its own `stores`: windows, blocks, rates
 * and reach belong to one phone number, but the copy kept the parent's stores (given in its
 * options), so a user who wrote to the first number opened a window for the second: a free-form
 * reply from the second number reached Meta (131047: its window with that user is closed).
 * (Redis: the shared one, under a prefix of this file's own, deleted afterwards.)
 */
import { afterAll, describe, expect, it } from "vitest";
import { type ClientOptions, ConfigError, memoryStores } from "../../src/index.js";
import { redisStores } from "../../src/redis/index.js";
import { fakeTransport } from "../../src/testing/index.js";
import { BODY, CA, world } from "./attack4/world.js";
import { SECOND, sharedRedis } from "./attack6/two.js";

const prefix = `wa-guard-with-options-${process.pid}-${Date.now()}`;
const { redis, cleanup } = sharedRedis(prefix);
afterAll(cleanup);

function twoNumbers() {
  const w = world([BODY]);
  const inner = fakeTransport(w.fake);
  const reached: string[] = [];
  const transport: ClientOptions["transport"] = async (req) => {
    if (req.url.includes(`/${SECOND}/`)) {
      // Meta's window is per business number: the second number never heard from the user.
      if (req.url.endsWith("/messages") && typeof req.body === "string" && req.body.includes('"type":"text"'))
        reached.push(req.body);
    }
    return inner({ ...req, url: req.url.replace(`/${SECOND}/`, `/${w.fake.phoneNumberId}/`) });
  };
  return { ...w, transport, reached };
}

describe("withOptions({ phoneNumberId }) on a client with its own stores", () => {
  it("memoryStores(): the user's window with the first number is not the second's", async () => {
    const w = twoNumbers();
    const stores = memoryStores();
    const first = w.client({ transport: w.transport, stores });
    await first.sessions.recordInbound(CA);
    await first.consent.grant(CA, { scope: "marketing", source: "form" });
    const second = first.withOptions({ phoneNumberId: SECOND });
    const out = await w.outcome(second.messages.sendText({ to: CA, body: "hello from the other number" }));
    expect(out).toBe("session-window");
    expect(w.reached).toHaveLength(0);
    // The consent ledger is the business's: shared.
    expect((await second.consent.status(CA, "marketing")).granted).toBe(true);
  });

  it("redisStores() for the first number: the copy is refused with a ConfigError naming the fix", async () => {
    await redis.connect().catch(() => undefined);
    const w = twoNumbers();
    const first = w.client({
      transport: w.transport,
      stores: redisStores(redis, { prefix, phoneNumberId: w.fake.phoneNumberId }),
    });
    await first.sessions.recordInbound(CA);
    expect(() => first.withOptions({ phoneNumberId: SECOND })).toThrow(ConfigError);
    expect(() => first.withOptions({ phoneNumberId: SECOND })).toThrow(/stores/);
    // Given its own stores, it is fine.
    const second = first.withOptions({
      phoneNumberId: SECOND,
      stores: redisStores(redis, { prefix, phoneNumberId: SECOND }),
    });
    expect(await w.outcome(second.messages.sendText({ to: CA, body: "hello" }))).toBe("session-window");
    expect(w.reached).toHaveLength(0);
  });
});
