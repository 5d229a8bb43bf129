/**
 * Attacks: "a process that died midway can finish with wa.uploads.resume(sessionId, file)"
 * (docs/account-health.md; `UploadedFile.sessionId`). `upload()` hands the session id out only
 * with the finished upload. When the cuts outlast `maxResumes`, or the caller's signal stops it,
 * the error carries no session id and nothing else told the caller the id: the upload cannot be
 * resumed as documented, only started again from byte 0.
 */
import { describe, expect, it } from "vitest";
import { type ClientOptions, WhatsAppClient } from "../../../src/index.js";
import { FakeClock, FakeCloudApi, fakeTransport } from "../../../src/testing/index.js";

const FILE = new Uint8Array(Array.from({ length: 500 }, (_, i) => i % 251));

function setup(cuts: number) {
  const clock = new FakeClock();
  const fake = new FakeCloudApi({ clock });
  const inner = fakeTransport(fake);
  let left = cuts;
  const transport: NonNullable<ClientOptions["transport"]> = async (req) => {
    if (left > 0 && req.method === "POST" && /\/upload:/.test(req.url) && req.body instanceof Uint8Array) {
      left--;
      await inner({ ...req, body: req.body.subarray(0, 10) }); // ten bytes arrive, then a reset
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

describe("an upload that gives up midway", () => {
  it("the error says which session to resume", async () => {
    const { fake, wa } = setup(5);
    let caught: unknown;
    try {
      await wa.uploads.upload(FILE, { appId: fake.uploads.appId, type: "application/pdf", maxResumes: 2 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(Error);
    // What a caller needs to call wa.uploads.resume() later (after a restart, say).
    const sessionId = (caught as { sessionId?: unknown }).sessionId;
    expect(typeof sessionId === "string" && sessionId.startsWith("upload:")).toBe(true);
    const { handle } = await wa.uploads.resume(sessionId as string, FILE);
    expect(fake.uploads.file(handle)?.data).toEqual(FILE);
  });

  it("held: resume() with the id (learnt here from the request event) finishes the file", async () => {
    const { fake, wa } = setup(3);
    let sessionId: string | undefined;
    wa.on("request", ({ path }) => {
      const m = /^\/(upload:[^/]+)$/.exec(path);
      if (m) sessionId = m[1];
    });
    await expect(
      wa.uploads.upload(FILE, { appId: fake.uploads.appId, type: "application/pdf", maxResumes: 1 }),
    ).rejects.toThrow();
    expect(sessionId).toMatch(/^upload:/);
    const { handle } = await wa.uploads.resume(sessionId as string, FILE);
    expect(fake.uploads.file(handle)?.data).toEqual(FILE);
  });
});
