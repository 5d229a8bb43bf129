import * as z from "zod/mini";
import type { Assert, Same } from "../../internal/type-equal.js";
import { lazy, withFastPath } from "../../internal/validate.js";
import { type HealthStatusPayload, healthStatusSchema } from "../health.js";

/**
 * Response shapes. Every object is loose: unknown fields Meta adds later are kept, never a
 * reason to fail. Only the fields wa-guard relies on are required. Each response lists its own
 * fields as Meta documents them, so runs of `z.optional(z.string())` repeat by design.
 */

const code = lazy(() =>
  z.pipe(
    z.union([z.number(), z.string()]),
    z.transform((v) => (typeof v === "number" ? v : Number.parseInt(v, 10) || -1)),
  ),
);

const maybeString = lazy(() =>
  z.pipe(
    z.unknown(),
    z.transform((v) => (typeof v === "string" ? v : undefined)),
  ),
);
/** Any object with a code is a Graph error; every other field is taken when usable, never a reason to fail. */
export const graphErrorObject = lazy(() =>
  z.looseObject({
    code,
    message: z.optional(maybeString),
    type: z.optional(maybeString),
    title: z.optional(maybeString),
    error_subcode: z.optional(
      z.pipe(
        z.unknown(),
        z.transform((v) =>
          typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : undefined,
        ),
      ),
    ),
    error_data: z.optional(z.unknown()),
    fbtrace_id: z.optional(maybeString),
    href: z.optional(maybeString),
  }),
);

export const graphErrorEnvelope = lazy(() => z.looseObject({ error: graphErrorObject }));

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const optionalString = (v: unknown) => v === undefined || typeof v === "string";

/** Same acceptance as `sendMessageResponse`, without zod, for the hot send path. */
export function isSendMessageResponse(v: unknown): boolean {
  if (!isObject(v) || !optionalString(v["messaging_product"])) return false;
  const messages = v["messages"];
  if (!Array.isArray(messages) || messages.length === 0) return false;
  for (const m of messages)
    if (!isObject(m) || typeof m["id"] !== "string" || !optionalString(m["message_status"])) return false;
  const contacts = v["contacts"];
  if (contacts === undefined) return true;
  if (!Array.isArray(contacts)) return false;
  for (const c of contacts) {
    if (
      !isObject(c) ||
      typeof c["input"] !== "string" ||
      !optionalString(c["wa_id"]) ||
      !optionalString(c["user_id"])
    )
      return false;
  }
  return true;
}

export const sendMessageResponse = withFastPath(
  lazy(() =>
    z.looseObject({
      messaging_product: z.optional(z.string()),
      contacts: z.optional(
        z.array(
          z.looseObject({
            input: z.string(),
            wa_id: z.optional(z.string()),
            user_id: z.optional(z.string()),
          }),
        ),
      ),
      messages: z
        .array(z.looseObject({ id: z.string(), message_status: z.optional(z.string()) }))
        .check(z.minLength(1)),
    }),
  ),
  isSendMessageResponse,
);

/** `{ "success": true }`; `false` is not a success. */
export const successResponse = lazy(() => z.looseObject({ success: z.literal(true) }));

const paging = lazy(() =>
  z.optional(
    z.looseObject({
      cursors: z.optional(z.looseObject({ before: z.optional(z.string()), after: z.optional(z.string()) })),
      next: z.optional(z.string()),
      previous: z.optional(z.string()),
    }),
  ),
);

export const templateComponent = lazy(() => z.looseObject({ type: z.string() }));

export const templateObject = lazy(() =>
  z.looseObject({
    id: z.string(),
    name: z.optional(z.string()),
    language: z.optional(z.string()),
    status: z.optional(z.string()),
    category: z.optional(z.string()),
    sub_category: z.optional(z.string()),
    parameter_format: z.optional(z.string()),
    components: z.optional(z.array(templateComponent)),
    quality_score: z.optional(z.looseObject({ score: z.string(), date: z.optional(z.number()) })),
    rejected_reason: z.optional(z.string()),
  }),
);

export const templateListResponse = lazy(() => z.looseObject({ data: z.array(templateObject), paging }));

export const createTemplateResponse = lazy(() =>
  z.looseObject({
    id: z.string(),
    status: z.optional(z.string()),
    category: z.optional(z.string()),
  }),
);

