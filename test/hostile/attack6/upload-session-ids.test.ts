/**
 * Attacks: `wa.uploads.resume(sessionId, …)` and `offset(sessionId)` put the session id in the
 * path as given (Meta's ids carry `?sig=`). Odd ids — slashes, encoded slashes and dots,
 * backslashes, fragments, whitespace, ids that are not upload sessions — must never reach another
 * endpoint (the number's messages, its profile, the WABA's templates) with the file's bytes.
 */
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../src/index.js";
import { twoNumbers } from "./two.js";

describe("upload session ids with odd characters", () => {
  it("never reach an endpoint other than an upload session", async () => {
    const w = twoNumbers();
    const wa = w.client({ transport: w.transport });
    const phone = w.fake.phoneNumberId;
    const ids = [
      `upload:x/../../${phone}/messages`,
      `upload:x%2F..%2F..%2F${phone}%2Fmessages`,
      `upload:%2e%2e/%2e%2e/${phone}/whatsapp_business_profile`,
      `upload:x\\..\\..\\${phone}\\messages`,
      `upload:x#/../../${phone}/messages`,
      `upload:x?/../../${phone}/messages`,
      `upload:x?sig=1&access_token=stolen`,
      `upload:x\n/${phone}/messages`,
      `upload:x\u2028`,
      `${phone}/messages`,
      `../${phone}/messages`,
      `https://evil.example/upload:x`,
      `//evil.example/upload:x`,
      "upload:",
      "",
    ];
    const file = new Uint8Array([1, 2, 3]);
    for (const id of ids) {
      try {
        await wa.uploads.resume(id, file);
      } catch (error) {
        // A ValidationError before anything is sent, or the fake's answer about an unknown session.
        if (!(error instanceof ValidationError)) expect(String(error)).toMatch(/Unknown upload session|#100/);
      }
    }
    // Every request that reached the fake went to one upload session (a single path segment after
    // the version, decoded as the fake and Graph read it); none touched another endpoint.
    expect(w.fake.requests.length).toBeGreaterThan(0);
    for (const q of w.fake.requests) {
      const segments = q.path.split("/").filter(Boolean);
      expect(segments.length).toBe(2);
      expect(segments[1]?.startsWith("upload:")).toBe(true);
    }
    expect(w.reached.length).toBe(0);
  });
});
