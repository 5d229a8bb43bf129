import { describe, expect, it } from "vitest";
import { type Transport, TransportError, WhatsAppClient } from "../../src/index.js";

// Shapes from Meta's block API reference for BSUIDs (reference/cloud-api.md §11 "Identity
// (BSUID)"): a BSUID goes as `{ user_id }`, its answer has `input` and `user_id` and no `wa_id`;
// list entries carry `user_id` and omit `wa_id` when the number cannot be shared. Meta publishes
// no example body for these yet, so they are written here rather than kept as fixtures.
const BSUID = "US.13491208655302741918";

/** A client (policy on unless `policy: false`) whose transport answers every request with `body`. */
function answering(body: unknown, options: { policy?: false } = {}) {
  const requests: Array<{ method: string; body: unknown }> = [];
  const transport: Transport = async (req) => {
    requests.push({
      method: req.method,
      body: typeof req.body === "string" ? JSON.parse(req.body) : undefined,
    });
    return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
  };
  const wa = new WhatsAppClient({
    accessToken: "t",
    phoneNumberId: "106540352242922",
    transport,
    maxRetries: 0,
    ...options,
  });
  return { wa, requests };
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("block API: BSUIDs", () => {
  it("block() sends { user_id } for a BSUID and takes Meta's input + user_id answer", async () => {
    const { wa, requests } = answering(
      {
        messaging_product: "whatsapp",
        block_users: { added_users: [{ input: BSUID, user_id: BSUID }] },
      },
      { policy: false },
    );
    const r = await wa.blocklist.block([BSUID]);
    expect(requests[0]!.body).toEqual({ messaging_product: "whatsapp", block_users: [{ user_id: BSUID }] });
    expect(r.results).toEqual([{ user: BSUID, status: "added", userId: BSUID }]);
  });

  it("a BSUID Meta refuses keeps its user_id and per-item error", async () => {
    const { wa } = answering(
      {
        messaging_product: "whatsapp",
        block_users: {
          added_users: [],
          failed_users: [
            {
              input: BSUID,
              user_id: BSUID,
              errors: [
                {
                  message: "Re-engagement required",
                  code: 131047,
                  error_data: { details: "User has not messaged in the last 24 hours" },
                },
              ],
            },
          ],
        },
        error: { message: "(#139100) Failed to block/unblock users", type: "OAuthException", code: 139100 },
      },
      { policy: false },
    );
    const r = await wa.blocklist.block([BSUID]);
    expect(r.results[0]).toMatchObject({
      user: BSUID,
      status: "failed",
      userId: BSUID,
      error: { graphCode: 131047 },
    });
    expect(r.results[0]!.waId).toBeUndefined();
    expect(r.errors).toMatchObject([{ graphCode: 139100 }]);
  });

  it("list() yields entries without wa_id; sync() mirrors one entry per user and refuses every identifier given", async () => {
    const { wa } = answering({
      data: [
        { messaging_product: "whatsapp", wa_id: "14165551234", user_id: "US.1" },
        { messaging_product: "whatsapp", user_id: BSUID },
        { messaging_product: "whatsapp", wa_id: "5511987654321" },
      ],
    });
    expect(await collect(wa.blocklist.list())).toEqual([
      { waId: "14165551234", userId: "US.1" },
      { userId: BSUID },
      { waId: "5511987654321" },
    ]);
    expect(await wa.blocklist.sync()).toBe(3);
    const mirror = wa.policy.pipeline!.stores.blockMirror;
    // Meta counts users toward the 64,000 cap, not identifiers.
    expect(await mirror.size()).toBe(3);
    for (const to of ["+14165551234", "US.1", BSUID, "+5511987654321"]) {
      const verdict = await wa.policy.check({ type: "text", to, body: "hi" });
      expect(
        verdict.violations.map((v) => v.rule),
        to,
      ).toContain("blocklist");
    }
  });

  it("an entry with neither wa_id nor user_id fails the list instead of being dropped from the mirror", async () => {
    const { wa } = answering({ data: [{ messaging_product: "whatsapp" }] });
    const mirror = wa.policy.pipeline!.stores.blockMirror;
    await mirror.add(["14165551234"]);
    const e = await wa.blocklist.sync().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TransportError);
    expect(e).toMatchObject({ reason: "invalid_response" });
    expect(await mirror.has("14165551234")).toBe(true);
  });
});
