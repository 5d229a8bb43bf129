/**
 * Verify and receive: Meta's GET handshake, the size limit, the signature over the raw bytes,
 * and parsing into events with their de-duplication keys. Nothing here changes any state.
 */
import type { WhatsAppError } from "../errors/base.js";
import { isWebhookVerificationError, WebhookVerificationError } from "../errors/webhook.js";
import { describeError } from "../internal/logger.js";
import { nodeCrypto } from "../internal/node-crypto.js";
import { header, query, type WebhookRequest, type WebhookResponse } from "./adapters.js";
import { type ParsedItem, parseWebhookPayload } from "./parse.js";
import { type RawBody, verifyWebhookSignature } from "./verify.js";

export interface ReceiveDeps {
  appSecrets: readonly string[];
  verifyToken: string | undefined;
  maxBodyBytes: number;
  /** A refused request (bad signature, wrong verify token), for logging and the event. */
  onRejected(error: WebhookVerificationError): void;
}

/** What a request turned out to be: an answer already decided, or a delivery to process. */
export type Received =
  | { answer: WebhookResponse & { error?: WhatsAppError | Error } }
  | { items: ParsedItem[] };

const TEXT = { "content-type": "text/plain; charset=utf-8" };
const utf8 = new TextDecoder();

export function answer(
  status: number,
  body: string,
  headers: Record<string, string> = {},
  error?: WhatsAppError | Error,
): WebhookResponse & { error?: WhatsAppError | Error } {
  return { status, body, headers: { ...TEXT, ...headers }, ...(error !== undefined && { error }) };
}

/** Take one webhook request as far as its parsed events. */
export function receive(request: WebhookRequest, deps: ReceiveDeps, now: number): Received {
  const method = String(request.method ?? "").toUpperCase();
  if (method === "GET") return { answer: handshake(request, deps) };
  if (method !== "POST") return { answer: answer(405, "Method Not Allowed", { allow: "GET, POST" }) };
  const raw = request.rawBody;
  const size =
    typeof raw === "string"
      ? Buffer.byteLength(raw)
      : raw instanceof Uint8Array || raw instanceof ArrayBuffer
        ? raw.byteLength
        : 0;
  if (size > deps.maxBodyBytes) return { answer: answer(413, "Payload Too Large") };
  let bytes: Uint8Array;
  try {
    bytes = verifyWebhookSignature(
      raw as RawBody,
      header(request.headers, "x-hub-signature-256"),
      deps.appSecrets,
    );
  } catch (error) {
    if (!isWebhookVerificationError(error)) throw error;
    deps.onRejected(error);
    return { answer: answer(error.status, error.status === 401 ? "Unauthorized" : "Forbidden", {}, error) };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(typeof raw === "string" ? raw : utf8.decode(bytes));
  } catch (error) {
    return { answer: answer(400, "Bad Request: the body is not JSON", {}, error as Error) };
  }
  try {
    return { items: parseWebhookPayload(payload, now) };
  } catch (error) {
    // The parser never throws for content it was written for; anything else is kept, not lost.
    return {
      items: [
        {
          key: `u:${now}:${Math.random()}`,
          event: { kind: "unknown", reason: `unparseable payload: ${describeError(error)}`, value: payload },
        },
      ],
    };
  }
}

function handshake(request: WebhookRequest, deps: ReceiveDeps): WebhookResponse {
  const q = query(request.query);
  const token = deps.verifyToken;
  const given = q("hub.verify_token");
  const challenge = q("hub.challenge");
  if (q("hub.mode") !== "subscribe" || challenge === undefined) {
    return answer(400, "Bad Request: expected hub.mode=subscribe and hub.challenge");
  }
  if (token === undefined || given === undefined || !sameText(given, token)) {
    const error = new WebhookVerificationError(
      "verify_token_mismatch",
      token === undefined
        ? "Cannot answer Meta's verification request: set verifyToken (or WHATSAPP_VERIFY_TOKEN) on the client"
        : "hub.verify_token does not match the configured verifyToken",
    );
    deps.onRejected(error);
    return answer(403, "Forbidden", {}, error);
  }
  return answer(200, challenge);
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && nodeCrypto().timingSafeEqual(x, y);
}
