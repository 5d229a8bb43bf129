/**
 * A redis-server of the test's own, on a free port in 6390–6399 with DEBUG allowed from loopback,
 * for tests that stall, flush or kill Redis: they never touch the shared one at 6379.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createServer } from "node:net";
import { Redis } from "ioredis";
import { describe } from "vitest";

function hasRedisServer(): boolean {
  try {
    execFileSync("redis-server", ["--version"]);
    return true;
  } catch {
    return false;
  }
}
/** `describe` when redis-server can be started here; required in CI, skipped with a reason elsewhere. */
export const ownRedisSuite: typeof describe | typeof describe.skip = (() => {
  if (hasRedisServer()) return describe;
  if (process.env["CI"])
    throw new Error("redis-server is required in CI for the tests that stall their own Redis");
  console.warn("skipping the tests that stall their own Redis: no redis-server binary");
  return describe.skip;
})();

const canListen = (port: number) =>
  new Promise<boolean>((res) => {
    const s = createServer();
    s.once("error", () => res(false));
    s.listen(port, "127.0.0.1", () => s.close(() => res(true)));
  });

export interface OwnRedis {
  port: number;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** A redis-server of our own on a free port in 6390–6399, DEBUG allowed from loopback. */
export async function startRedis(): Promise<OwnRedis> {
  for (let port = 6390; port <= 6399; port++) {
    if (!(await canListen(port))) continue;
    const proc = spawn(
      "redis-server",
      [
        ...["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        ...["--enable-debug-command", "local"],
      ],
      { stdio: "ignore" },
    );
    let exited = false;
    proc.once("exit", () => {
      exited = true;
    });
    const probe = new Redis({ port, host: "127.0.0.1", lazyConnect: true, retryStrategy: () => null });
    probe.on("error", () => undefined);
    for (let i = 0; i < 100 && !exited; i++) {
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        const stop = async () => {
          if (proc.exitCode !== null || proc.signalCode !== null) return;
          const gone = new Promise((r) => proc.once("exit", r));
          proc.kill("SIGKILL"); // this test's own child, by its pid
          await gone;
        };
        return { port, proc, stop };
      } catch {
        probe.disconnect();
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    probe.disconnect();
    if (!exited) proc.kill("SIGKILL");
  }
  throw new Error("no free port for a redis-server in 6390–6399");
}
