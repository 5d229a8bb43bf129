import { execFileSync } from "node:child_process";
import { describe, expect, it, vi } from "vitest";

const CORRELATION = new URL("../../src/internal/correlation.ts", import.meta.url).href;

/** The first correlation id of a fresh process (tsx runs the source). */
function firstIdOfAProcess(mathRandom?: number): string {
  const stub = mathRandom === undefined ? "" : `Math.random = () => ${mathRandom};`;
  return execFileSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      `${stub} const m = await import(${JSON.stringify(CORRELATION)}); console.log(m.newCorrelationId());`,
    ],
    { encoding: "utf8" },
  ).trim();
}

describe("correlation ids", () => {
  it("one prefix per process, then a counter: every id of a process is distinct", async () => {
    vi.resetModules();
    const { newCorrelationId } = await import("../../src/internal/correlation.js");
    const ids = Array.from({ length: 1000 }, () => newCorrelationId());
    expect(new Set(ids).size).toBe(1000);
    const prefixes = new Set(ids.map((id) => id.split("_")[1]));
    expect(prefixes.size).toBe(1);
    expect(ids[0]).toMatch(/^wag_[0-9a-z]+_[0-9a-z]+$/);
    // Short: room is left in the 512-character field.
    expect(ids[0]?.length).toBeLessThan(40);
  });

  it("two processes get different prefixes, even when a test replaced Math.random with a constant", () => {
    const a = firstIdOfAProcess();
    const b = firstIdOfAProcess();
    expect(a.split("_")[1]).not.toBe(b.split("_")[1]);
    const c = firstIdOfAProcess(0.5);
    const d = firstIdOfAProcess(0.5);
    expect(c.split("_")[1]).not.toBe(d.split("_")[1]);
  });
});
