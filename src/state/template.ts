/**
 * A message template as wa-guard holds it: what the templates API returns (`api/templates.ts`
 * reads Meta's answer into it) and what template-list stores keep.
 */

export type TemplateCategory = "MARKETING" | "UTILITY" | "AUTHENTICATION";
export type TemplateStatus =
  | "APPROVED"
  | "PENDING"
  | "REJECTED"
  | "PAUSED"
  | "DISABLED"
  | "IN_APPEAL"
  | "PENDING_DELETION"
  | "LIMIT_EXCEEDED"
  | "ARCHIVED"
  | (string & {});

/** A message template as the templates API returns it. `components` are in Meta's shape. */
export interface MessageTemplate {
  /** Meta's template id. */
  id: string;
  /** The template's name (lowercase letters, digits, underscores). */
  name: string;
  /** Its language code, e.g. `en_US`; a name has one template per language. */
  language: string;
  /** Only `APPROVED` templates can be sent. */
  status: TemplateStatus;
  /** `MARKETING`, `UTILITY` or `AUTHENTICATION`: decides pricing and which consent a send needs. */
  category: TemplateCategory | (string & {});
  /** Meta's sub-category (e.g. `ORDER_STATUS`), when it gives one. */
  subCategory?: string;
  /** How parameters are written: `{{1}}` (POSITIONAL, Meta's default) or `{{name}}` (NAMED). */
  parameterFormat: "POSITIONAL" | "NAMED" | (string & {});
  /** `HEADER`, `BODY`, `FOOTER`, `BUTTONS`, … in Meta's shape. */
  components: Array<{ type: string; [key: string]: unknown }>;
  /** Meta's quality rating (`GREEN`, `YELLOW`, `RED`, `UNKNOWN`) and when it was set (s). */
  qualityScore?: { score: string; date?: number };
  /** Why Meta rejected it, on a rejected template. */
  rejectedReason?: string;
}
