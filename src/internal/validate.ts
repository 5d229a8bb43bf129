import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";
import type { ValidationIssue } from "../errors/validation.js";

let localeReady = false;
const fastPaths = new WeakMap<object, (input: unknown) => boolean>();
/** A lazy schema's stand-in → the schema it built, so `check` reaches it without the proxy. */
const built = new WeakMap<object, z.ZodMiniType>();

/**
 * A schema built on first use. Building every zod schema when the module loads cost ~10 ms of
 * a cold start (zod's constructors run for each of hundreds of nodes), most of it for shapes a
 * process never checks. The stand-in forwards every operation to the schema `build` makes the
 * first time anything reads it, so it can be composed into other schemas, parsed, or given a
 * fast path like the schema itself.
 */
export function lazy<S extends z.ZodMiniType>(build: () => S): S {
  let schema: S | undefined;
  const real = (): S => {
    if (schema === undefined) {
      schema = build();
      built.set(proxy, schema);
    }
    return schema;
  };
  const proxy = new Proxy({} as S, {
    get: (_, key) => Reflect.get(real(), key),
    set: (_, key, value) => Reflect.set(real(), key, value),
    has: (_, key) => Reflect.has(real(), key),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_, key) => {
      const d = Reflect.getOwnPropertyDescriptor(real(), key);
      // The stand-in's target has no such property: report it configurable (a proxy may not
      // claim a non-configurable property its target lacks).
      return d && { ...d, configurable: true };
    },
    defineProperty: (_, key, d) => Reflect.defineProperty(real(), key, d),
    deleteProperty: (_, key) => Reflect.deleteProperty(real(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(real()),
  });
  return proxy;
}

/**
 * Register a hand-written predicate that accepts exactly what `schema` accepts, for a hot
 * path. When it says yes the input is returned as is; when it says no, zod runs and produces
 * the issues. A property test checks that both agree.
 */
export function withFastPath<S extends z.ZodMiniType>(schema: S, accepts: (input: unknown) => boolean): S {
  // Keyed by the object callers hold (a lazy stand-in stays unbuilt while the fast path answers).
  fastPaths.set(schema, accepts);
  return schema;
}

/** Parse with a zod schema; on failure return readable issues instead of throwing. */
export function check<T>(
  schema: z.ZodMiniType<T>,
  input: unknown,
): { ok: true; value: T } | { ok: false; issues: ValidationIssue[] } {
  if (fastPaths.get(schema)?.(input)) return { ok: true, value: input as T };
  if (!localeReady) {
    // Our bundled copy of zod: setting its locale affects nobody else.
    z.config(en());
    localeReady = true;
  }
  const result = ((built.get(schema) as z.ZodMiniType<T> | undefined) ?? schema).safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => ({
      path: issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
      message: issue.message,
      code: issue.code,
    })),
  };
}

/** `to.body: Too big…; type: Invalid option…` */
export function formatIssues(issues: ValidationIssue[], root?: string): string {
  return issues
    .map((issue) => {
      const where = [root, ...issue.path.map(String)].filter(Boolean).join(".");
      return where ? `${where}: ${issue.message}` : issue.message;
    })
    .join("; ");
}

/** A value that is an object with these methods (a store, a guard): checked by hand, not by shape. */
export const hasMethods = (what: string, methods: string[]) =>
  z.custom<never>(
    (v) =>
      typeof v === "object" &&
      v !== null &&
      methods.every((m) => typeof (v as Record<string, unknown>)[m] === "function"),
    `expected ${what} with ${methods.join(", ")}`,
  );
