import type { Clock } from "../state/clock.js";
import { type IdentityStore, MemoryIdentityStore } from "../state/identity.js";
import {
  lastInboundOf,
  type SessionWindowStore,
  windowClosesAt,
  windowOpen,
} from "../state/session-windows.js";
import { requireRecipientKey } from "./recipient.js";

/** `wa.sessions`: the 24-hour customer service windows. */
export class Sessions {
  constructor(
    private readonly windows: SessionWindowStore,
    private readonly clock: Clock,
    private readonly safetyMarginMs: number,
    private readonly identity: IdentityStore = new MemoryIdentityStore(),
  ) {}

  /** A user wrote (or called): open or refresh their window. Webhooks do this for you. */
  async recordInbound(from: string, at?: number): Promise<void> {
    await this.windows.recordInbound(requireRecipientKey(from), at ?? this.clock.now());
  }

  /** Whether a free-form message may be sent now, and until when. */
  async status(recipient: string): Promise<{ open: boolean; lastInboundAt?: number; expiresAt?: number }> {
    const last = await lastInboundOf(
      this.windows,
      await this.identity.aliases(requireRecipientKey(recipient)),
    );
    if (last === undefined) return { open: false };
    const expiresAt = windowClosesAt(last, this.safetyMarginMs) as number;
    return { open: windowOpen(last, this.clock.now(), this.safetyMarginMs), lastInboundAt: last, expiresAt };
  }
}
