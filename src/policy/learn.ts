/**
 * What Meta's answers teach the policy state: an error code opens a restriction, records a block
 * or an opt-out, closes a window or makes the template list stale; identifiers Meta names
 * together are linked; the messaging limit Meta reports is kept. Kept whether the guards are on
 * or off (`policy: false`): webhooks and send errors keep the stores true either way.
 */
import type { OutboundMessage } from "../api/schemas/outbound.js";
import type { MessageTemplate } from "../api/templates.js";
import { isGraphApiError } from "../errors/graph.js";
import { isStoreUnavailableError } from "../errors/store.js";
import { distinctRecipientKeys } from "../internal/recipients.js";
import { HealthLevels, type RestrictionLevel, type RestrictionScope } from "../state/account-health.js";
import type { Clock } from "../state/clock.js";
import { appendOnce, type ConsentEvent, storable } from "../state/consent.js";
import type { StoreRegistry } from "../state/registry.js";
import { marketingHoldKey, tierFromMeta } from "./limits.js";
import { parseRecipient } from "./recipient.js";
import { TemplateCache, type TemplateCacheOptions } from "./template-cache.js";

const HOUR = 60 * 60 * 1000;
/** How long a restriction learnt from an error answer stays open, by Graph code. */
const RESTRICT_ON: Record<number, { scope: RestrictionScope; ms: number; level: RestrictionLevel }> = {
  // The WABA restricted or disabled, the account locked: no number of it can send.
  368: { scope: "all", ms: 24 * HOUR, level: "waba" },
  131031: { scope: "all", ms: 24 * HOUR, level: "waba" },
  // Meta's spam rate limit is on the number that sent.
  131048: { scope: "business_initiated", ms: HOUR, level: "phone_number" },
  // Classification violations limit template and direct (free-form) sends alike, for the
  // business account whose templates were misclassified.
  131064: { scope: "all", ms: 24 * HOUR, level: "waba" },
};
/** A 130429 storm: this many within a minute pauses every send for 30 s. */
const STORM = { count: 3, withinMs: 60_000, pauseMs: 30_000 };

/** The policy state of one client: its stores, its template cache, and what Meta's answers teach them. */
export class PolicyState {
  /** The templates the template guard checks against. */
  readonly templates: TemplateCache;
  /** The number's restrictions and its WABA's, read together by the account-health guard. */
  readonly health: HealthLevels;
  /**
   * The messaging limit (unique users per 24 hours) last read or reported, for `tier: "auto"`;
   * `at`: when. Written by a webhook (`setMessagingLimit`) and by the guard's own hourly read.
   */
  messagingLimit: { value: number; at: number } | undefined;
  readonly #clock: Clock;

  constructor(
    readonly stores: StoreRegistry,
    deps: { clock: Clock; loadTemplates: () => AsyncIterable<MessageTemplate> },
    templateOptions?: TemplateCacheOptions,
  ) {
    this.#clock = deps.clock;
    this.health = new HealthLevels(stores.accountHealth, stores.wabaHealth);
    this.templates = new TemplateCache(deps.loadTemplates, deps.clock, templateOptions, stores.templates);
  }

  /** Learn from Meta's answer to a send: blocks, marketing opt-outs, stale templates. */
  async learnFromError(message: OutboundMessage, error: unknown): Promise<void> {
    if (!isGraphApiError(error)) return;
    await this.learnFromCode(error.graphCode, parseRecipient(message.to)?.key ?? message.to);
  }

