import { fakeIdentity } from "./fake-messaging.js";

/** A control request the fake server refuses: answered with this status and a JSON error. */
export class FakeControlError extends Error {
  constructor(
    message: string,
    readonly status = 400,
    /** More JSON to answer with, beside `error`. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "FakeControlError";
  }
}

const show = (value: unknown): string => {
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json.length > 60 ? `${json.slice(0, 57)}...` : json;
};

/**
 * Reads one control request body field by field, with messages that name the field, what was
 * given and what is expected; {@link done} refuses fields nobody asked for (a typo must not be
 * ignored silently).
 */
export class ControlInput {
  readonly #body: Record<string, unknown>;
  readonly #read = new Set<string>();

  constructor(
    body: unknown,
    private readonly where: string,
  ) {
    if (body === undefined) this.#body = {};
    else if (typeof body === "object" && body !== null && !Array.isArray(body))
      this.#body = body as Record<string, unknown>;
    else throw new FakeControlError(`${where}: the body must be a JSON object, got ${show(body)}`);
  }

  has(key: string): boolean {
    return this.#body[key] !== undefined;
  }

  #get(key: string): unknown {
    this.#read.add(key);
    return this.#body[key];
  }

  #fail(key: string, expected: string, value: unknown): never {
    throw new FakeControlError(
      value === undefined
        ? `${this.where}: "${key}" is required (${expected})`
        : `${this.where}: "${key}" must be ${expected}, got ${show(value)}`,
    );
  }

  string(key: string, pattern?: { test(s: string): boolean; describe: string }): string {
    const value = this.#get(key);
    if (typeof value !== "string" || value === "")
      this.#fail(key, pattern?.describe ?? "a non-empty string", value);
    if (pattern && !pattern.test(value)) this.#fail(key, pattern.describe, value);
    return value;
  }

  optionalString(key: string, pattern?: { test(s: string): boolean; describe: string }): string | undefined {
    return this.has(key) ? this.string(key, pattern) : (this.#get(key) as undefined);
  }

  /** A string, or null to clear; undefined when absent. */
  nullableString(key: string): string | null | undefined {
    if (this.#body[key] === null) {
      this.#read.add(key);
      return null;
    }
    return this.optionalString(key);
  }

  integer(key: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.#get(key);
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
      this.#fail(
        key,
        max === Number.MAX_SAFE_INTEGER
          ? `an integer of at least ${min}`
          : `an integer from ${min} to ${max}`,
        value,
      );
    return value;
  }

  optionalInteger(key: string, min: number, max?: number): number | undefined {
    return this.has(key) ? this.integer(key, min, max) : (this.#get(key) as undefined);
  }

  boolean(key: string): boolean | undefined {
    const value = this.#get(key);
    if (value !== undefined && typeof value !== "boolean") this.#fail(key, "true or false", value);
    return value;
  }

  oneOf<const T extends string>(key: string, values: readonly T[]): T {
    const value = this.#get(key);
    if (typeof value !== "string" || !values.includes(value as T))
      this.#fail(key, `one of ${values.map((v) => `"${v}"`).join(", ")}`, value);
    return value as T;
  }

  optionalOneOf<const T extends string>(key: string, values: readonly T[]): T | undefined {
    return this.has(key) ? this.oneOf(key, values) : (this.#get(key) as undefined);
  }

  /** A time: ms since the epoch or an ISO 8601 string. */
  time(key: string): number {
    const value = this.#get(key);
    const ms = typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : Number.NaN;
    if (!Number.isFinite(ms) || (typeof value === "number" && !Number.isInteger(value)))
      this.#fail(key, "a time: milliseconds since the epoch or an ISO 8601 string", value);
    return ms;
  }

  object(key: string): ControlInput | undefined {
    const value = this.#get(key);
    if (value === undefined) return undefined;
    if (typeof value !== "object" || value === null || Array.isArray(value))
      this.#fail(key, "a JSON object", value);
    return new ControlInput(value, `${this.where} ${key}`);
  }

  array(key: string, what: string): unknown[] | undefined {
    const value = this.#get(key);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) this.#fail(key, `an array of ${what}`, value);
    return value;
  }

  /** Refuse any field that was not read. */
  done(): void {
    const unknown = Object.keys(this.#body).filter((k) => !this.#read.has(k));
    if (unknown.length > 0) {
      const known = [...this.#read].map((k) => `"${k}"`).join(", ");
      throw new FakeControlError(
        `${this.where}: unknown field ${unknown.map((k) => `"${k}"`).join(", ")} (expected ${known || "no fields"})`,
      );
    }
  }
}

/** A field holding a recipient: a phone number or a BSUID. */
export const RECIPIENT = {
  test: (s: string) => fakeIdentity(s) !== undefined,
  describe: "a phone number or a BSUID",
};
