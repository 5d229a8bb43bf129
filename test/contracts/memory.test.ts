import { describe } from "vitest";
import {
  MemoryAccountHealthStore,
  MemoryBlockMirror,
  MemoryCampaignCheckpointStore,
  MemoryConsentStore,
  MemoryIdentityStore,
  MemoryRateLimitStore,
  MemorySendHistoryStore,
  MemorySessionWindowStore,
  MemoryTemplateListStore,
  MemoryWebhookDedupStore,
} from "../../src/index.js";
import { allContracts } from "./stores.js";

describe("memory stores", () => {
  allContracts({
    sessionWindows: async () => new MemorySessionWindowStore(),
    consent: async () => new MemoryConsentStore(),
    blockMirror: async () => new MemoryBlockMirror(),
    accountHealth: async () => new MemoryAccountHealthStore(),
    accountHealthShared: async (n) => {
      const store = new MemoryAccountHealthStore();
      return Array.from({ length: n }, () => store);
    },
    webhookDedup: async () => new MemoryWebhookDedupStore(),
    sendHistory: async () => new MemorySendHistoryStore(),
    // One process: the "instances" share the one store object.
    rateLimits: async (n = 1) => {
      const store = new MemoryRateLimitStore();
      return Array.from({ length: n }, () => store);
    },
    campaigns: async (n = 1) => {
      const store = new MemoryCampaignCheckpointStore();
      return Array.from({ length: n }, () => store);
    },
    templates: async () => new MemoryTemplateListStore(),
    identity: async (n = 1) => {
      const store = new MemoryIdentityStore();
      return Array.from({ length: n }, () => store);
    },
  });
});
