/**
 * Do send-time template components fit a template definition? Shared by the template guard
 * (before sending) and FakeCloudApi (which answers as Meta would), so both apply one rule.
 */

export interface TemplateDefinition {
  parameterFormat: "POSITIONAL" | "NAMED" | (string & {});
  components: ReadonlyArray<{ type: string; [key: string]: unknown }>;
}

/** A mismatch, with the Graph code Meta returns for it. */
export interface TemplateMismatch {
  code: 132000 | 132012;
  details: string;
}

type Param = { type?: string; parameter_name?: string; [key: string]: unknown };
type SentComponent = { type?: string; sub_type?: string; index?: string | number; parameters?: Param[] };

/** Placeholders in order of appearance, without duplicates: `{{1}}` → "1", `{{name}}` → "name". */
export function placeholders(text: unknown): string[] {
  if (typeof text !== "string") return [];
  const seen: string[] = [];
  for (const m of text.matchAll(/\{\{\s*([a-z0-9_]+)\s*\}\}/g)) if (!seen.includes(m[1]!)) seen.push(m[1]!);
  return seen;
}

const upper = (v: unknown) => (typeof v === "string" ? v.toUpperCase() : "");

function checkTextParams(
  where: string,
  expected: string[],
  params: readonly Param[],
  format: TemplateDefinition["parameterFormat"],
): TemplateMismatch | undefined {
  if (params.length !== expected.length) {
    return {
      code: 132000,
      details: `${where}: number of localizable_params (${params.length}) does not match the expected number of params (${expected.length})`,
    };
  }
  const names = new Set<string>();
  for (const p of params) {
    const named = typeof p.parameter_name === "string";
    if (named) {
      if (names.has(p.parameter_name as string))
        return { code: 132012, details: `${where}: parameter_name ${p.parameter_name} given twice` };
      names.add(p.parameter_name as string);
    }
    if (format === "NAMED" && (!named || !expected.includes(p.parameter_name as string))) {
      return { code: 132012, details: `${where}: parameter_name is missing or unknown for a NAMED template` };
    }
    if (format === "POSITIONAL" && named) {
      return { code: 132012, details: `${where}: parameter_name given for a POSITIONAL template` };
    }
  }
  return undefined;
}

/** The error Meta would return for these send-time components, or undefined when they fit. */
export function checkTemplateParameters(
  t: TemplateDefinition,
  sent: readonly SentComponent[],
): TemplateMismatch | undefined {
  const find = (type: string) => sent.find((c) => upper(c.type) === type);
  for (const component of t.components) {
    const kind = upper(component.type);
    if (kind === "HEADER") {
      const params = find("HEADER")?.parameters ?? [];
      const format = upper(component["format"]);
      if (format === "TEXT" || format === "") {
        const error = checkTextParams("header", placeholders(component["text"]), params, t.parameterFormat);
        if (error) return error;
      } else if (params.length !== 1 || upper(params[0]?.type) !== format) {
        return { code: 132012, details: `header: expected one ${format} parameter` };
      }
    } else if (kind === "BODY") {
      const error = checkTextParams(
        "body",
        placeholders(component["text"]),
        find("BODY")?.parameters ?? [],
        t.parameterFormat,
      );
      if (error) return error;
    } else if (kind === "BUTTONS") {
      const buttons = (component["buttons"] as Array<Record<string, unknown>> | undefined) ?? [];
      for (const [index, button] of buttons.entries()) {
        if (upper(button["type"]) !== "URL" || placeholders(button["url"]).length === 0) continue;
        const given = sent.find((c) => upper(c.type) === "BUTTON" && String(c.index) === String(index));
        if (!given || (given.parameters ?? []).length !== 1) {
          return { code: 132000, details: `button ${index}: the URL button needs one text parameter` };
        }
      }
    }
  }
  const hasBody = t.components.some((c) => upper(c.type) === "BODY");
  if (!hasBody && (find("BODY")?.parameters ?? []).length > 0) {
    return { code: 132000, details: "body: the template has no body parameters" };
  }
  return undefined;
}
