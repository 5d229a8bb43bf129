type NodeCrypto = typeof import("node:crypto");

let loaded: NodeCrypto | undefined;

/**
 * `node:crypto`, loaded on first use. Only webhooks need it (signatures, event ids), and
 * importing it with the entry cost every cold start ~2–3 ms, webhooks or not.
 */
export function nodeCrypto(): NodeCrypto {
  loaded ??= process.getBuiltinModule("node:crypto");
  return loaded;
}