  /**
   * Learn from a Graph error code about a send to `key` (a canonical recipient id), whether it
   * came back in the response or later in a failed status webhook (`at`: when Meta reported
   * it). Returns what it recorded.
   */
  async learnFromCode(
    code: number,
    key?: string,
    at?: number,
    /**
     * Whose send it was (a status webhook names the number that sent): another number of the
     * WABA teaches only what is the WABA's and the business's (its restrictions, opt-outs,
     * templates); another WABA's number only the business's (opt-outs).
     */
    about: { phoneNumber: boolean; waba: boolean; messageId?: string } = { phoneNumber: true, waba: true },
  ): Promise<"blocked" | "opted-out" | undefined> {
    const now = this.#clock.now();
    // When Meta reported it (a status redelivered days later must not open a fresh restriction).
    const when = Math.min(at ?? now, now);
    const ours = about.phoneNumber && about.waba;
    if (code === 131050 && key !== undefined) {
      // The person's marketing opt-out: consent belongs to the business, whichever number heard it.
      const event: ConsentEvent = {
        key,
        action: "revoke",
        scope: "marketing",
        source: "meta:131050",
        // Meta's time as written: a withdrawal dated later (Meta's clock ahead) is the strict side.
        at: at ?? now,
      };
      // A failed status names the message: its proof, and recorded once, so a status replayed
      // after the de-duplication window does not come out after a resume of the same second.
      if (about.messageId === undefined) await this.stores.consent.append(event);
      else await appendOnce(this.stores.consent, { ...event, proof: storable(about.messageId) });
      return "opted-out";
    }
    // Meta's per-user marketing limit (the person's, across businesses): no marketing to this
    // person for 24 hours (frequency guard), whichever number was told.
    if (code === 131049 && key !== undefined) {
      // Every failure is recorded (room for many): the hold lasts 24 hours from the latest one.
      await this.stores.rateLimits.window(marketingHoldKey(key), 1_000, 24 * HOUR, when, true);
      return undefined;
    }
    if (!about.waba) return undefined;
    const restrict = RESTRICT_ON[code];
    if (restrict && (restrict.level === "waba" || ours)) {
      await this.health.of(restrict.level).open({
        scope: restrict.scope,
        source: `graph:${code}`,
        since: when,
        until: when + restrict.ms,
      });
    }
    // Another number's template answers still say the WABA's list is stale.
    if ([132001, 132012, 132015, 132016].includes(code))
      await this.templates.invalidate().catch(() => undefined);
    if (!ours) return undefined;
    if (code === 130429) {
      this.#storm = this.#storm.filter((t) => t > now - STORM.withinMs);
      this.#storm.push(now);
      if (this.#storm.length >= STORM.count) {
        await this.stores.accountHealth.open({
          scope: "throughput",
          source: "graph:130429 storm",
          since: now,
          until: now + STORM.pauseMs,
        });
        this.#storm = [];
      }
    }
    if (key === undefined) return undefined;
    // Meta says the person's window is closed: whatever this side recorded, free-form messages
    // are refused until they write again (under every identifier of the person).
    if (code === 131047) {
      const close = this.stores.sessionWindows.close?.bind(this.stores.sessionWindows);
      if (close) await Promise.all((await this.stores.identity.aliases(key)).map((k) => close(k, when)));
      return undefined;
    }
    if (code === 130403) {
      // A mirror that refuses more entries (a bounded memory store) keeps what it has: Meta keeps
      // refusing this user, and the answer must still be learnt from the rest.
      await this.stores.blockMirror.add([key]).catch((error: unknown) => {
        if (!isStoreUnavailableError(error) || error.unreachable) throw error;
      });
      return "blocked";
    }
    return undefined;
  }

  /**
   * Record that Meta named one person by these identifiers (a phone number, BSUIDs; any form —
   * they are made canonical, and what is not a recipient is dropped). A no-op for fewer than two.
   */
  async link(ids: ReadonlyArray<string | undefined>, at: number, source: string): Promise<void> {
    const keys = distinctRecipientKeys(ids);
    if (keys === undefined) return;
    await this.stores.identity.link(keys, { at, source });
  }

  /** Take the messaging limit Meta reported (`TIER_2K`, …) for `tier: "auto"`, without asking. */
  setMessagingLimit(metaValue: string): void {
    if (!/^TIER_(\d+K?|UNLIMITED)$/.test(metaValue)) return;
    this.messagingLimit = { value: tierFromMeta(metaValue), at: this.#clock.now() };
  }

  #storm: number[] = [];
}
