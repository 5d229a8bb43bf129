import { WebhookVerificationError } from "../errors/webhook.js";
import { nodeCrypto } from "../internal/node-crypto.js";

/** The raw request body as received: bytes or the exact string. Never a parsed object. */
export type RawBody = Uint8Array | ArrayBuffer | string;

const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;
const encoder = new TextEncoder();

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
    const digest = nodeCrypto().createHmac("sha256", secret).update(body).digest();
    if (nodeCrypto().timingSafeEqual(digest, expected)) ok = true;
  }
  return ok;
}

/**
 * The body as Meta serialises it: non-ASCII characters as `\uXXXX` (lower-case hex, UTF-16
 * units, so emoji become surrogate pairs), and a second variant with `/` also as `\/`. Built
 * straight from the UTF-8 bytes in one pass; a body that is not valid UTF-8 has no such form.
 */
function escapedVariants(body: Uint8Array): Uint8Array[] {
  let nonAscii = false;
  let slash = false;
  for (let i = 0; i < body.length; i++) {
    const b = body[i] as number;
    if (b > 0x7e) nonAscii = true;
    else if (b === 0x2f) slash = true;
  }
  const out: Uint8Array[] = [];
  if (nonAscii) {
    const escaped = escapeUtf8(body, false);
    if (!escaped) return [];
    out.push(escaped);
  }
  if (slash) {
    const escaped = escapeUtf8(body, true);
    if (escaped) out.push(escaped);
  }
  return out;
}

const HEX = "0123456789abcdef";

function escapeUtf8(body: Uint8Array, slashes: boolean): Uint8Array | undefined {
  // Worst case: a 1-byte `/` becomes 2 bytes, a 2..4-byte sequence at most 12 (3× its size).
  const out = new Uint8Array(body.length * 3);
  let o = 0;
  const unit = (u: number) => {
    out[o++] = 0x5c; // backslash
    out[o++] = 0x75; // u
    out[o++] = HEX.charCodeAt((u >> 12) & 15);
    out[o++] = HEX.charCodeAt((u >> 8) & 15);
    out[o++] = HEX.charCodeAt((u >> 4) & 15);
    out[o++] = HEX.charCodeAt(u & 15);
  };
  for (let i = 0; i < body.length; ) {
    const b = body[i] as number;
    if (b < 0x80) {
      if (b === 0x7f) unit(b);
      else if (slashes && b === 0x2f && !(o > 0 && out[o - 1] === 0x5c)) {
        out[o++] = 0x5c;
        out[o++] = b;
      } else out[o++] = b;
      i++;
      continue;
    }
    let cp: number;
    let n: number;
    if (b >= 0xc2 && b <= 0xdf) {
      cp = b & 0x1f;
      n = 1;
    } else if (b >= 0xe0 && b <= 0xef) {
      cp = b & 0x0f;
      n = 2;
    } else if (b >= 0xf0 && b <= 0xf4) {
      cp = b & 0x07;
      n = 3;
    } else return undefined;
    if (i + n >= body.length) return undefined;
    for (let k = 1; k <= n; k++) {
      const c = body[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return undefined;
      cp = (cp << 6) | (c & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if (
      (n === 2 && cp < 0x800) ||
      (n === 3 && cp < 0x10000) ||
      cp > 0x10ffff ||
      (cp >= 0xd800 && cp <= 0xdfff)
    )
      return undefined;
    if (cp > 0xffff) {
      const v = cp - 0x10000;
      unit(0xd800 + (v >> 10));
      unit(0xdc00 + (v & 0x3ff));
    } else unit(cp);
    i += n + 1;
  }
  return out.subarray(0, o);
}

/**
 * The `X-Hub-Signature-256` value Meta would send for `body` (for tests and the fake).
 * @example signWebhookBody(JSON.stringify(payload), "app-secret") // "sha256=5f2b…"
 */
export function signWebhookBody(body: string | Uint8Array, secret: string): string {
  return `sha256=${nodeCrypto().createHmac("sha256", secret).update(body).digest("hex")}`;
}
