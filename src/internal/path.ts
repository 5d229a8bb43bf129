import { ValidationError } from "../errors/validation.js";

/**
 * Tagged template for Graph paths: each interpolated value must be a non-empty string or number
 * without `/`, `?`, `#` or `..`, and is percent-encoded. Ids come from user data, so a value such
 * as `"123/block_users"` must never change which endpoint is called.
 */
export function path(strings: TemplateStringsArray, ...values: unknown[]): string {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if ((typeof value !== "string" && typeof value !== "number") || value === "") {
      throw new ValidationError(`Invalid path segment: expected a non-empty id, got ${describe(value)}`);
    }
    const text = String(value);
    if (text === "." || text === ".." || /[/?#\\]/.test(text)) {
      throw new ValidationError(
        `Invalid path segment ${JSON.stringify(text)}: ids cannot contain / ? # \\ or be . or ..`,
      );
    }
    out += encodeURIComponent(text) + (strings[i + 1] ?? "");
  }
  return out;
}

function describe(value: unknown): string {
  if (value === "") return "an empty string";
  if (value === null) return "null";
  return typeof value;
}
