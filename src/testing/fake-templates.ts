export type FakeTemplateStatus = "APPROVED" | "PENDING" | "REJECTED" | "PAUSED" | "DISABLED" | (string & {});

/** A template held by the fake, in Meta's shape. */
export interface FakeTemplate {
  id: string;
  name: string;
  language: string;
  category: "MARKETING" | "UTILITY" | "AUTHENTICATION";
  status: FakeTemplateStatus;
  parameterFormat: "POSITIONAL" | "NAMED";
  components: Array<{ type: string; [key: string]: unknown }>;
  qualityScore?: "GREEN" | "YELLOW" | "RED" | "UNKNOWN";
}
