import { path } from "../internal/path.js";
import type { AccountHealthStore, Restriction, RestrictionScope } from "../state/account-health.js";
import type { GraphHttp } from "./http.js";
import { requirePhoneNumberId } from "./ids.js";
import { type PhoneNumberResponse, phoneNumberResponse } from "./schemas/responses.js";

/** Health and limits of the business phone number. Values are Meta's, unmapped. */
export interface PhoneNumberInfo {
  /** The phone number id. */
  id: string;
  /** The display name Meta verified. */
  verifiedName?: string;
  /** The number as shown, e.g. `15550783881`. */
  displayPhoneNumber?: string;
  /** `GREEN`, `YELLOW`, `RED` (or `UNKNOWN`). */
  qualityRating?: string;
  /** `CONNECTED` is required to send. */
  status?: string;
  nameStatus?: string;
  codeVerificationStatus?: string;
  platformType?: string;
  /** `STANDARD` (80 msg/s) or `HIGH` (up to 1,000 msg/s). */
  throughputLevel?: string;
  /** `TIER_250`, `TIER_2K`, `TIER_10K`, `TIER_100K`, `TIER_UNLIMITED`, … */
  messagingLimit?: string;
  /** The response as Meta sent it, including fields not mapped above. */
  raw: PhoneNumberResponse;
}

const FIELDS =
  "id,verified_name,display_phone_number,quality_rating,status,name_status,code_verification_status,platform_type,throughput,whatsapp_business_manager_messaging_limit";

export function toPhoneNumberInfo(raw: PhoneNumberResponse): PhoneNumberInfo {
  const info: PhoneNumberInfo = { id: raw.id, raw };
  const set = <K extends keyof PhoneNumberInfo>(key: K, value: PhoneNumberInfo[K] | undefined) => {
    if (value !== undefined) info[key] = value;
  };
  set("verifiedName", raw.verified_name);
  set("displayPhoneNumber", raw.display_phone_number);
  set("qualityRating", raw.quality_rating);
  set("status", raw.status);
  set("nameStatus", raw.name_status);
  set("codeVerificationStatus", raw.code_verification_status);
  set("platformType", raw.platform_type);
  set("throughputLevel", raw.throughput?.level);
  set("messagingLimit", raw.whatsapp_business_manager_messaging_limit ?? raw.messaging_limit_tier);
  return info;
}

export interface AccountHealth {
  /** Restrictions in force now: what they stop, why, and until when. */
  restrictions: Restriction[];
  /** The phone number as Meta reports it, when `refresh: true`. */
  phoneNumber?: PhoneNumberInfo;
}

/** `wa.account`: the business phone number's health and limits. */
const HOUR = 60 * 60 * 1000;

export class Account {
  constructor(
    private readonly http: GraphHttp,
    private readonly store?: AccountHealthStore,
  ) {}

  /**
   * Restrictions the policy enforces now (learnt from 368 / 131031 / 131048 / 131064 answers,
   * 130429 storms, account_update webhooks and quality). With `refresh: true` the phone number
   * is read from Meta too: a RED quality rating pauses marketing for an hour, YELLOW slows it
   * for an hour (see `throughput.marketingShareWhenSlowed`), GREEN lifts the slowdown.
   */
  async health(options: { refresh?: boolean; signal?: AbortSignal } = {}): Promise<AccountHealth> {
    const out: AccountHealth = { restrictions: [] };
    const now = this.http.clock.now();
    if (options.refresh) {
      out.phoneNumber = await this.phoneNumber(options.signal ? { signal: options.signal } : {});
      const quality = out.phoneNumber.qualityRating;
      if (quality === "RED") {
        await this.store?.open({ scope: "marketing", source: "quality:RED", since: now, until: now + HOUR });
      } else if (quality === "YELLOW") {
        await this.store?.open({
          scope: "marketing_slow",
          source: "quality:YELLOW",
          since: now,
          until: now + HOUR,
        });
      } else if (quality === "GREEN") await this.store?.close("marketing_slow", now, "quality:YELLOW");
    }
    out.restrictions = (await this.store?.active(now)) ?? [];
    return out;
  }

  /** Record a restriction (the webhook handler calls this for account_update events). */
  async restrict(restriction: Omit<Restriction, "since"> & { since?: number }): Promise<void> {
    await this.store?.open({ ...restriction, since: restriction.since ?? this.http.clock.now() });
  }

  /**
   * Lift a restriction early (e.g. after an account_update reinstatement). `at` is when the lift
   * happened (Meta's time; default now): a restriction that began after it stays in force. With
   * `source`, only a restriction opened by that source is lifted.
   */
  async clearRestriction(scope: RestrictionScope, at?: number, source?: string): Promise<void> {
    await this.store?.close(scope, at ?? this.http.clock.now(), source);
  }

  /** Quality rating, throughput level, messaging limit, status and names of the phone number. */
  async phoneNumber(options: { fields?: string[]; signal?: AbortSignal } = {}): Promise<PhoneNumberInfo> {
    const raw = await this.http.request({
      method: "GET",
      path: path`/${requirePhoneNumberId(this.http)}`,
      query: { fields: options.fields ? ["id", ...options.fields].join(",") : FIELDS },
      schema: phoneNumberResponse,
      idempotent: true,
      ...(options.signal && { signal: options.signal }),
    });
    return toPhoneNumberInfo(raw);
  }
}
