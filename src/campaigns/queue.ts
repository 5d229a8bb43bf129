import { lazyImport } from "../internal/lazy-import.js";

type PQueueClass = typeof import("p-queue").default;

/** p-queue, loaded on the first run. Under CommonJS interop its default export sits one level down. */
export const loadQueue = lazyImport(
  () => import("p-queue"),
  (mod): PQueueClass => {
    const d = mod.default as PQueueClass | { default: PQueueClass };
    return "default" in d ? d.default : d;
  },
);
