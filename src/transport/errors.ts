import {
  isTransportError,
  TransportError,
  type TransportFailure,
  type TransportOutcome,
} from "../errors/transport.js";
import { describeError } from "../internal/logger.js";

/** Codes that mean no byte of the request reached the server. */
const NOT_SENT: Record<string, TransportFailure> = {
  ECONNREFUSED: "connect",
  ENOTFOUND: "dns",
  EAI_AGAIN: "dns",
  EHOSTUNREACH: "connect",
  ENETUNREACH: "connect",
  EHOSTDOWN: "connect",
  ENETDOWN: "connect",
  EADDRNOTAVAIL: "connect",
  UND_ERR_CONNECT_TIMEOUT: "connect_timeout",
  UND_ERR_CONNECT: "connect",
};

/** Codes after which the request may have been processed. */
const UNKNOWN: Record<string, TransportFailure> = {
  UND_ERR_HEADERS_TIMEOUT: "headers_timeout",
  UND_ERR_BODY_TIMEOUT: "body_timeout",
  UND_ERR_SOCKET: "reset",
  ECONNRESET: "reset",
  EPIPE: "reset",
  UND_ERR_CLOSED: "reset",
  UND_ERR_ABORTED: "aborted",
};

function codeOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Classify a low-level HTTP failure. `sentBeforeAbort` says whether the request had been handed
 * to the network when an abort happened.
 */
export function toTransportError(
  error: unknown,
  context: { method: string; path: string; abortedBeforeDispatch?: boolean; dispatched?: boolean },
): TransportError {
  if (isTransportError(error)) return error;
  const code = codeOf(error);
  const name = (error as { name?: unknown } | null)?.name;
  let outcome: TransportOutcome = "unknown";
  let reason: TransportFailure = "other";
  if (context.dispatched === false || code === "UND_ERR_INVALID_ARG" || code === "ERR_INVALID_ARG_TYPE") {
    // Failed while preparing the request (loading undici, encoding the body, bad arguments).
    outcome = "not_sent";
    reason = "invalid_request";
  } else if (code && code in NOT_SENT) {
    outcome = "not_sent";
    reason = NOT_SENT[code] as TransportFailure;
  } else if (
    code?.startsWith("ERR_TLS") ||
    code?.startsWith("CERT_") ||
    code === "DEPTH_ZERO_SELF_SIGNED_CERT"
  ) {
    outcome = "not_sent";
    reason = "connect";
  } else if (code && code in UNKNOWN) {
    reason = UNKNOWN[code] as TransportFailure;
  } else if (name === "TimeoutError") {
    reason = "timeout";
  } else if (name === "AbortError") {
    reason = "aborted";
  }
  if (reason === "aborted" && context.abortedBeforeDispatch) outcome = "not_sent";
  const detail = code ?? (error instanceof Error ? error.message : describeError(error));
  const what = outcome === "not_sent" ? "was not sent" : "may have reached Meta (outcome unknown)";
  return new TransportError(
    `${context.method} ${context.path} failed (${reason}: ${detail}); the request ${what}`,
    {
      outcome,
      reason,
      cause: error,
      method: context.method,
      path: context.path,
    },
  );
}
