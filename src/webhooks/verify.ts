import { createHmac, timingSafeEqual } from "node:crypto";
import { WebhookVerificationError } from "../errors/webhook.js";

/** The raw request body as received: bytes or the exact string. Never a parsed object. */
export type RawBody = Uint8Array | ArrayBuffer | string;

const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: false });

/**
 * Check `X-Hub-Signature-256` against the raw body, in constant time, for any of `secrets`
 * (several during a rotation). Throws {@link WebhookVerificationError} naming what is wrong;
 * returns the body as bytes when it is genuine.
 *
 * Meta signs the body it sends. Where something between Meta and you decoded the `\uXXXX`
 * escapes (or `\/`) of that body into plain characters, the signature still covers the escaped
 * form, so that form is checked too — it is the same JSON document, so nothing unsigned gets in.
 */
export function verifyWebhookSignature(
  rawBody: unknown,
  signature: string | readonly string[] | null | undefined,
  secrets: readonly string[],
): Uint8Array {
  const body = toBytes(rawBody);
  if (secrets.length === 0) {
    throw new WebhookVerificationError(
      "no_app_secret",
      "Cannot verify webhook signatures: set appSecret (or WHATSAPP_APP_SECRET) on the client",
    );
  }
  const expected = parseSignature(signature);
  if (matches(body, expected, secrets)) return body;
  for (const variant of escapedVariants(body)) if (matches(variant, expected, secrets)) return body;
  throw new WebhookVerificationError(
    "signature_mismatch",
    "X-Hub-Signature-256 does not match the body for any configured app secret (wrong secret, or the body was changed)",
  );
}

function toBytes(rawBody: unknown): Uint8Array {
  let bytes: Uint8Array;
  if (typeof rawBody === "string") bytes = encoder.encode(rawBody);
  else if (rawBody instanceof Uint8Array) bytes = rawBody;
  else if (rawBody instanceof ArrayBuffer) bytes = new Uint8Array(rawBody);
  else if (rawBody === undefined || rawBody === null) bytes = new Uint8Array(0);
  else {
    throw new WebhookVerificationError(
      "not_raw_body",
      "The webhook body must be the raw request bytes (Buffer, Uint8Array or string), not a parsed object: " +
        "re-serialising JSON changes the bytes Meta signed. With Express use express.raw({ type: 'application/json' }); " +
        "in fetch handlers use await request.arrayBuffer()",
    );
  }
  if (bytes.length === 0) throw new WebhookVerificationError("empty_body", "The webhook body is empty");
  return bytes;
}

function parseSignature(header: string | readonly string[] | null | undefined): Buffer {
  let value = header;
  if (Array.isArray(value)) {
    if (value.length > 1) {
      throw new WebhookVerificationError(
        "duplicate_signature",
        "X-Hub-Signature-256 appears more than once; Meta sends exactly one",
      );
    }
    value = value[0];
  }
  if (typeof value !== "string" || value.length === 0) {
    throw new WebhookVerificationError(
      "missing_signature",
      "The request has no X-Hub-Signature-256 header, so it cannot be shown to come from Meta",
    );
  }
  const text = value.trim();
  // Node joins repeated unknown headers with ", ".
  if (text.includes(",")) {
    throw new WebhookVerificationError(
      "duplicate_signature",
      "X-Hub-Signature-256 appears more than once; Meta sends exactly one",
    );
  }
  const match = SIGNATURE.exec(text);
  if (!match) {
    const why = !text.startsWith("sha256=")
      ? 'it must start with "sha256="'
      : !/^[0-9a-fA-F]*$/.test(text.slice(7))
        ? "the digest is not hexadecimal"
        : `the digest has ${text.length - 7} hex digits instead of 64`;
    throw new WebhookVerificationError("malformed_signature", `X-Hub-Signature-256 is malformed: ${why}`);
  }
  return Buffer.from(match[1] as string, "hex");
}

function matches(body: Uint8Array, expected: Buffer, secrets: readonly string[]): boolean {
  let ok = false;
  // Every secret is tried, so timing does not reveal which one matched.
  for (const secret of secrets) {
    const digest = createHmac("sha256", secret).update(body).digest();
    if (timingSafeEqual(digest, expected)) ok = true;
  }
  return ok;
}

/** The body with non-ASCII characters escaped as `\uXXXX` (lower-case hex), and also with `/` as `\/`. */
function escapedVariants(body: Uint8Array): Uint8Array[] {
  let nonAscii = false;
  let slash = false;
  for (let i = 0; i < body.length; i++) {
    const b = body[i] as number;
    if (b > 0x7e) nonAscii = true;
    else if (b === 0x2f) slash = true;
  }
  if (!nonAscii && !slash) return [];
  const text = decoder.decode(body);
  const escaped = nonAscii ? escapeUnicode(text) : text;
  const out: Uint8Array[] = [];
  if (nonAscii) out.push(encoder.encode(escaped));
  if (slash) out.push(encoder.encode(escaped.replace(/(?<!\\)\//g, "\\/")));
  return out;
}

function escapeUnicode(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += c > 0x7e ? `\\u${c.toString(16).padStart(4, "0")}` : text[i];
  }
  return out;
}

/**
 * The `X-Hub-Signature-256` value Meta would send for `body` (for tests and the fake).
 * @example signWebhookBody(JSON.stringify(payload), "app-secret") // "sha256=5f2b…"
 */
export function signWebhookBody(body: string | Uint8Array, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}
