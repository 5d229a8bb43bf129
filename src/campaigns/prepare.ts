/**
 * What a campaign sends before any send: its template checked once, each source item turned into
 * a recipient and a message (or why not), and the identity a recipient's checkpoint is keyed by.
 * Shared by `plan()` and `run()`.
 */
import { validateMessage } from "../api/messages.js";
import type { OutboundMessage } from "../api/schemas/outbound.js";
import { TemplateNotSendableError } from "../errors/policy.js";
import { isValidationError, ValidationError } from "../errors/validation.js";
import { describeError } from "../internal/logger.js";
import type { Policy } from "../policy/pipeline.js";
import { parseRecipient } from "../policy/recipient.js";
import type { CampaignRecipient, CampaignRunOptions, TemplateParams } from "./types.js";

/** `String(value)` that cannot throw (an object without a usable `toString`). */
function shown(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** The recipient and the message for one source item, or why there is none. Never throws. */
export async function messageFor(
  options: Pick<CampaignRunOptions, "template" | "params">,
  item: CampaignRecipient,
  index: number,
): Promise<{ to: string; message: OutboundMessage } | { to: string; error: ValidationError }> {
  let to: unknown;
  try {
    to = typeof item === "string" ? item : (item as { to?: unknown } | null)?.to;
  } catch (error) {
    return {
      to: shown(item),
      error: new ValidationError(`Recipient #${index} cannot be read: ${describeError(error)}`),
    };
  }
  const label = typeof to === "string" ? to : shown(to);
  if (typeof to !== "string") {
    return {
      to: label,
      error: new ValidationError(
        `Recipient #${index} must be a phone number string or { to, params }; got ${to === null ? "null" : typeof to}`,
        [{ path: ["recipients", index, "to"], message: "expected a string", code: "invalid_type" }],
      ),
    };
  }
  let perRecipient: TemplateParams | undefined;
  try {
    perRecipient = options.params ? await options.params(to, index) : undefined;
  } catch (error) {
    const invalid = new ValidationError(`params() threw for recipient #${index}: ${describeError(error)}`);
    return { to: label, error: Object.assign(invalid, { cause: error }) };
  }
  try {
    const own = typeof item === "object" && item !== null ? item.params : undefined;
    const message = validateMessage({ type: "template", ...options.template, ...perRecipient, ...own, to });
    return { to: label, message };
  } catch (error) {
    if (isValidationError(error)) return { to: label, error };
    return { to: label, error: new ValidationError(`Recipient #${index}: ${describeError(error)}`) };
  }
}

/**
 * Refuse a campaign whose template cannot be sent to anyone (unknown, not APPROVED), before a
 * single recipient is read. Returns whether it is a marketing template.
 */
export async function sendableTemplate(
  policy: Policy,
  template: Pick<CampaignRunOptions["template"], "name" | "language">,
): Promise<boolean> {
  const checked = policy.describe().some((g) => g.name === "template");
  const lookup = async () => {
    let found = await policy.templates.get(template.name, template.language);
    // A campaign is worth one fresh look: the template may have been created or approved since
    // the list was cached.
    if (found?.status !== "APPROVED") {
      await policy.templates.refresh();
      found = await policy.templates.get(template.name, template.language);
    }
    return found;
  };
  const found = checked ? await lookup() : await lookup().catch(() => undefined);
  if (checked && found?.status !== "APPROVED") {
    throw new TemplateNotSendableError({
      rule: "template",
      reason: found
        ? `template "${template.name}" (${template.language}) is ${found.status}, not APPROVED; nothing was sent`
        : `no template "${template.name}" in language ${template.language}; nothing was sent`,
    });
  }
  return found?.category?.toUpperCase() === "MARKETING";
}

/** The canonical identity a checkpoint is keyed by (aliases of one person share it). */
export const checkpointKey = (to: string) => parseRecipient(to)?.key ?? to.trim();
