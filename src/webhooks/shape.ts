import * as z from "zod/mini";
import { check } from "../internal/validate.js";
import { isInstant } from "./date-time.js";

/**
 * One declaration per payload shape, compiled two ways: a zod schema (the reference, built on
 * first use, which also explains failures) and a plain predicate for the hot path. Objects are
 * loose — keys Meta adds later are kept — and a present key holding `undefined` counts as
 * missing, as in zod. A property test checks that both accept exactly the same inputs.
 */
export type Primitive =
  | "string"
  | "number"
  | "boolean"
  | "unknown"
  /**
   * An instant: Unix seconds (a number, or a string of digits with an optional fraction) that a
   * Date can hold, or a date-time naming its offset.
   */
  | "unixTime"
  /** A number or a string (template ids arrive as either). */
  | "numberOrString"
  | "nullableString";
export type Shape = Primitive | { readonly array: Shape } | { readonly object: Fields };
/**
 * A field: required (a shape), optional (`{ optional }`: when it does not fit, `parse` leaves it
 * out and keeps the rest), or optional and vital (`{ optional, vital: true }`: what wa-guard acts
 * on — a sender, a time, a text — so when it does not fit, the whole element does not).
 */
export type Fields = {
  readonly [key: string]: Shape | { readonly optional: Shape; readonly vital?: true };
};

type InferPrimitive<P> = P extends "string"
  ? string
  : P extends "number"
    ? number
    : P extends "boolean"
      ? boolean
      : P extends "unixTime" | "numberOrString"
        ? string | number
        : P extends "nullableString"
          ? string | null
          : unknown;
type RequiredKeys<F extends Fields> = {
  [K in keyof F]: F[K] extends { optional: Shape } ? never : K;
}[keyof F];
type OptionalKeys<F extends Fields> = Exclude<keyof F, RequiredKeys<F>>;
type InferFields<F extends Fields> = { [K in RequiredKeys<F>]: Infer<F[K]> } & {
  [K in OptionalKeys<F>]?: F[K] extends { optional: infer S } ? Infer<S> : never;
} & { [key: string]: unknown };
/** The TypeScript type of what a shape accepts. */
export type Infer<S> = S extends { array: infer E }
  ? Infer<E>[]
  : S extends { object: infer F extends Fields }
    ? InferFields<F>
    : InferPrimitive<S>;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function predicate(shape: Shape): (v: unknown) => boolean {
  switch (shape) {
    case "string":
      return (v) => typeof v === "string";
    case "number":
      return (v) => typeof v === "number" && Number.isFinite(v);
    case "boolean":
      return (v) => typeof v === "boolean";
    case "unknown":
      return () => true;
    case "unixTime":
      return isInstant;
    case "numberOrString":
      return (v) => (typeof v === "number" && Number.isFinite(v)) || typeof v === "string";
    case "nullableString":
      return (v) => v === null || typeof v === "string";
  }
  if ("array" in shape) {
    const item = predicate(shape.array);
    return (v) => {
      if (!Array.isArray(v)) return false;
      for (let i = 0; i < v.length; i++) if (!item(v[i])) return false;
      return true;
    };
  }
  // Walk the keys the value has (usually a few) rather than every declared one (up to 25).
  const byKey: Record<string, (v: unknown) => boolean> = Object.create(null);
  const required: string[] = [];
  for (const [key, field] of Object.entries(shape.object)) {
    const optional = typeof field === "object" && "optional" in field;
    byKey[key] = predicate(optional ? field.optional : (field as Shape));
    if (!optional) required.push(key);
  }
  return (v) => {
    if (!isObject(v)) return false;
    for (let i = 0; i < required.length; i++) if (v[required[i] as string] === undefined) return false;
    for (const key in v) {
      const ok = byKey[key];
      if (ok === undefined) continue;
      const value = v[key];
      if (value !== undefined && !ok(value)) return false;
    }
    return true;
  };
}

