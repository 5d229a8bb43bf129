/**
 * The WhatsApp business profile of the phone number (`/<PHONE_NUMBER_ID>/whatsapp_business_profile`):
 * what users see when they tap the business's name.
 */
import * as z from "zod/mini";
import { ValidationError } from "../errors/validation.js";
import { path } from "../internal/path.js";
import { check, formatIssues, lazy } from "../internal/validate.js";
import type { GraphHttp } from "./http.js";
import { requirePhoneNumberId } from "./ids.js";
import { type ResumableUploadOptions, ResumableUploads, type UploadedFile } from "./resumable-upload.js";
import { successResponse } from "./schemas/responses.js";

/**
 * The business's category. Meta's list: `AUTO`, `BEAUTY`, `APPAREL`, `EDU`, `ENTERTAIN`,
 * `EVENT_PLAN`, `FINANCE`, `GROCERY`, `GOVT`, `HOTEL`, `HEALTH`, `NONPROFIT`, `PROF_SERVICES`,
 * `RETAIL`, `TRAVEL`, `RESTAURANT`, `OTHER` (and `UNDEFINED` when none was chosen).
 */
export type BusinessVertical =
  | "AUTO"
  | "BEAUTY"
  | "APPAREL"
  | "EDU"
  | "ENTERTAIN"
  | "EVENT_PLAN"
  | "FINANCE"
  | "GROCERY"
  | "GOVT"
  | "HOTEL"
  | "HEALTH"
  | "NONPROFIT"
  | "PROF_SERVICES"
  | "RETAIL"
  | "TRAVEL"
  | "RESTAURANT"
  | "OTHER"
  | "UNDEFINED"
  | (string & {});

/** The business profile as Meta returns it. Absent fields are unset. */
export interface BusinessProfile {
  /** The About text under the profile picture (1–139 characters). */
  about?: string;
  /** The business's address (≤ 256 characters). */
  address?: string;
  /** A longer description (≤ 512 characters). */
  description?: string;
  /** A contact e-mail (≤ 128 characters). */
  email?: string;
  /** Up to two websites, each `http://` or `https://`, ≤ 256 characters. */
  websites: string[];
  vertical?: BusinessVertical;
  /** A URL of the current profile picture (Meta's CDN); absent when there is none. */
  profilePictureUrl?: string;
}

/** What `profile.update` may change. Only the fields given are sent. */
export interface BusinessProfileUpdate {
  /** 1–139 characters; not empty. Emojis are allowed; links are not clickable; no markdown. */
  about?: string;
  /** ≤ 256 characters. */
  address?: string;
  /** ≤ 512 characters. */
  description?: string;
  /** A valid e-mail address, ≤ 128 characters. */
  email?: string;
  /** At most two, each starting with `http://` or `https://`, ≤ 256 characters. */
  websites?: string[];
  vertical?: BusinessVertical;
  /**
   * The handle of a picture uploaded with Meta's Resumable Upload API (`POST /<APP_ID>/uploads`,
   * then the upload session): a square JPEG or PNG.
   */
  profilePictureHandle?: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const WEBSITE = /^https?:\/\/\S+$/i;

const updateSchema = lazy(() =>
  z.strictObject({
    about: z.optional(
      z
        .string()
        .check(z.minLength(1, "must not be empty"), z.maxLength(139, "must be at most 139 characters")),
    ),
    address: z.optional(z.string().check(z.maxLength(256, "must be at most 256 characters"))),
    description: z.optional(z.string().check(z.maxLength(512, "must be at most 512 characters"))),
    email: z.optional(
      z
        .string()
        .check(
          z.maxLength(128, "must be at most 128 characters"),
          z.regex(EMAIL, "must be an e-mail address"),
        ),
    ),
    websites: z.optional(
      z
        .array(
          z
            .string()
            .check(
              z.maxLength(256, "must be at most 256 characters"),
              z.regex(WEBSITE, "must start with http:// or https://"),
            ),
        )
        .check(z.maxLength(2, "at most 2 websites")),
    ),
    vertical: z.optional(
      z.string().check(z.regex(/^[A-Z][A-Z_]{1,39}$/, "must be one of Meta's categories, e.g. RETAIL")),
    ),
    profilePictureHandle: z.optional(z.string().check(z.minLength(1, "must not be empty"))),
  }),
);

const profileResponse = lazy(() =>
  z.looseObject({
    data: z.array(
      z.looseObject({
        about: z.optional(z.string()),
        address: z.optional(z.string()),
        description: z.optional(z.string()),
        email: z.optional(z.string()),
        websites: z.optional(z.array(z.string())),
        vertical: z.optional(z.string()),
        profile_picture_url: z.optional(z.string()),
      }),
    ),
  }),
);

const FIELDS = "about,address,description,email,profile_picture_url,websites,vertical";

/** One thing a user would notice, or Meta would hold against the business, in its profile. */
export interface ProfileFinding {
  field:
    | "about"
    | "address"
    | "description"
    | "email"
    | "websites"
    | "vertical"
    | "profile_picture"
    | "display_name";
  /** `error`: inconsistent with the business or with wa-guard's own settings; `warning`: missing. */
  severity: "error" | "warning";
  message: string;
}

/** The result of `profile.check()`. */
export interface ProfileReport {
  /** No findings of severity `error`. */
  ok: boolean;
  findings: ProfileFinding[];
  profile: BusinessProfile;
  /** The display name and its review status (`APPROVED`, `PENDING_REVIEW`, `DECLINED`, …). */
  displayName: { verifiedName?: string; nameStatus?: string };
}

/** `wa.account.profile`: read, update and check the business profile. */
export class BusinessProfiles {
  constructor(
    private readonly http: GraphHttp,
    /** The content guard's link rules (allowDomains, shorteners), when the policy has them. */
    private readonly linkProblem: ((url: string) => string | undefined) | undefined,
    private readonly displayName: (
      signal?: AbortSignal,
    ) => Promise<{ verifiedName?: string; nameStatus?: string }>,
    private readonly uploads: ResumableUploads = new ResumableUploads(http),
  ) {}

