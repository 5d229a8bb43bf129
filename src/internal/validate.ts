import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";
import type { ValidationIssue } from "../errors/validation.js";

let localeReady = false;
const fastPaths = new WeakMap<object, (input: unknown) => boolean>();

/**
 * Register a hand-written predicate that accepts exactly what `schema` accepts, for a hot
 * path. When it says yes the input is returned as is; when it says no, zod runs and produces
 * the issues. A property test checks that both agree.
 */
export function withFastPath<S extends z.ZodMiniType>(schema: S, accepts: (input: unknown) => boolean): S {
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
  const result = schema.safeParse(input);
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
