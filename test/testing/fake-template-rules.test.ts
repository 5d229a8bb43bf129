import { describe, expect, it } from "vitest";
import { RateLimitError, TemplateError } from "../../src/index.js";
import { setup } from "../helpers.js";

/** Meta's template management rules in the fake (fact sheet §3, §5, §11), on the fake clock. */

const DAY = 86_400_000;
const body = [{ type: "BODY", text: "Your order {{1}} shipped", example: { body_text: [["A1"]] } }];
const template = (name: string, language = "en_US") => ({
  name,
  language,
  category: "UTILITY" as const,
  components: body,
});

describe("fake templates: the 30-day name lock after deleting an approved template", () => {
  it("refuses to re-create the name for 30 days, then allows it", async () => {
    const { wa, fake, clock } = setup();
    fake.templates.add({ name: "order_update", language: "en_US", category: "UTILITY", components: body });
    await wa.templates.delete({ name: "order_update" });
    const error = await wa.templates.create(template("order_update")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemplateError);
    expect(error).toMatchObject({ graphCode: 100, graphSubcode: 2388023 });
    expect((error as TemplateError).details).toMatch(/being deleted/);
    // Another language of the deleted name is locked too.
    await expect(wa.templates.create(template("order_update", "pt_BR"))).rejects.toBeInstanceOf(
      TemplateError,
    );
    clock.advance(30 * DAY - 1000);
    await expect(wa.templates.create(template("order_update"))).rejects.toBeInstanceOf(TemplateError);
    clock.advance(1000);
    await expect(wa.templates.create(template("order_update"))).resolves.toMatchObject({ status: "PENDING" });
  });

  it("a template deleted before approval locks nothing; other names are free", async () => {
    const { wa, fake } = setup();
    fake.templates.add({
      name: "draft",
      language: "en_US",
      category: "UTILITY",
      components: body,
      status: "REJECTED",
    });
    fake.templates.add({ name: "kept", language: "en_US", category: "UTILITY", components: body });
    await wa.templates.delete({ name: "draft" });
    await wa.templates.delete({ name: "kept" });
    await expect(wa.templates.create(template("draft"))).resolves.toBeDefined();
    await expect(wa.templates.create(template("kept_v2"))).resolves.toBeDefined();
  });
});

describe("fake templates: limits per WABA", () => {
  it("at most 250 templates (each language counts), then 2388019", async () => {
    const { wa, fake, clock } = setup();
    for (let i = 0; i < 249; i++)
      fake.templates.add({ name: `t_${i}`, language: "en_US", category: "UTILITY", components: body });
    await wa.templates.create(template("t_249"));
    const error = await wa.templates.create(template("t_249", "es")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemplateError);
    expect(error).toMatchObject({ graphCode: 100, graphSubcode: 2388019 });
    // Deleting one frees a place.
    await wa.templates.delete({ name: "t_0" });
    clock.advance(1000);
    await expect(wa.templates.create(template("t_new"))).resolves.toBeDefined();
  });

  it("a verified portfolio may hold up to 6,000 (maxTemplates)", async () => {
    const { wa, fake } = setup({ maxTemplates: 6000 });
    for (let i = 0; i < 300; i++)
      fake.templates.add({ name: `t_${i}`, language: "en_US", category: "UTILITY", components: body });
    await expect(wa.templates.create(template("one_more"))).resolves.toBeDefined();
  });

  it("at most 100 created per hour: the 101st is a rate limit until the hour has passed", async () => {
    const { wa, clock } = setup({}, { maxRetries: 0 });
    for (let i = 0; i < 100; i++) await wa.templates.create(template(`hour_${i}`));
    const error = await wa.templates.create(template("hour_100")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ graphCode: 80008 });
    clock.advance(3_600_000);
    await expect(wa.templates.create(template("hour_100"))).resolves.toBeDefined();
  });
});
