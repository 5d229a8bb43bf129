/**
 * A Redis Cluster of the test's own: three masters and three replicas on loopback ports
 * 7001–7006 (redis-server `--cluster-enabled yes`, joined with `redis-cli --cluster create`), in
 * a temporary directory, stopped (by pid) and removed afterwards. Needs redis-server and
 * redis-cli: required in CI, skipped with a reason elsewhere.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { describe } from "vitest";

const exec = promisify(execFile);
export const CLUSTER_PORTS = [7001, 7002, 7003, 7004, 7005, 7006];

function has(binary: string): boolean {
  try {
    execFileSync(binary, ["--version"]);
    return true;
  } catch {
    return false;
  }
}

/** `describe` when a cluster can be started here; required in CI, skipped with a reason elsewhere. */
export const ownClusterSuite: typeof describe | typeof describe.skip = (() => {
  if (has("redis-server") && has("redis-cli")) return describe;
  if (process.env["CI"])
    throw new Error("redis-server and redis-cli are required in CI for the Cluster tests");
  console.warn("skipping the Redis Cluster tests: no redis-server or redis-cli binary");
  return describe.skip;
})();

export interface OwnCluster {
  /** Seed nodes for a cluster client. */
  nodes: Array<{ host: string; port: number }>;
  /** The process serving each port. */
  procs: Map<number, ChildProcess>;
  /** Stops one node by its pid (SIGKILL). */
  kill(port: number): Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function info(port: number): Promise<string> {
  const c = new Redis({ port, host: "127.0.0.1", lazyConnect: true, retryStrategy: () => null });
  c.on("error", () => undefined);
  try {
    await c.connect();
    return String(await c.call("CLUSTER", "INFO"));
  } finally {
    c.disconnect();
  }
}

const canListen = (port: number) =>
  new Promise<boolean>((res) => {
    const s = createServer();
    s.once("error", () => res(false));
    s.listen(port, "127.0.0.1", () => s.close(() => res(true)));
  });

/** Starts six nodes, joins them (three masters, one replica each) and waits for cluster_state:ok. */
export async function startCluster(): Promise<OwnCluster> {
  for (const port of CLUSTER_PORTS)
    if (!(await canListen(port)))
      throw new Error(`port ${port} is taken: the cluster tests need 127.0.0.1:7001–7006 free`);
  const dir = mkdtempSync(join(tmpdir(), "wa-guard-cluster-"));
  const procs = new Map<number, ChildProcess>();
  const kill = async (port: number) => {
    const proc = procs.get(port);
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGKILL"); // this test's own child, by its pid
    await gone;
  };
  const stop = async () => {
    for (const port of CLUSTER_PORTS) await kill(port);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of CLUSTER_PORTS) {
      const proc = spawn(
        "redis-server",
        [
          ...["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
          ...["--cluster-enabled", "yes", "--cluster-config-file", `nodes-${port}.conf`],
          ...["--cluster-node-timeout", "1000", "--dir", dir],
        ],
        { stdio: "ignore" },
      );
      procs.set(port, proc);
    }
    for (const port of CLUSTER_PORTS) {
      for (let i = 0; ; i++) {
        try {
          await info(port);
          break;
        } catch (error) {
          if (i > 100) throw error;
          await sleep(50);
        }
      }
    }
    await exec("redis-cli", [
      "--cluster",
      "create",
      ...CLUSTER_PORTS.map((p) => `127.0.0.1:${p}`),
      "--cluster-replicas",
      "1",
      "--cluster-yes",
    ]);
    for (let i = 0; ; i++) {
      const states = await Promise.all(CLUSTER_PORTS.map(info));
      if (states.every((s) => s.includes("cluster_state:ok"))) break;
      if (i > 200) throw new Error("the test cluster did not reach cluster_state:ok");
      await sleep(50);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes: CLUSTER_PORTS.map((port) => ({ host: "127.0.0.1", port })), procs, kill, stop };
}
