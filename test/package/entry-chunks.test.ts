import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

// The built ES modules (`npm run build` first): scripts/merge-entry-chunks.mjs merges the shared
// chunks the root entry loads into dist/chunk-root.js (cold start), and every entry must still
// share one instance of each class and store with the root.
const DIST = resolve(import.meta.dirname, "../../dist");
const load = (file: string) => import(pathToFileURL(join(DIST, file)).href);
const staticImports = (file: string) =>
  [...readFileSync(join(DIST, file), "utf8").matchAll(/^(?:import|export)\b[^;]*?'\.\/([^']+)';/gm)].map(
    (m) => m[1],
  );

describe("the built entry's modules", () => {
  it("the root entry loads one shared chunk, and that chunk nothing local", () => {
    expect(new Set(staticImports("index.js"))).toEqual(new Set(["chunk-root.js"]));
    expect(staticImports("chunk-root.js")).toEqual([]);
  });

  it("no ES module of dist imports a chunk that was merged away", () => {
    const files = new Set(readdirSync(DIST));
    for (const file of files)
      if (file.endsWith(".js")) for (const dep of staticImports(file)) expect(files).toContain(dep);
  });

  it("every entry shares the root's classes and stores", async () => {
    const [root, stores, redis, testing] = await Promise.all([
      load("index.js"),
      load("stores.js"),
      load("redis.js"),
      load("testing.js"),
    ]);
    // The root keeps deprecated copies of the store names: the same values, not copies.
    expect(stores.MemoryConsentStore).toBe(root.MemoryConsentStore);
    expect(stores.memoryStores).toBe(root.memoryStores);
    // An error a Redis store throws is the root's class.
    const failure = new (await load("chunk-root.js")).StoreUnavailableError("x");
    expect(failure).toBeInstanceOf(root.StoreUnavailableError);
    expect(root.isStoreUnavailableError(failure)).toBe(true);
    expect(typeof redis.redisStores).toBe("function");
    expect(testing.signWebhookBody).toBe(root.signWebhookBody);
  });
});
