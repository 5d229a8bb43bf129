const MASK = "[redacted]";

/** Returns a function that replaces every occurrence of the given secrets in a string. */
export function redactor(secrets: ReadonlyArray<string | undefined>): (text: string) => string {
  const list = secrets.filter((s): s is string => typeof s === "string" && s.length >= 4);
  if (list.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const secret of list) if (out.includes(secret)) out = out.split(secret).join(MASK);
    return out;
  };
}

/** Keep the last `keep` digits of a phone number or id, for logs. */
export function maskPhone(value: string, keep = 4): string {
  if (value.length <= keep) return value;
  return `…${value.slice(-keep)}`;
}

export { MASK };

/** Apply a string redactor to every string inside a JSON-like value (a copy is returned). */
export function redactDeep<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact)) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, redact);
    return out as T;
  }
  return value;
}
