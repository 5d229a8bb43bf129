/**
 * Issue 16 ("Campaign early warning"): a campaign sent to phone numbers watches opt-outs from its
 * recipients "under every identifier" — through the identity store's synchronous `aliasesNow`,
 * which only the memory store has. With `redisStores` (the serverless / multi-instance setup),
 * recipients who reply STOP from a webhook that names them by their BSUID only (linked to their
 * number beforehand) are not recognised: the campaign keeps sending past its threshold.
 * With memory stores the same run stops (kept as a passing test). Redis: the shared one, under a
 * prefix of this test's own, deleted afterwards.
 */
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { memoryStores } from "../../../src/index.js";
import { redisStores } from "../../../src/redis/index.js";
import { FakeClock } from "../../../src/testing/index.js";
import { BODY, world } from "../attack4/world.js";

const prefix = `wa-guard-attack5-ew-${process.pid}-${Date.now()}`;
const redis = new Redis({ host: "127.0.0.1", port: 6379, maxRetriesPerRequest: 1, lazyConnect: true });
afterAll(async () => {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== "0");
  redis.disconnect();
});

const digits = (i: number) => `1416555${String(1000 + i)}`;
const bsuid = (i: number) => `CA.55501770${String(1000 + i)}`;

async function runWith(kind: "memory" | "redis") {
  const clock = new FakeClock({ start: Date.now() });
  const w = world(
    [BODY, { type: "FOOTER", text: "Reply STOP to opt out" }],
    { messagingLimit: { tier: "unlimited" } },
    { clock },
  );
  if (kind === "redis") await redis.connect().catch(() => undefined);
  const wa = w.client({
    stores:
      kind === "redis"
        ? redisStores(redis, { prefix: `${prefix}-${kind}`, phoneNumberId: w.fake.phoneNumberId })
        : memoryStores(),
  });
  const recipients = Array.from({ length: 200 }, (_, i) => `+${digits(i)}`);
  for (let i = 0; i < recipients.length; i++) {
    await wa.consent.grant(recipients[i]!, { scope: "marketing", source: "form" });
  }
  // The first ten wrote once, naming both identifiers: Meta links their number and BSUID.
  for (let i = 0; i < 10; i++)
    await w.deliver(wa, w.inbound(`wamid.hi${i}`, "hello", { waId: digits(i), userId: bsuid(i) }));
  clock.advance(25 * 3_600_000); // their windows closed: the campaign is marketing to them
  async function* source() {
    for (let i = 0; i < recipients.length; i++) {
      if (i === 70) {
        // Five of them reply STOP; the webhook names them by BSUID only.
        for (let j = 0; j < 5; j++)
          await w.deliver(wa, w.inbound(`wamid.stop${j}`, "STOP", { userId: bsuid(j) }));
      }
      yield recipients[i]!;
    }
  }
  const run = wa.campaigns.run({
    id: `ew-${kind}`,
    template: { name: "promo", language: "en_US" },
    recipients: source(),
    concurrency: 2,
  });
  return run.report();
}

describe("attack5: early warning and opt-outs under the other identifier", () => {
  it("memory stores: BSUID-only STOPs from phone-number recipients stop the campaign", async () => {
    const report = await runWith("memory");
    expect(report.signals?.optOuts).toBe(5);
    expect(report.stopped?.code).toBe("early-warning");
    expect(report.sent).toBeLessThan(200);
  });

  it("redis stores: BSUID-only STOPs from phone-number recipients stop the campaign", async () => {
    const report = await runWith("redis");
    expect(report.signals?.optOuts).toBe(5);
    expect(report.stopped?.code).toBe("early-warning");
    expect(report.sent).toBeLessThan(200);
  });
});
