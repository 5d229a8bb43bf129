import type { PolicyContext } from "./types.js";

/**
 * A person's identifiers are looked up while the guards already read the state under the
 * identifier given: with a shared store both go in the same round trip, and only a person with
 * other identifiers costs another (their state under those).
 */
const pending = new WeakMap<PolicyContext, Promise<readonly string[]>>();

/** Attach the lookup of the person's identifiers; `ctx.keys` holds them once it settles. */
export function resolvePerson(ctx: PolicyContext, keys: Promise<readonly string[]>): void {
  const settled = keys.then((all) => {
    (ctx as { keys: readonly string[] }).keys = all;
    return all;
  });
  settled.catch(() => undefined); // observed by the guards that read it
  pending.set(ctx, settled);
}

/** Every identifier of the person (`ctx.key` first), once known. */
export function personKeys(ctx: PolicyContext): Promise<readonly string[]> {
  return pending.get(ctx) ?? Promise.resolve(ctx.keys);
}

/** `read` under every identifier of the person: `ctx.key` at once, the others once known. */
export async function acrossPerson<T>(ctx: PolicyContext, read: (key: string) => Promise<T>): Promise<T[]> {
  const own = read(ctx.key);
  own.catch(() => undefined); // observed below
  const keys = await personKeys(ctx);
  const others = keys.filter((k) => k !== ctx.key);
  if (others.length === 0) return [await own];
  return Promise.all([own, ...others.map(read)]);
}

/** The latest of some times (undefined when none). */
export function latest(times: ReadonlyArray<number | undefined>): number | undefined {
  let last: number | undefined;
  for (const t of times) if (t !== undefined && (last === undefined || t > last)) last = t;
  return last;
}