/** A phone number is answered with `wa_id`, a BSUID with `user_id` (and no `wa_id`). */
const blockUserEntry = lazy(() =>
  z.looseObject({
    input: z.string(),
    wa_id: z.optional(z.string()),
    user_id: z.optional(z.string()),
  }),
);
export const blockUsersResponse = lazy(() =>
  z.looseObject({
    messaging_product: z.optional(z.string()),
    block_users: z.looseObject({
      added_users: z.optional(z.array(blockUserEntry)),
      removed_users: z.optional(z.array(blockUserEntry)),
      failed_users: z.optional(
        z.array(
          z.looseObject({
            input: z.string(),
            wa_id: z.optional(z.string()),
            user_id: z.optional(z.string()),
            errors: z.optional(z.array(graphErrorObject)),
          }),
        ),
      ),
    }),
    error: z.optional(graphErrorObject),
  }),
);

/**
 * `wa_id` is omitted for a user whose number cannot be shared; `user_id` (the BSUID) is there
 * instead. An entry with neither names nobody: the page is refused rather than a block forgotten.
 */
export const blockListResponse = lazy(() =>
  z.looseObject({
    data: z.array(
      z
        .looseObject({
          wa_id: z.optional(z.string()),
          user_id: z.optional(z.string()),
          messaging_product: z.optional(z.string()),
        })
        .check(
          z.refine(
            (e) => e.wa_id !== undefined || e.user_id !== undefined,
            "a blocked user needs a wa_id or a user_id",
          ),
        ),
    ),
    paging,
  }),
);

export const phoneNumberResponse = lazy(() =>
  z.looseObject({
    id: z.string(),
    verified_name: z.optional(z.string()),
    display_phone_number: z.optional(z.string()),
    quality_rating: z.optional(z.string()),
    status: z.optional(z.string()),
    name_status: z.optional(z.string()),
    code_verification_status: z.optional(z.string()),
    platform_type: z.optional(z.string()),
    throughput: z.optional(z.looseObject({ level: z.optional(z.string()) })),
    whatsapp_business_manager_messaging_limit: z.optional(z.string()),
    messaging_limit_tier: z.optional(z.string()),
    health_status: z.optional(healthStatusSchema),
  }),
);

export const mediaUploadResponse = lazy(() => z.looseObject({ id: z.string() }));

export const mediaInfoResponse = lazy(() =>
  z.looseObject({
    id: z.string(),
    url: z.string(),
    mime_type: z.optional(z.string()),
    sha256: z.optional(z.string()),
    file_size: z.optional(z.union([z.number(), z.string()])),
    messaging_product: z.optional(z.string()),
  }),
);

export type SendMessageResponse = z.infer<typeof sendMessageResponse>;
export type TemplateObject = z.infer<typeof templateObject>;
export type BlockUsersResponse = z.infer<typeof blockUsersResponse>;
/** `GET /<PHONE_NUMBER_ID>` as Meta answers it (snake_case); fields Meta adds later are kept. */
export interface PhoneNumberResponse {
  id: string;
  verified_name?: string | undefined;
  display_phone_number?: string | undefined;
  /** `GREEN`, `YELLOW`, `RED` or `UNKNOWN`. */
  quality_rating?: string | undefined;
  status?: string | undefined;
  name_status?: string | undefined;
  code_verification_status?: string | undefined;
  /** `CLOUD_API` for a Cloud API number. */
  platform_type?: string | undefined;
  /** `{ level: "STANDARD" }` (80 messages/s) or `HIGH` (up to 1,000). */
  throughput?: { level?: string | undefined; [field: string]: unknown } | undefined;
  /** The portfolio's messaging limit: `TIER_250`, `TIER_2K`, `TIER_10K`, `TIER_100K`, `TIER_UNLIMITED`. */
  whatsapp_business_manager_messaging_limit?: string | undefined;
  /** Deprecated by Meta in favour of `whatsapp_business_manager_messaging_limit`. */
  messaging_limit_tier?: string | undefined;
  /** Meta's messaging health status, when the `health_status` field was asked for. */
  health_status?: HealthStatusPayload | undefined;
  [field: string]: unknown;
}
/** Fails to compile when the interface and the schema drift apart. */
export type PhoneNumberResponseMatchesSchema = Assert<
  Same<PhoneNumberResponse, z.infer<typeof phoneNumberResponse>>
>;
export type GraphErrorObject = z.infer<typeof graphErrorObject>;
