/**
 * Optional and heavy dependencies (undici, libphonenumber-js, p-queue) are imported on first use,
 * so `import "wa-guard"` stays cheap. One loader for all of them: the import starts once, every
 * caller shares its promise, and the value is readable without waiting once it has arrived. A
 * failed import is not kept: the next call tries again (a chunk missing for a moment, during a
 * deploy, does not break the process for good).
 */
export interface LazyImport<T> {
  /** Start the import (idempotent) and wait for it. */
  (): Promise<T>;
  /** The value if the import has finished already, else undefined. */
  readonly loaded: T | undefined;
}

/**
 * A loader for `load()` (write the `import("…")` literally there, so bundlers see it); `pick`
 * takes what is needed from the module, e.g. unwrapping a CommonJS interop `default`.
 */
export function lazyImport<M, T = M>(load: () => Promise<M>, pick?: (module: M) => T): LazyImport<T> {
  let loading: Promise<T> | undefined;
  let value: T | undefined;
  const loader = () => {
    loading ??= load().then(
      (m) => {
        value = pick ? pick(m) : (m as unknown as T);
        return value;
      },
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    );
    return loading;
  };
  return Object.defineProperty(loader, "loaded", { get: () => value }) as LazyImport<T>;
}
