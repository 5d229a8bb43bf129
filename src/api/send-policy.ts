import type { OutboundMessage } from "./schemas/outbound.js";

/** What `enforce` hands back: `release()` forgets the send when it did not go out. */
export interface SendTicket {
  /** Forget the send in the history (frequency caps, messaging limit): it did not go out. */
  release(): Promise<void>;
  /** Give back the throughput and pair-rate units it took: the request never reached Meta. */
  returnCapacity(): Promise<void>;
}

/**
 * What a send needs from the policy (the guard engine, `Policy` in `policy/pipeline.ts`, implements
 * it): declared here so the api layer does not import the policy layer above it.
 */
export interface SendPolicy {
  /** Run the guards before a send: throws the most specific violation; the ticket undoes what the send took. */
  enforce(message: OutboundMessage, options?: { signal?: AbortSignal }): Promise<SendTicket>;
  /** Check again, consuming nothing, what may have changed while the send waited (before a retry). */
  recheck(message: OutboundMessage): Promise<void>;
  /** Learn from Meta's error answer to the send (blocks, opt-outs, restrictions, stale templates). */
  learnFromError(message: OutboundMessage, error: unknown): Promise<void>;
  /** Record that Meta named one person by these identifiers (the answer's contacts). */
  link(ids: ReadonlyArray<string | undefined>, at: number, source: string): Promise<void>;
}