function schema(shape: Shape): z.ZodMiniType {
  switch (shape) {
    case "string":
      return z.string();
    case "number":
      return z.number();
    case "boolean":
      return z.boolean();
    case "unknown":
      return z.unknown();
    case "unixTime":
      return z.union([
        z.number().check(z.refine(isInstant, "not Unix seconds a Date can hold")),
        z.string().check(z.refine(isInstant, "not Unix seconds or a date-time with an offset")),
      ]);
    case "numberOrString":
      return z.union([z.number(), z.string()]);
    case "nullableString":
      return z.nullable(z.string());
  }
  if ("array" in shape) return z.array(schema(shape.array));
  const fields: Record<string, z.ZodMiniType> = {};
  for (const [key, field] of Object.entries(shape.object)) {
    fields[key] =
      typeof field === "object" && "optional" in field
        ? z.optional(schema(field.optional))
        : schema(field as Shape);
  }
  return z.looseObject(fields);
}

/** Returned by a repairer for a value that cannot be made to fit. */
const FAIL: unique symbol = Symbol("does not fit");

/**
 * A function that makes a value fit `shape` by leaving out what does not: an optional field (at
 * any depth) whose value does not fit is removed, an array element that does not fit is dropped.
 * A required or vital field that does not fit cannot be left out, nor can anything inside a vital
 * one (`strict`): FAIL. A string written as an exact-integer JSON number becomes its digits.
 * Unknown keys stay as they are. Only the slow path: values that fit are never copied.
 */
function repairer(shape: Shape, strict = false): (v: unknown) => unknown {
  if (typeof shape === "string") {
    const ok = predicate(shape);
    // An id or a number written as a JSON number: its digits, when it is an exact integer.
    if (shape === "string")
      return (v) =>
        ok(v) ? v : typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? String(v) : FAIL;
    return (v) => (ok(v) ? v : FAIL);
  }
  if ("array" in shape) {
    const item = repairer(shape.array, strict);
    return (v) => {
      if (!Array.isArray(v)) return FAIL;
      const out: unknown[] = [];
      for (const x of v) {
        const r = item(x);
        if (r !== FAIL) out.push(r);
        else if (strict) return FAIL;
      }
      return out;
    };
  }
  const fields = Object.entries(shape.object).map(([key, field]) => {
    const optional = typeof field === "object" && "optional" in field;
    const inner = optional ? field.optional : (field as Shape);
    // Nothing is left out of a vital field (or anything inside one): all of it fits, once ids
    // written as numbers are read as their digits, or the element does not.
    const vital = optional && "vital" in field && field.vital === true;
    return {
      key,
      optional,
      leaveOut: optional && !vital && !strict,
      repair: repairer(inner, strict || vital),
    };
  });
  return (v) => {
    if (!isObject(v)) return FAIL;
    const out: Record<string, unknown> = { ...v };
    for (const { key, optional, leaveOut, repair } of fields) {
      const value = v[key];
      if (value === undefined) {
        if (!optional) return FAIL;
        continue;
      }
      const r = repair(value);
      if (r !== FAIL) out[key] = r;
      else if (leaveOut) delete out[key];
      else return FAIL;
    }
    return out;
  };
}

/** A validator for one shape: `accepts` (fast), `parse` (the input itself, or undefined) and `explain` (zod's issues). */
export interface Validator<T> {
  accepts(value: unknown): value is T;
  /**
   * The value as given (never a copy) when it fits the shape. Otherwise a repaired copy: an
   * incidental optional field that does not fit (one Meta sends in a shape its reference does not
   * show) is left out, and a string field written as an exact-integer JSON number holds its
   * digits, so an element whose own fields are sound still does its job (a STOP still stops).
   * Undefined when a required or vital field is missing or still does not fit.
   */
  parse(value: unknown): T | undefined;
  /** Why a value does not fit, from the zod schema. */
  explain(value: unknown): string;
  /** The zod schema (the reference). */
  readonly zod: z.ZodMiniType;
  /** The declaration both are compiled from. */
  readonly shape: Shape;
}

export function validator<const S extends Shape>(shape: S): Validator<Infer<S>> {
  const accepts = predicate(shape) as (value: unknown) => value is Infer<S>;
  let repair: ((v: unknown) => unknown) | undefined;
  let zod: z.ZodMiniType | undefined;
  const ref = () => {
    zod ??= schema(shape);
    return zod;
  };
  return {
    shape,
    accepts,
    parse(value) {
      if (accepts(value)) return value;
      repair ??= repairer(shape);
      const repaired = repair(value);
      return repaired === FAIL ? undefined : (repaired as Infer<S>);
    },
    explain(value) {
      const result = check(ref(), value);
      return result.ok
        ? ""
        : result.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    },
    get zod() {
      return ref();
    },
  };
}
