/** What the Redis stores share: time constants, Lua snippets, the script options of undo steps. */

export const DAY = 24 * 60 * 60 * 1000;

// Every script is one atomic step on the Redis server. Rate decisions read the time from
// Redis (`TIME`), never from the client, so instances with skewed clocks share one truth.
export const NOW_MS =
  "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)";

/**
 * Undo steps (releases, refunds) run when something already failed — often while Redis stalls or
 * right after it restarted. They always go as EVAL with their source: an undo must never be lost
 * to a script cache Redis forgot.
 */
export const FAILURE_PATH = { alwaysEval: true } as const;

/** The key of an id: a prefix it is appended to, or a function. */
export type KeyOf = string | ((id: string) => string);
export const keyFn = (k: KeyOf): ((id: string) => string) => (typeof k === "string" ? (id) => k + id : k);
