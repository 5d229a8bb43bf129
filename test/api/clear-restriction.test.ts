import { describe, expect, it } from "vitest";
import { ValidationError, WhatsAppClient } from "../../src/index.js";
import { FakeClock, FakeCloudApi, fakeTransport } from "../../src/testing/index.js";

function setup() {
  const clock = new FakeClock();
  const fake = new FakeCloudApi({ clock });
  const wa = new WhatsAppClient({
    accessToken: fake.accessToken,
    phoneNumberId: fake.phoneNumberId,
    wabaId: fake.wabaId,
    clock,
    transport: fakeTransport(fake),
  });
  return { clock, wa };
}

const scopes = async (wa: WhatsAppClient) => (await wa.account.health()).restrictions.map((r) => r.source);

describe("wa.account.clearRestriction", () => {
  it("lifts by scope, or only what one source opened, with an options object", async () => {
    const { clock, wa } = setup();
    await wa.account.restrict({ scope: "marketing", source: "quality:RED" });
    await wa.account.restrict({
      scope: "marketing",
      source: "health:BLOCKED",
      until: clock.now() + 3_600_000,
    });
    await wa.account.clearRestriction("marketing", { source: "health:BLOCKED" });
    expect(await scopes(wa)).toEqual(["quality:RED"]);
    await wa.account.clearRestriction("marketing");
    expect(await scopes(wa)).toEqual([]);
  });

  it("a lift dated before the restriction began leaves it in force", async () => {
    const { clock, wa } = setup();
    const before = clock.now();
    clock.advance(60_000);
    await wa.account.restrict({ scope: "all", source: "graph:368" });
    await wa.account.clearRestriction("all", { at: before });
    expect(await scopes(wa)).toEqual(["graph:368"]);
    await wa.account.clearRestriction("all", { at: clock.now() });
    expect(await scopes(wa)).toEqual([]);
  });

  it("still takes the positional form (deprecated) the same way", async () => {
    const { wa } = setup();
    await wa.account.restrict({ scope: "marketing", source: "quality:RED" });
    await wa.account.restrict({ scope: "marketing", source: "health:BLOCKED" });
    await wa.account.clearRestriction("marketing", undefined, "health:BLOCKED");
    expect(await scopes(wa)).toEqual(["quality:RED"]);
  });

  it.each([
    ["an unknown scope", ["everything"], "scope must be one of"],
    ["a scope of another type", [42], "scope must be one of"],
    ["a fractional at", ["all", { at: 1.5 }], "at must be"],
    ["an at that is not a number", ["all", { at: "yesterday" }], "at must be"],
    ["an empty source", ["all", { source: "" }], "source must be"],
    ["an unknown level", ["all", { level: "business" }], 'level must be "phone_number" or "waba"'],
  ])("refuses %s with a ValidationError, lifting nothing", async (_what, args, says) => {
    const { wa } = setup();
    await wa.account.restrict({ scope: "all", source: "graph:368" });
    const clear = wa.account.clearRestriction as (...a: unknown[]) => Promise<void>;
    const error = await clear.apply(wa.account, args).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain(says);
    expect(await scopes(wa)).toEqual(["graph:368"]);
  });
});
