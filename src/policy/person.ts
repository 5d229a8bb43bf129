import type { IdentityStore } from "../state/identity.js";
import type { PolicyContext } from "./types.js";

/**
 * A person's identifiers are looked up while the guards already read the state under the
 * identifier given: with a shared store both go in the same round trip, and only a person with
 * other identifiers costs another (their state under those). A store in this process answers at
 * once (`aliasesNow`), and then nothing waits for the lookup.
 */
const pending = new WeakMap<PolicyContext, Promise<readonly string[]>>();

/** Look up the person's identifiers: `ctx.keys` holds them once known. */
export function resolvePerson(ctx: PolicyContext, store: IdentityStore): void {
  const mutable = ctx as { keys: readonly string[] };
  if (store.aliasesNow) {
    mutable.keys = store.aliasesNow(ctx.key);
    return;
  }
  const settled = store.aliases(ctx.key).then((all) => {
    mutable.keys = all;
    return all;
  });
  settled.catch(() => undefined); // observed by the guards that read it
  pending.set(ctx, settled);
}

/** Every identifier of the person (`ctx.key` first), once known. */
export function personKeys(ctx: PolicyContext): Promise<readonly string[]> {
  return pending.get(ctx) ?? Promise.resolve(ctx.keys);
}

/** Settles when the person's identifiers are known (undefined when they already are). */
export function personKnown(ctx: PolicyContext): Promise<readonly string[]> | undefined {
  return pending.get(ctx);
}

/**
 * The person has one identifier, known already: a guard may read under `ctx.key` alone (what
 * `acrossPerson` would read), without the array of answers.
 */
export function oneKey(ctx: PolicyContext): boolean {
  return ctx.keys.length === 1 && !pending.has(ctx);
}

const one = <T>(value: T): T[] => [value];

/** `read` under every identifier of the person: `ctx.key` at once, the others once known. */
export function acrossPerson<T>(ctx: PolicyContext, read: (key: string) => Promise<T>): Promise<T[]> {
  const lookup = pending.get(ctx);
  if (lookup === undefined) {
    // Known already (`ctx.key` first): the common case is one identifier, one read.
    return ctx.keys.length === 1 ? read(ctx.key).then(one) : Promise.all(ctx.keys.map(read));
  }
  return acrossPersonLater(ctx, lookup, read);
}

async function acrossPersonLater<T>(
  ctx: PolicyContext,
  lookup: Promise<readonly string[]>,
  read: (key: string) => Promise<T>,
): Promise<T[]> {
  const own = read(ctx.key);
  own.catch(() => undefined); // observed below
  const keys = await lookup;
  const others = keys.filter((k) => k !== ctx.key);
  if (others.length === 0) return [await own];
  return Promise.all([own, ...others.map(read)]);
}
