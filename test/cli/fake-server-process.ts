import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");

/** The `wa-guard` command run from source, as `npx wa-guard` runs the built one. */
export function spawnCli(args: string[]): ChildProcess & { output(): { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, ["--import", "tsx", resolve(ROOT, "src/cli/main.ts"), ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  return Object.assign(child, { output: () => ({ stdout, stderr }) });
}

/** Resolves with the exit code (or the signal that ended it). */
export function exited(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((res) => child.once("exit", (code, signal) => res(code ?? signal ?? -1)));
}

export interface FakeServerProcess {
  url: string;
  child: ReturnType<typeof spawnCli>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | string>;
}

/** Start `wa-guard fake-server --port 0 ...args` and wait for its "listening on" line. */
export async function startFakeServerProcess(args: string[] = []): Promise<FakeServerProcess> {
  const child = spawnCli(["fake-server", "--port", "0", ...args]);
  const url = await new Promise<string>((res, rej) => {
    const onData = () => {
      const match = /^listening on (http:\/\/\S+)\n/m.exec(child.output().stdout);
      if (match) {
        child.stdout?.off("data", onData);
        res(match[1] as string);
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) => rej(new Error(`fake-server exited with ${code}: ${child.output().stderr}`)));
  });
  return {
    url,
    child,
    stop: () => {
      const done = exited(child);
      child.kill("SIGTERM");
      return done;
    },
  };
}
