import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The layers of src/README.md, lowest first. A file may import its own layer, any layer below
 * it, and the side folders (state/, errors/, internal/); a side folder imports only side
 * folders. Adapters, the fake and the CLI sit outside and may import anything.
 */
const RANK: Record<string, number> = { transport: 1, api: 2, policy: 3, webhooks: 4, campaigns: 4, root: 5 };
const SIDE = new Set(["state", "errors", "internal"]);
const OUTSIDE = new Set(["redis", "postgres", "testing", "cli"]);
/**
 * Side by side, documented in src/README.md: campaigns listen on `CampaignSignals` for webhook
 * events, so campaign files may read the declarations of those two (and nothing else of webhooks/).
 */
const ALLOWED_TARGETS: Record<string, ReadonlySet<string>> = {
  campaigns: new Set(["webhooks/events", "webhooks/signals"]),
};

const SRC = join(import.meta.dirname, "..", "src");

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

const layerOf = (path: string) => (path.includes("/") ? (path.split("/")[0] as string) : "root");

function upwardEdges(sources: ReadonlyArray<readonly [rel: string, text: string]>): string[] {
  const found: string[] = [];
  for (const [rel, text] of sources) {
    const layer = layerOf(rel);
    if (OUTSIDE.has(layer)) continue;
    for (const m of text.matchAll(/(?:import|export)[^;]*?from\s+"(\.[^"]+)"/g)) {
      const target = normalize(join(dirname(rel), m[1] as string)).replace(/\.js$/, "");
      const to = layerOf(target);
      if (to === layer) continue;
      const edge = `${rel} -> ${target}`;
      if (ALLOWED_TARGETS[layer]?.has(target)) continue;
      const ok = SIDE.has(layer)
        ? SIDE.has(to)
        : SIDE.has(to) || (RANK[to] ?? Number.POSITIVE_INFINITY) < (RANK[layer] ?? 0);
      if (!ok) found.push(edge);
    }
  }
  return found;
}

describe("source layers (src/README.md)", () => {
  it("no file imports a layer above its own, type-only imports included", () => {
    const sources = files(SRC).map((f) => [relative(SRC, f), readFileSync(f, "utf8")] as const);
    expect(sources.length).toBeGreaterThan(50);
    expect(upwardEdges(sources)).toEqual([]);
  });

  it("the check reports an upward import, a side folder importing a layer, and two layers side by side", () => {
    expect(
      upwardEdges([
        ["api/http.ts", 'import type { ResolvedOptions } from "../options.js";'],
        ["api/messages.ts", 'import type {\n  Policy,\n} from "../policy/pipeline.js";'],
        ["state/template-list.ts", 'import type { MessageTemplate } from "../api/templates.js";'],
        ["webhooks/handler.ts", 'export { x } from "../campaigns/run.js";'],
        ["campaigns/held.ts", 'import type { StatusEvent } from "../webhooks/events.js";'],
        ["campaigns/run.ts", 'import { WebhookEffects } from "../webhooks/effects.js";'],
        ["policy/pipeline.ts", 'import { a } from "../api/http.js";\nimport { b } from "../state/clock.js";'],
        ["redis/stores.ts", 'import { c } from "../client.js";'],
      ]),
    ).toEqual([
      "api/http.ts -> options",
      "api/messages.ts -> policy/pipeline",
      "state/template-list.ts -> api/templates",
      "webhooks/handler.ts -> campaigns/run",
      "campaigns/run.ts -> webhooks/effects",
    ]);
  });
});
