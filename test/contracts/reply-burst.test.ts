import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join, resolve } from "node:path";
import { Redis } from "ioredis";
import { expect, it } from "vitest";
import { REDIS_URL, whenRedis } from "./services.js";

// Two processes each send 200 replies at once through one Redis, with the runner's default
// timeoutMs (50 ms). Both are busy — their own 200 sends queue in their event loops and behind
// each other in Redis — while Redis itself is healthy. Needs Redis (required in CI, skipped elsewhere).
const ROOT = resolve(import.meta.dirname, "../..");
const suite = await whenRedis("the reply burst test");

type Outcome = { sent: number; tally: Record<string, number>; commands: number; longestWaitMs: number };

/** A worker process: resolves its result line; `ready` resolves once it has set itself up. */
function worker(prefix: string, id: number, count: number) {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(ROOT, "test/contracts/reply-burst-worker.ts"),
      prefix,
      String(id),
      String(count),
    ],
    { cwd: ROOT, env: { ...process.env, REDIS_URL }, stdio: ["pipe", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => {
    onReady = r;
  });
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    if (out.includes("ready\n")) onReady();
  });
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const done = new Promise<Outcome>((res, rej) => {
    child.on("exit", (code) => {
      if (code !== 0) return rej(new Error(`worker ${id} exited with ${code}: ${err}`));
      res(JSON.parse(out.trim().split("\n").pop() as string) as Outcome);
    });
  });
  done.catch(() => onReady()); // a worker that dies before "ready" must not hang the test
  return { child, ready, done };
}

suite("a fleet of busy instances and a healthy Redis", () => {
  it("two processes sending 200 replies each at once: none is refused as 'Redis unavailable'", async () => {
    const prefix = `wa-guard-burst:${randomUUID()}`;
    const workers = [worker(prefix, 1, 200), worker(prefix, 2, 200)];
    try {
      await Promise.all(workers.map((w) => w.ready));
      for (const w of workers) w.child.stdin.write("go\n"); // both start at the same moment
      const results = await Promise.all(workers.map((w) => w.done));
      const tally: Record<string, number> = {};
      for (const r of results) for (const [k, n] of Object.entries(r.tally)) tally[k] = (tally[k] ?? 0) + n;
      expect(tally).toEqual({ sent: 400 });
      expect(results.map((r) => r.sent)).toEqual([200, 200]);
      console.log(
        `reply burst: ${results.map((r) => `${r.commands} scripts, longest wait ${r.longestWaitMs} ms`).join("; ")}`,
      );
    } finally {
      for (const w of workers) if (w.child.exitCode === null) w.child.kill();
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    }
  }, 60_000);
});
