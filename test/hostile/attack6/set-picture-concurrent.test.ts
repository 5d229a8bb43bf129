/**
 * Attacks: `wa.account.profile.setPicture` twice at once (two admins, a retry racing the first
 * call), with cuts in both uploads: the two sessions must not mix their bytes, the profile ends
 * with one of the two pictures, and an empty picture or a non-picture type is refused before
 * anything is sent.
 */
import { describe, expect, it } from "vitest";
import { type ClientOptions, WhatsAppClient } from "../../../src/index.js";
import { FakeClock, FakeCloudApi, fakeTransport } from "../../../src/testing/index.js";

const A = new Uint8Array(Array.from({ length: 300 }, (_, i) => i % 200));
const B = new Uint8Array(Array.from({ length: 301 }, (_, i) => 255 - (i % 200)));

function setup() {
  const clock = new FakeClock();
  const fake = new FakeCloudApi({ clock });
  const inner = fakeTransport(fake);
  let cuts = 2;
  const transport: NonNullable<ClientOptions["transport"]> = async (req) => {
    if (cuts > 0 && req.method === "POST" && /\/upload:/.test(req.url) && req.body instanceof Uint8Array) {
      cuts--;
      await inner({ ...req, body: req.body.subarray(0, 7 + cuts) });
      throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    }
    return inner(req);
  };
  const wa = new WhatsAppClient({
    accessToken: fake.accessToken,
    phoneNumberId: fake.phoneNumberId,
    transport,
    clock,
    maxRetries: 0,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  return { fake, wa };
}

describe("setPicture twice at once", () => {
  it("held: the sessions keep their own bytes and the profile ends with one of the pictures", async () => {
    const { fake, wa } = setup();
    const appId = fake.uploads.appId;
    const [a, b] = await Promise.all([
      wa.account.profile.setPicture(A, { appId, type: "image/png" }),
      wa.account.profile.setPicture(new Blob([B]), { appId, type: "image/jpeg" }),
    ]);
    expect(fake.uploads.file(a.handle)?.data).toEqual(A);
    expect(fake.uploads.file(b.handle)?.data).toEqual(B);
    const url = (await wa.account.profile.get()).profilePictureUrl ?? "";
    const set = [a, b].filter((u) => url.includes(encodeURIComponent(u.handle)));
    expect(set.length).toBe(1);
  });

  it("held: an empty picture (bytes or Blob) and a PDF are refused before anything is sent", async () => {
    const { fake, wa } = setup();
    const appId = fake.uploads.appId;
    const before = fake.requests.length;
    await expect(
      wa.account.profile.setPicture(new Uint8Array(0), { appId, type: "image/png" }),
    ).rejects.toThrow();
    await expect(wa.account.profile.setPicture(new Blob([]), { appId, type: "image/png" })).rejects.toThrow();
    await expect(
      wa.account.profile.setPicture(A, { appId, type: "application/pdf" as "image/png" }),
    ).rejects.toThrow();
    expect(fake.requests.length).toBe(before);
  });
});
