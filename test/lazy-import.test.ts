import { describe, expect, it } from "vitest";
import { lazyImport } from "../src/internal/lazy-import.js";

describe("lazyImport (undici, libphonenumber-js and p-queue on first use)", () => {
  it("shares one load between callers and keeps the value", async () => {
    let loads = 0;
    const load = lazyImport(async () => ({ n: ++loads }));
    expect(load.loaded).toBeUndefined();
    const [a, b] = await Promise.all([load(), load()]);
    expect(a).toBe(b);
    expect(load.loaded).toBe(a);
    expect(loads).toBe(1);
  });

  it("does not keep a failed load: the next call tries again", async () => {
    let loads = 0;
    const load = lazyImport(async () => {
      loads++;
      if (loads === 1) throw new Error("chunk missing during a deploy");
      return "module";
    });
    await expect(load()).rejects.toThrow("chunk missing");
    expect(load.loaded).toBeUndefined();
    await expect(load()).resolves.toBe("module");
    expect(loads).toBe(2);
  });
});
