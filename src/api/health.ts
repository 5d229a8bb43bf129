/**
 * Meta's messaging health status (`GET /<NODE_ID>?fields=health_status`): whether the phone
 * number, its WABA, the business portfolio and the app can send, and why not.
 */
import * as z from "zod/mini";
import type { Assert, Same } from "../internal/type-equal.js";
import { lazy } from "../internal/validate.js";

/**
 * Whether a node can send messages:
 * - `AVAILABLE`: it meets every messaging requirement;
 * - `LIMITED`: it can send, with some limitation (see `additionalInfo`);
 * - `BLOCKED`: it cannot send (see `errors` for the reason and a possible solution).
 *
 * The overall status is BLOCKED when any node is blocked, else LIMITED when any is limited.
 */
export type MessagingAvailability = "AVAILABLE" | "LIMITED" | "BLOCKED" | (string & {});

/** Why a node is blocked, as Meta words it. */
export interface HealthIssue {
  /** Meta's error code (e.g. 141006 for a payment method problem); 0 when Meta sent none. */
  code: number;
  /** What is wrong. */
  description: string;
  /** What Meta suggests doing about it. */
  possibleSolution?: string;
}

/** One node of the messaging path and its status. */
export interface HealthEntity {
  /** `PHONE_NUMBER`, `WABA`, `BUSINESS`, `APP` (or `MESSAGE_TEMPLATE` when a template was asked). */
  type: "PHONE_NUMBER" | "WABA" | "BUSINESS" | "APP" | "MESSAGE_TEMPLATE" | (string & {});
  id: string;
  canSendMessage: MessagingAvailability;
  /** Present when the node is BLOCKED: the reasons, with Meta's suggested fix. */
  errors: HealthIssue[];
  /** Present when the node is LIMITED: what the limitation is. */
  additionalInfo: string[];
}

/** The health status of the messaging path of this phone number. */
export interface MessagingHealth {
  /** BLOCKED if any node is blocked, LIMITED if any is limited, else AVAILABLE. */
  canSendMessage: MessagingAvailability;
  entities: HealthEntity[];
}

// Built with the schema that uses it, on first use, not when the entry is imported.
const issue = () =>
  z.looseObject({
    error_code: z.optional(z.union([z.number(), z.string()])),
    code: z.optional(z.union([z.number(), z.string()])),
    error_description: z.optional(z.string()),
    description: z.optional(z.string()),
    possible_solution: z.optional(z.string()),
  });

/** Meta's `health_status` object. Unknown fields and values pass through. */
export const healthStatusSchema = lazy(() =>
  z.looseObject({
    can_send_message: z.string(),
    entities: z.optional(
      z.array(
        z.looseObject({
          entity_type: z.string(),
          id: z.union([z.string(), z.number()]),
          can_send_message: z.string(),
          errors: z.optional(z.array(issue())),
          // Meta documents a list of strings; a single string is accepted too.
          additional_info: z.optional(z.union([z.array(z.string()), z.string()])),
        }),
      ),
    ),
  }),
);
/** Meta's `health_status` object as it arrives (unknown fields pass through). */
export interface HealthStatusPayload {
  /** `AVAILABLE`, `LIMITED` or `BLOCKED`: the overall status. */
  can_send_message: string;
  entities?:
    | Array<{
        /** `PHONE_NUMBER`, `WABA`, `BUSINESS`, `APP`, `MESSAGE_TEMPLATE`. */
        entity_type: string;
        id: string | number;
        can_send_message: string;
        /** For a BLOCKED node. */
        errors?:
          | Array<{
              error_code?: string | number | undefined;
              code?: string | number | undefined;
              error_description?: string | undefined;
              description?: string | undefined;
              possible_solution?: string | undefined;
              [field: string]: unknown;
            }>
          | undefined;
        /** For a LIMITED node. */
        additional_info?: string[] | string | undefined;
        [field: string]: unknown;
      }>
    | undefined;
  [field: string]: unknown;
}
/** Fails to compile when the interface and the schema drift apart. */
export type HealthStatusPayloadMatchesSchema = Assert<
  Same<HealthStatusPayload, z.infer<typeof healthStatusSchema>>
>;

export function toMessagingHealth(raw: HealthStatusPayload): MessagingHealth {
  return {
    canSendMessage: raw.can_send_message,
    entities: (raw.entities ?? []).map((e) => ({
      type: e.entity_type,
      id: String(e.id),
      canSendMessage: e.can_send_message,
      errors: (e.errors ?? []).map((x) => {
        const out: HealthIssue = {
          code: Number(x.error_code ?? x.code ?? 0) || 0,
          description: x.error_description ?? x.description ?? "",
        };
        if (x.possible_solution !== undefined) out.possibleSolution = x.possible_solution;
        return out;
      }),
      additionalInfo:
        e.additional_info === undefined
          ? []
          : typeof e.additional_info === "string"
            ? [e.additional_info]
            : e.additional_info,
    })),
  };
}
