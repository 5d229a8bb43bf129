import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { expect, it } from "vitest";
import { busiestWindow } from "../helpers.js";
import { REDIS_URL, whenRedis } from "./services.js";

// Four processes × 50 concurrent takers of one throughput budget (80 per second) in Redis, their
// clocks skewed by −5 s … +5 s. Needs Redis (required in CI, skipped elsewhere).
const URL = REDIS_URL;
const ROOT = resolve(import.meta.dirname, "../..");
const run = promisify(execFile);
const suite = await whenRedis("the fleet test");

suite("a fleet of four processes sharing one Redis", () => {
  it("admits the configured budget per second, never more, whatever their clocks say", async () => {
    const prefix = `wa-guard-fleet:${randomUUID()}`;
    const skews = [-5_000, -2_000, 1_500, 5_000];
    const DURATION = 3_000;
    const outputs = await Promise.all(
      skews.map((skew) =>
        run(
          process.execPath,
          [
            "--import",
            "tsx",
            join(ROOT, "test/contracts/fleet-worker.ts"),
            prefix,
            String(skew),
            String(DURATION),
          ],
          {
            cwd: ROOT,
            env: { ...process.env, REDIS_URL: URL },
          },
        ),
      ),
    );
    const results = outputs.map(
      (o) =>
        JSON.parse(o.stdout.trim().split("\n").pop() as string) as { granted: number[]; attempts: number },
    );
    // Every process took part. The window is not a fair queue: on a loaded machine one process can
    // lose every race for a freed unit, so only a shared budget (grants to several) is required.
    expect(results.every((r) => r.attempts > 0)).toBe(true);
    expect(results.filter((r) => r.granted.length > 0).length).toBeGreaterThanOrEqual(2);
    const times = results.flatMap((r) => r.granted).sort((a, b) => a - b);
    // The Redis time of each grant (the store reports it): no 1,000 ms window holds more than 80.
    expect(busiestWindow(times)).toBe(80);
    // …and the budget is used: close to 80 per second, not far less.
    const seconds = ((times.at(-1) as number) - (times[0] as number)) / 1000;
    expect(times.length).toBeGreaterThan(0.8 * 80 * seconds);
    expect(times.length).toBeLessThanOrEqual(80 * (Math.floor(seconds) + 1));
    const redis = new Redis(URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  }, 60_000);
});
