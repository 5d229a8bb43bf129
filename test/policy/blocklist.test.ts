import { describe, expect, it } from "vitest";
import { WhatsAppClient } from "../../src/index.js";
import { FakeClock, FakeCloudApi, fakeTransport } from "../../src/testing/index.js";

function client() {
  const clock = new FakeClock();
  const fake = new FakeCloudApi({ clock });
  const inner = fakeTransport(fake);
  const sizes: number[] = [];
  const wa = new WhatsAppClient({
    accessToken: fake.accessToken,
    phoneNumberId: fake.phoneNumberId,
    clock,
    transport: async (req) => {
      if (req.url.includes("/block_users") && typeof req.body === "string") {
        sizes.push((JSON.parse(req.body) as { block_users: unknown[] }).block_users.length);
      }
      return inner(req);
    },
  });
  return { wa, fake, sizes, clock };
}

describe("block-list manager", () => {
  it("150,000 mixed numbers: one result per input, ≤ 1,000 per request, never past 64,000", async () => {
    const { wa, fake, sizes } = client();
    const inputs: string[] = [];
    for (let i = 0; i < 150_000; i++) {
      const kind = i % 10;
      const n = `+1650${String(i).padStart(7, "0")}`;
      if (kind === 0) inputs.push("not a number");
      else if (kind === 1)
        inputs.push(inputs.length > 10 ? (inputs[inputs.length - 3] as string) : n); // duplicates
      else if (kind === 2)
        inputs.push(n); // never wrote: ineligible
      else {
        fake.messaging.receiveMessage(n);
        await wa.sessions.recordInbound(n);
        inputs.push(n);
      }
    }
    const { results, requests } = await wa.blocklist.block(inputs);
    expect(results).toHaveLength(inputs.length);
    expect(results.map((r) => r.user)).toEqual(inputs);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1000);
    expect(sizes).toHaveLength(requests);
    const count = (status: string, reason?: string) =>
      results.filter((r) => r.status === status && (reason === undefined || r.reason === reason)).length;
    expect(count("added")).toBe(64_000);
    expect(fake.blocklist.list()).toHaveLength(64_000);
    expect(count("skipped", "invalid_number")).toBe(15_000);
    expect(count("skipped", "no_recent_message")).toBeGreaterThan(0);
    expect(count("skipped", "duplicate")).toBeGreaterThan(0);
    expect(count("skipped", "block_list_full")).toBeGreaterThan(0);
    expect(count("failed")).toBe(0);
    expect(count("unreported")).toBe(0);
    expect(count("added") + count("skipped")).toBe(inputs.length);
  }, 60_000);

  it("recognises the same person under two spellings and skips what is already blocked", async () => {
    const { wa, fake } = client();
    fake.messaging.receiveMessage("+5511987654321");
    await wa.sessions.recordInbound("+5511987654321");
    const r = await wa.blocklist.block(["+5511987654321", "+55 11 8765-4321"]);
    expect(r.results.map((x) => x.status + (x.reason ? `:${x.reason}` : ""))).toEqual([
      "added",
      "skipped:duplicate",
    ]);
    const again = await wa.blocklist.block(["+5511987654321"]);
    expect(again.results[0]).toMatchObject({ status: "skipped", reason: "already_blocked" });
    expect(again.requests).toBe(0);
    await expect(wa.messages.sendText({ to: "+55 11 8765-4321", body: "hi" })).rejects.toMatchObject({
      rule: "blocklist",
    });
  });

  it("marks a whole chunk failed when its request fails, and stops early on bad credentials", async () => {
    const { wa, fake } = client();
    const users = Array.from({ length: 2500 }, (_, i) => `+1650${String(i).padStart(7, "0")}`);
    for (const u of users) {
      fake.messaging.receiveMessage(u);
      await wa.sessions.recordInbound(u);
    }
    fake.failNext(1, 190);
    const r = await wa.blocklist.block(users);
    expect(r.requests).toBe(1);
    expect(
      r.results.every((x) => x.status === "failed" && (x.error as { graphCode?: number }).graphCode === 190),
    ).toBe(true);
  });
});
