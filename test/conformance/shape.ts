/**
 * The shape of a JSON value, compared with a recording of Meta's: the same field names, the same
 * JSON types, and the same values where a value is part of the contract (error codes and types,
 * `messaging_product`, statuses). Everything else (ids, timestamps, texts) may differ.
 */

export type JsonType = "string" | "number" | "boolean" | "null" | "object" | "array";

export interface ShapeDifference {
  /** Dotted path; array elements as `[]`. */
  path: string;
  kind: "missing" | "extra" | "type" | "value";
  detail: string;
}

/** Fields whose value, not only type, must match the recording. */
const CONTRACT_VALUES = new Set([
  "code",
  "error_subcode",
  "type",
  "messaging_product",
  "status",
  "is_transient",
]);

export function jsonType(value: unknown): JsonType {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  const t = typeof value;
  if (t === "string" || t === "number" || t === "boolean" || t === "object") return t;
  throw new Error(`not JSON: ${t}`);
}

/**
 * Every way `actual` differs in shape from `recorded`. Arrays: every element of `actual` is
 * compared with the recording's first element (the recordings show one kind of element per array).
 * `values: false` compares types only (for scenarios whose values legitimately differ).
 */
export function shapeDiff(
  recorded: unknown,
  actual: unknown,
  options: { values?: boolean } = {},
  path = "",
): ShapeDifference[] {
  const out: ShapeDifference[] = [];
  const rt = jsonType(recorded);
  const at = jsonType(actual);
  if (rt !== at) {
    out.push({ path: path || "(root)", kind: "type", detail: `recorded ${rt}, fake ${at}` });
    return out;
  }
  if (rt === "array") {
    const r = recorded as unknown[];
    const a = actual as unknown[];
    if (r.length === 0) return out;
    for (const item of a) {
      // Elements of several kinds (template components): compared with the recorded one of the
      // same `type`; a kind the recording does not show cannot be judged.
      const kind = typeOf(item);
      const peer = kind === undefined ? r[0] : r.find((e) => typeOf(e) === kind);
      if (peer !== undefined || !r.some((e) => typeOf(e) !== undefined))
        out.push(...shapeDiff(peer ?? r[0], item, options, `${path}[]`));
    }
    return dedupe(out);
  }
  if (rt !== "object") {
    const key = path.split(".").at(-1) ?? "";
    if ((options.values ?? true) && CONTRACT_VALUES.has(key) && recorded !== actual)
      out.push({
        path,
        kind: "value",
        detail: `recorded ${JSON.stringify(recorded)}, fake ${JSON.stringify(actual)}`,
      });
    return out;
  }
  const r = recorded as Record<string, unknown>;
  const a = actual as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    const p = path ? `${path}.${key}` : key;
    if (!(key in a)) out.push({ path: p, kind: "missing", detail: `recorded ${jsonType(r[key])}` });
    else out.push(...shapeDiff(r[key], a[key], options, p));
  }
  for (const key of Object.keys(a)) {
    if (!(key in r))
      out.push({ path: path ? `${path}.${key}` : key, kind: "extra", detail: `fake ${jsonType(a[key])}` });
  }
  return out;
}

function typeOf(value: unknown): string | undefined {
  const t = (value as { type?: unknown } | null)?.type;
  return typeof value === "object" && value !== null && typeof t === "string" ? t : undefined;
}

function dedupe(list: ShapeDifference[]): ShapeDifference[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const k = `${d.kind} ${d.path} ${d.detail}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
