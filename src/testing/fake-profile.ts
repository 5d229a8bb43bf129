/** The fake's WhatsApp business profile (`/<PHONE_NUMBER_ID>/whatsapp_business_profile`). */
import type { TransportResponse } from "../transport/types.js";
import { errorResponse, jsonResponse } from "./fake-errors.js";

export interface FakeBusinessProfile {
  about?: string;
  address?: string;
  description?: string;
  email?: string;
  websites?: string[];
  vertical?: string;
  profile_picture_url?: string;
}

const LIMITS: Record<string, number> = { about: 139, address: 256, description: 512, email: 128 };

/** Handle GET and POST as Meta does: a profile of the fields set, updates checked against Meta's limits. */
export function handleProfile(
  profile: FakeBusinessProfile,
  method: string,
  body: unknown,
  /** The file behind a Resumable Upload handle, when the fake gave it out. */
  uploaded: (handle: string) => { type: string } | undefined = () => undefined,
): TransportResponse {
  if (method === "GET") return jsonResponse({ data: [{ ...profile, messaging_product: "whatsapp" }] });
  if (method !== "POST") return errorResponse({ code: 100, details: `Unsupported method ${method}` });
  const b = (body ?? {}) as Record<string, unknown>;
  if (b["messaging_product"] !== "whatsapp")
    return errorResponse({ code: 100, details: "The parameter messaging_product is required." });
  const invalid = (details: string) => errorResponse({ code: 100, message: "Invalid parameter", details });
  for (const [field, max] of Object.entries(LIMITS)) {
    const v = b[field];
    if (v === undefined) continue;
    if (typeof v !== "string" || v.length > max)
      return invalid(`Param ${field} must be a string of at most ${max} characters`);
    if (field === "about" && v.length === 0) return invalid("Param about must be at least 1 character long");
  }
  const websites = b["websites"];
  if (
    websites !== undefined &&
    (!Array.isArray(websites) ||
      websites.length > 2 ||
      websites.some((w) => typeof w !== "string" || w.length > 256 || !/^https?:\/\//i.test(w)))
  )
    return invalid("Param websites must hold at most 2 URLs starting with http:// or https://");
  const next: FakeBusinessProfile = { ...profile };
  for (const field of ["about", "address", "description", "email", "vertical"] as const) {
    if (typeof b[field] === "string") next[field] = b[field] as string;
  }
  if (Array.isArray(websites)) next.websites = websites as string[];
  const handle = b["profile_picture_handle"];
  if (handle !== undefined) {
    // Only a handle the Resumable Upload API gave out for a picture.
    const file = typeof handle === "string" ? uploaded(handle) : undefined;
    if (!file) return invalid("Param profile_picture_handle is not a valid uploaded file handle");
    if (!/^image\/(jpeg|jpg|png)$/.test(file.type))
      return invalid(`Param profile_picture_handle must be an image (JPEG or PNG), got ${file.type}`);
    next.profile_picture_url = `https://pps.whatsapp.net/fake/${encodeURIComponent(handle as string)}.jpg`;
  }
  Object.assign(profile, next);
  return jsonResponse({ success: true });
}
