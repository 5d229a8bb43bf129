import { afterEach, describe, expect, it } from "vitest";
import { type ClientOptions, undiciTransport, ValidationError, WhatsAppClient } from "../../src/index.js";
import { FakeClock, FakeCloudApi, fakeTransport, startFakeServer } from "../../src/testing/index.js";

// A PNG's signature and a few bytes of every value: the bytes must arrive as they are.
const PICTURE = new Uint8Array([
  0x89,
  0x50,
  0x4e,
  0x47,
  0x0d,
  0x0a,
  0x1a,
  0x0a,
  ...Array.from({ length: 248 }, (_, i) => i),
]);

function world(transport?: (fake: FakeCloudApi) => NonNullable<ClientOptions["transport"]>) {
  const clock = new FakeClock();
  const fake = new FakeCloudApi({ clock });
  const wa = new WhatsAppClient({
    accessToken: fake.accessToken,
    phoneNumberId: fake.phoneNumberId,
    wabaId: fake.wabaId,
    transport: transport ? transport(fake) : fakeTransport(fake),
    clock,
    maxRetries: 0,
  });
  return { fake, wa };
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0)) await close();
});

describe("wa.uploads (Resumable Upload API)", () => {
  it("uploads a file and returns the handle Meta gives; the bytes arrive intact", async () => {
    const { fake, wa } = world();
    const { handle, sessionId } = await wa.uploads.upload(PICTURE, {
      appId: fake.uploads.appId,
      type: "image/png",
      fileName: "logo.png",
    });
    expect(sessionId).toMatch(/^upload:.+\?sig=/);
    expect(fake.uploads.file(handle)).toEqual({ fileName: "logo.png", type: "image/png", data: PICTURE });
  });

  it("resumes an upload cut off midway from the offset Meta reports, without sending the start again", async () => {
    let cut = true;
    const bodies: number[] = [];
    const { fake, wa } = world((fake) => {
      const inner = fakeTransport(fake);
      return async (req) => {
        if (req.body instanceof Uint8Array && req.url.includes("/upload:")) {
          bodies.push(req.body.byteLength);
          if (cut) {
            // The connection breaks after 100 bytes reached Meta.
            cut = false;
            await inner({ ...req, body: req.body.subarray(0, 100) });
            throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
          }
        }
        return inner(req);
      };
    });
    const { handle } = await wa.uploads.upload(PICTURE, { appId: fake.uploads.appId, type: "image/png" });
    expect(bodies).toEqual([PICTURE.byteLength, PICTURE.byteLength - 100]);
    expect(fake.uploads.file(handle)?.data).toEqual(PICTURE);
  });

  it("resume() finishes a session opened by another process", async () => {
    const { fake, wa } = world();
    // What a process that died after opening the session left behind.
    const opened = (await (
      await fakeTransport(fake)({
        method: "POST",
        url: `https://graph.facebook.com/v23.0/${fake.uploads.appId}/uploads?file_name=a.png&file_length=${PICTURE.byteLength}&file_type=image%2Fpng`,
        headers: { authorization: `Bearer ${fake.accessToken}` },
        timeouts: { connectMs: 0, headersMs: 0, bodyMs: 0 },
      })
    ).body) as Uint8Array | string;
    const sessionId = JSON.parse(typeof opened === "string" ? opened : new TextDecoder().decode(opened)).id;
    expect(await wa.uploads.offset(sessionId)).toBe(0);
    const { handle } = await wa.uploads.resume(sessionId, PICTURE);
    expect(fake.uploads.file(handle)?.data).toEqual(PICTURE);
  });

  it("refuses bad input before anything is sent", async () => {
    const { fake, wa } = world();
    const before = fake.requests.length;
    const attempts = [
      wa.uploads.upload(PICTURE, { appId: "my-app", type: "image/png" }),
      wa.uploads.upload(PICTURE, { appId: fake.uploads.appId, type: "image/gif" as never }),
      wa.uploads.upload(new Uint8Array(0), { appId: fake.uploads.appId, type: "image/png" }),
      wa.uploads.upload("not bytes" as never, { appId: fake.uploads.appId, type: "image/png" }),
      wa.uploads.resume("../../123/messages", PICTURE),
      wa.uploads.upload(PICTURE, { appId: fake.uploads.appId, type: "image/png", maxResumes: Number.NaN }),
      wa.uploads.resume("upload:abc?sig=x", PICTURE, { maxResumes: -1 }),
    ];
    for (const attempt of attempts) await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    expect(fake.requests.length).toBe(before);
  });

  it("works over HTTP against the fake server (session ids with ':' and '?sig=', binary bodies)", async () => {
    const fake = new FakeCloudApi();
    const server = await startFakeServer(fake);
    cleanup.push(server.close);
    const wa = new WhatsAppClient({
      accessToken: fake.accessToken,
      phoneNumberId: fake.phoneNumberId,
      baseUrl: server.url,
      transport: undiciTransport(),
      policy: false,
    });
    const { handle } = await wa.account.profile.setPicture(PICTURE, {
      appId: fake.uploads.appId,
      type: "image/png",
    });
    expect(fake.uploads.file(handle)?.data).toEqual(PICTURE);
    expect(fake.profile.profile_picture_url).toContain("pps.whatsapp.net");
  });
});

describe("wa.account.profile.setPicture", () => {
  it("uploads the picture and sets it as the profile picture", async () => {
    const { fake, wa } = world();
    const before = fake.profile.profile_picture_url;
    const { handle } = await wa.account.profile.setPicture(PICTURE, {
      appId: fake.uploads.appId,
      type: "image/png",
    });
    expect(fake.profile.profile_picture_url).not.toBe(before);
    expect(fake.profile.profile_picture_url).toContain(encodeURIComponent(handle));
  });

  it("refuses a type that is not a picture, before anything is sent", async () => {
    const { fake, wa } = world();
    const before = fake.requests.length;
    await expect(
      wa.account.profile.setPicture(PICTURE, { appId: fake.uploads.appId, type: "video/mp4" as never }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(fake.requests.length).toBe(before);
  });

  it("the fake refuses a handle it never gave out, or one of a PDF, as Meta would", async () => {
    const { fake, wa } = world();
    await expect(wa.account.profile.update({ profilePictureHandle: "4::aW1hZ2U=" })).rejects.toMatchObject({
      graphCode: 100,
    });
    const pdf = await wa.uploads.upload(new TextEncoder().encode("%PDF-1.7"), {
      appId: fake.uploads.appId,
      type: "application/pdf",
    });
    await expect(wa.account.profile.update({ profilePictureHandle: pdf.handle })).rejects.toMatchObject({
      graphCode: 100,
    });
  });
});
