import type { Logger } from "../internal/logger.js";
import type { Clock } from "../state/clock.js";
import type { Transport, TransportTimeouts } from "../transport/types.js";

/**
 * The resolved options the Graph API layer works with (the connection: who, where, how long,
 * how often; validated and defaulted by `resolveOptions` in `src/options.ts`). Declared here so
 * the HTTP layer does not import the client's options module above it.
 */
export interface ResolvedConnection {
  accessToken: string;
  phoneNumberId: string | undefined;
  wabaId: string | undefined;
  /** Every accepted app secret (empty when none is configured): redacted from everything logged. */
  appSecrets: string[];
  /** Redacted from everything logged. */
  verifyToken: string | undefined;
  apiVersion: string;
  baseUrl: string;
  timeouts: TransportTimeouts;
  maxRetries: number;
  maxRetryAfterMs: number;
  transport: Transport | undefined;
  clock: Clock | undefined;
  logger: Logger | undefined;
}