  /** The profile as WhatsApp users see it. */
  async get(options: { signal?: AbortSignal } = {}): Promise<BusinessProfile> {
    const res = await this.http.request({
      method: "GET",
      path: path`/${requirePhoneNumberId(this.http)}/whatsapp_business_profile`,
      query: { fields: FIELDS },
      schema: profileResponse,
      idempotent: true,
      ...(options.signal && { signal: options.signal }),
    });
    const raw = res.data[0] ?? {};
    const out: BusinessProfile = { websites: raw.websites ?? [] };
    // The shape of toPhoneNumberInfo's field copy, kept apart: here an empty string is a field
    // the business cleared (Meta answers "" for it) and is left out, not copied.
    const set = <K extends keyof BusinessProfile>(key: K, value: BusinessProfile[K] | undefined) => {
      if (value !== undefined && value !== "") out[key] = value;
    };
    set("about", raw.about);
    set("address", raw.address);
    set("description", raw.description);
    set("email", raw.email);
    set("vertical", raw.vertical);
    set("profilePictureUrl", raw.profile_picture_url);
    return out;
  }

  /** Change the fields given, after checking Meta's limits (a `ValidationError` names each one broken). */
  async update(changes: BusinessProfileUpdate, options: { signal?: AbortSignal } = {}): Promise<void> {
    const result = check(updateSchema, changes);
    if (!result.ok)
      throw new ValidationError(`Invalid business profile: ${formatIssues(result.issues)}`, result.issues);
    const v = result.value;
    if (Object.keys(v).length === 0) throw new ValidationError("profile.update: nothing to change");
    await this.http.request({
      method: "POST",
      path: path`/${requirePhoneNumberId(this.http)}/whatsapp_business_profile`,
      json: {
        messaging_product: "whatsapp",
        ...(v.about !== undefined && { about: v.about }),
        ...(v.address !== undefined && { address: v.address }),
        ...(v.description !== undefined && { description: v.description }),
        ...(v.email !== undefined && { email: v.email }),
        ...(v.websites !== undefined && { websites: v.websites }),
        ...(v.vertical !== undefined && { vertical: v.vertical }),
        ...(v.profilePictureHandle !== undefined && { profile_picture_handle: v.profilePictureHandle }),
      },
      schema: successResponse,
      ...(options.signal && { signal: options.signal }),
    });
  }

  /**
   * Upload a picture (JPEG or PNG) through Meta's Resumable Upload API and make it the profile
   * picture. `appId` is the Meta app the client's token belongs to. Returns the upload's handle.
   */
  async setPicture(
    file: Uint8Array | Blob,
    options: Omit<ResumableUploadOptions, "type"> & { type: "image/jpeg" | "image/png" },
  ): Promise<UploadedFile> {
    if (options.type !== "image/jpeg" && options.type !== "image/png")
      throw new ValidationError(
        `profile.setPicture: type must be "image/jpeg" or "image/png", got ${JSON.stringify(options.type)}`,
      );
    const uploaded = await this.uploads.upload(file, options);
    await this.update(
      { profilePictureHandle: uploaded.handle },
      options.signal ? { signal: options.signal } : {},
    );
    return uploaded;
  }

  /**
   * What is missing or inconsistent: empty fields users see, websites that the content guard's
   * link rules would refuse in a message (not in `allowDomains`, a shortener), a display name
   * whose review is not approved, no profile picture. Two Graph calls (profile, phone number).
   */
  async check(options: { signal?: AbortSignal } = {}): Promise<ProfileReport> {
    const [profile, displayName] = await Promise.all([this.get(options), this.displayName(options.signal)]);
    const findings: ProfileFinding[] = [];
    const missing = (field: ProfileFinding["field"], what: string) =>
      findings.push({
        field,
        severity: "warning",
        message: `${what} is empty: users who open the profile see nothing there`,
      });
    if (!profile.about) missing("about", "About");
    if (!profile.description) missing("description", "The description");
    if (!profile.address) missing("address", "The address");
    if (!profile.email) missing("email", "The e-mail");
    if (profile.websites.length === 0) missing("websites", "The website list");
    if (!profile.vertical || profile.vertical === "UNDEFINED")
      findings.push({
        field: "vertical",
        severity: "warning",
        message: "No business category (vertical) is set",
      });
    if (!profile.profilePictureUrl)
      findings.push({
        field: "profile_picture",
        severity: "warning",
        message: "No profile picture: users see a grey placeholder next to the business's name",
      });
    for (const site of profile.websites) {
      const problem = this.linkProblem?.(site);
      if (problem)
        findings.push({
          field: "websites",
          severity: "error",
          message: `The profile names ${site}, but the content guard would refuse a link to it in a message: ${problem}`,
        });
    }
    if (displayName.nameStatus !== undefined && displayName.nameStatus !== "APPROVED")
      findings.push({
        field: "display_name",
        severity: "error",
        message: `The display name${displayName.verifiedName ? ` "${displayName.verifiedName}"` : ""} is ${displayName.nameStatus}, not APPROVED: Meta keeps the number's messaging limited until it is`,
      });
    return { ok: !findings.some((f) => f.severity === "error"), findings, profile, displayName };
  }
}
