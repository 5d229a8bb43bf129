import { describe, expect, it } from "vitest";
import { isValidationError, MEDIA_LIMITS, ValidationError } from "../../src/index.js";
import { FakeClock, FakeCloudApi } from "../../src/testing/index.js";
import { setup } from "../helpers.js";

/** Meta's media limits per type (fact sheet §11): checked before upload, and by the fake. */

const MB = 1024 * 1024;
const KB = 1024;

/** A WebP header: VP8X with the animation flag when `animated`, padded to `size` bytes. */
function webp(size: number, animated: boolean): Uint8Array {
  const bytes = new Uint8Array(size);
  bytes.set([0x52, 0x49, 0x46, 0x46], 0); // RIFF
  bytes.set([0x57, 0x45, 0x42, 0x50], 8); // WEBP
  bytes.set([0x56, 0x50, 0x38, 0x58], 12); // VP8X
  bytes[20] = animated ? 0x02 : 0x00;
  return bytes;
}

describe("media limits in the client", () => {
  it("refuses a 50 MB JPEG before sending anything, naming type, size and limit", async () => {
    const { wa, calls } = setup();
    const error = await wa.media
      .upload({ file: new Uint8Array(50 * MB), mimeType: "image/jpeg" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const message = (error as ValidationError).message;
    expect(message).toContain("image/jpeg");
    expect(message).toContain(String(50 * MB));
    expect(message).toContain(String(5 * MB));
    expect((error as ValidationError).issues[0]).toMatchObject({ path: ["file"], code: "too_big" });
    expect(calls).toEqual([]);
  });

  it("refuses a type Meta does not accept (image/gif), listing the accepted ones", async () => {
    const { wa, calls } = setup();
    const error = await wa.media
      .upload({ file: new Uint8Array(10), mimeType: "image/gif" })
      .catch((e: unknown) => e);
    expect(isValidationError(error)).toBe(true);
    expect((error as ValidationError).message).toContain("image/gif");
    expect((error as ValidationError).message).toContain("image/png");
    expect(calls).toEqual([]);
  });

  it.each([
    ["image/png", 5 * MB],
    ["audio/ogg", 16 * MB],
    ["audio/mpeg", 16 * MB],
    ["video/mp4", 16 * MB],
    ["video/3gpp", 16 * MB],
  ])("%s: accepts exactly the limit, refuses one byte more", async (mimeType, limit) => {
    const { wa, fake } = setup();
    await expect(wa.media.upload({ file: new Blob([new Uint8Array(limit)]), mimeType })).resolves.toEqual({
      id: expect.any(String),
    });
    await expect(
      wa.media.upload({ file: new Blob([new Uint8Array(limit + 1)]), mimeType }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(fake.requests.filter((r) => r.path.endsWith("/media"))).toHaveLength(1);
  });

  it("stickers: 100 KB static, 500 KB animated (read from the WebP header)", async () => {
    const { wa } = setup();
    await expect(
      wa.media.upload({ file: webp(100 * KB + 1, false), mimeType: "image/webp" }),
    ).rejects.toThrow(/100 KB|102400/);
    await expect(
      wa.media.upload({ file: webp(400 * KB, true), mimeType: "image/webp" }),
    ).resolves.toBeDefined();
    await expect(
      wa.media.upload({ file: webp(500 * KB + 1, true), mimeType: "image/webp" }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it("documents: the Office formats, PDF and text; not a zip", async () => {
    const { wa } = setup();
    for (const mimeType of [
      "application/pdf",
      "text/plain",
      "application/msword",
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "application/vnd.ms-powerpoint",
    ])
      await expect(wa.media.upload({ file: new Uint8Array(16 * MB + 1), mimeType })).resolves.toBeDefined();
    await expect(
      wa.media.upload({ file: new Uint8Array(1), mimeType: "application/zip" }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(MEDIA_LIMITS["application/pdf"]?.maxBytes).toBe(100 * MB);
  });

  it("every type in MEDIA_LIMITS has a positive limit", () => {
    for (const [type, limit] of Object.entries(MEDIA_LIMITS)) {
      expect(type).toMatch(/^[a-z]+\/[\w.+-]+$/);
      expect(limit.maxBytes).toBeGreaterThan(0);
    }
  });
});

describe("media limits in the fake", () => {
  /** What any client (one without wa-guard's check) would post: multipart, straight to the fake. */
  async function rawUpload(fake: FakeCloudApi, mimeType: string, bytes: Uint8Array) {
    const form = new FormData();
    form.set("messaging_product", "whatsapp");
    form.set("type", mimeType);
    form.set("file", new Blob([bytes as BlobPart], { type: mimeType }), "f");
    const res = await fake.handle({
      method: "POST",
      url: `https://graph.facebook.com/v23.0/${fake.phoneNumberId}/media`,
      headers: { authorization: `Bearer ${fake.accessToken}` },
      body: form,
      timeouts: { connectMs: 1000, headersMs: 1000, bodyMs: 1000 },
    });
    return { status: res.status, body: JSON.parse(String(res.body)) };
  }

  it("refuses a 50 MB JPEG and an image/gif with 131053, as Meta does", async () => {
    const fake = new FakeCloudApi({ clock: new FakeClock() });
    const big = await rawUpload(fake, "image/jpeg", new Uint8Array(50 * MB));
    expect(big.body.error).toMatchObject({ code: 131053 });
    expect(big.body.error.error_data.details).toContain("5242880");
    const gif = await rawUpload(fake, "image/gif", new Uint8Array(10));
    expect(gif.body.error).toMatchObject({ code: 131053 });
    expect(gif.body.error.error_data.details).toContain("image/gif");
    const ok = await rawUpload(fake, "image/jpeg", new Uint8Array(10));
    expect(ok.body).toEqual({ id: expect.any(String) });
  });
});
