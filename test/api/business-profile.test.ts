import { describe, expect, it } from "vitest";
import { type ClientOptions, ValidationError, WhatsAppClient } from "../../src/index.js";
import { FakeClock, FakeCloudApi, type FakeCloudApiOptions, fakeTransport } from "../../src/testing/index.js";

function world(fakeOptions: FakeCloudApiOptions = {}, policy: ClientOptions["policy"] = {}) {
  const clock = new FakeClock();
  const fake = new FakeCloudApi({ clock, ...fakeOptions });
  const wa = new WhatsAppClient({
    accessToken: fake.accessToken,
    phoneNumberId: fake.phoneNumberId,
    wabaId: fake.wabaId,
    transport: fakeTransport(fake),
    clock,
    policy,
  });
  return { fake, wa };
}

describe("wa.account.profile", () => {
  it("reads and updates the profile with Meta's field names", async () => {
    const { fake, wa } = world();
    expect(await wa.account.profile.get()).toMatchObject({
      about: "Fake Business: answers within the hour",
      websites: ["https://fake-business.example/"],
      vertical: "RETAIL",
    });
    const { handle } = await wa.uploads.upload(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]), {
      appId: fake.uploads.appId,
      type: "image/jpeg",
    });
    await wa.account.profile.update({
      about: "Open 9–5 🌷",
      websites: ["https://shop.example/", "http://shop.example/help"],
      profilePictureHandle: handle,
    });
    expect(fake.profile).toMatchObject({
      about: "Open 9–5 🌷",
      websites: ["https://shop.example/", "http://shop.example/help"],
      profile_picture_url: expect.stringContaining("pps.whatsapp.net"),
    });
    const after = await wa.account.profile.get();
    expect(after.about).toBe("Open 9–5 🌷");
  });

  it("refuses what Meta would refuse, naming each field, before any request", async () => {
    const { fake, wa } = world();
    const before = fake.requests.length;
    const bad = [
      { about: "" },
      { about: "x".repeat(140) },
      { address: "x".repeat(257) },
      { description: "x".repeat(513) },
      { email: "not-an-email" },
      { websites: ["https://a.example", "https://b.example", "https://c.example"] },
      { websites: ["shop.example"] },
      { vertical: "retail" },
      { abuot: "typo" },
      {},
    ];
    for (const changes of bad) {
      await expect(
        wa.account.profile.update(changes as never),
        JSON.stringify(changes),
      ).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(wa.account.profile.update({ websites: ["shop.example"] })).rejects.toThrow(/websites.*http/);
    expect(fake.requests.length).toBe(before);
  });

  it("the fake refuses what Meta refuses, for clients that skip the checks", async () => {
    const { fake } = world();
    const post = (json: unknown) =>
      fake.handle({
        method: "POST",
        url: `https://graph.facebook.com/v23.0/${fake.phoneNumberId}/whatsapp_business_profile`,
        headers: { authorization: `Bearer ${fake.accessToken}`, "content-type": "application/json" },
        body: JSON.stringify(json),
        timeouts: { connectMs: 1_000, headersMs: 1_000, bodyMs: 1_000 },
      });
    expect((await post({ messaging_product: "whatsapp", about: "x".repeat(140) })).status).toBe(400);
    expect((await post({ messaging_product: "whatsapp", websites: ["ftp://x.example"] })).status).toBe(400);
    expect((await post({ about: "no product" })).status).toBe(400);
    expect((await post({ messaging_product: "whatsapp", about: "ok" })).status).toBe(200);
  });

  it("check() reports a complete, consistent profile as ok", async () => {
    const { wa } = world({}, { content: { allowDomains: ["fake-business.example"] } });
    const report = await wa.account.profile.check();
    expect(report).toMatchObject({ ok: true, findings: [], displayName: { nameStatus: "APPROVED" } });
  });

  it("check() names empty fields, a missing picture, websites the content guard refuses, an unapproved name", async () => {
    const { wa } = world(
      {
        profile: { websites: ["https://other-brand.example/", "https://bit.ly/abc"], vertical: "UNDEFINED" },
        phoneNumber: { name_status: "PENDING_REVIEW", verified_name: "Acme" },
      },
      { content: { allowDomains: ["acme.example"] } },
    );
    const report = await wa.account.profile.check();
    expect(report.ok).toBe(false);
    const by = (field: string) => report.findings.filter((f) => f.field === field);
    for (const field of ["about", "description", "address", "email", "vertical", "profile_picture"])
      expect(by(field), field).toMatchObject([{ severity: "warning" }]);
    expect(by("websites").map((f) => f.message)).toEqual([
      expect.stringContaining("https://other-brand.example/"),
      expect.stringContaining("https://bit.ly/abc"),
    ]);
    expect(by("display_name")).toMatchObject([
      { severity: "error", message: expect.stringContaining('"Acme" is PENDING_REVIEW') },
    ]);
  });

  it("without allowDomains, shorteners are still named; with the content guard off, websites are not judged", async () => {
    const profile = { websites: ["https://bit.ly/abc", "https://anything.example/"] };
    const on = await world({ profile }).wa.account.profile.check();
    expect(on.findings.filter((f) => f.field === "websites").map((f) => f.message)).toEqual([
      expect.stringContaining("bit.ly"),
    ]);
    const off = await world({ profile }, { disable: ["content"] }).wa.account.profile.check();
    expect(off.findings.filter((f) => f.field === "websites")).toEqual([]);
  });
});
