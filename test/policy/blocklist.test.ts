import { describe, expect, it } from "vitest";
import { WhatsAppClient } from "../../src/index.js";
import { FakeClock, FakeCloudApi, fakeTransport } from "../../src/testing/index.js";

function client() {
  const clock = new FakeClock();
  const fake = new FakeCloudApi({ clock });
  const inner = fakeTransport(fake);
  const sizes: number[] = [];
  const bodies: Array<{ method: string; items: unknown[] }> = [];
  const wa = new WhatsAppClient({
    accessToken: fake.accessToken,
    phoneNumberId: fake.phoneNumberId,
    clock,
    transport: async (req) => {
      if (req.url.includes("/block_users") && typeof req.body === "string") {
        const items = (JSON.parse(req.body) as { block_users: unknown[] }).block_users;
        sizes.push(items.length);
        bodies.push({ method: req.method, items });
      }
      return inner(req);
    },
  });
  return { wa, fake, sizes, bodies, clock };
}

const BSUID = "US.13491208655302741918";
const PHONE = "+14165551234";

/** A user writes in (the fake opens its window) and the client records it (webhooks would). */
async function wroteIn(c: ReturnType<typeof client>, user: string) {
  c.fake.messaging.receiveMessage(user);
  await c.wa.sessions.recordInbound(user);
}

describe("block-list manager", () => {
  it("150,000 mixed numbers: one result per input, ≤ 1,000 per request, never past 64,000", async () => {
    const { wa, fake, sizes } = client();
    const inputs: string[] = [];
    for (let i = 0; i < 150_000; i++) {
      const kind = i % 10;
      const n = `+1416${String(i).padStart(7, "0")}`;
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
    const users = Array.from({ length: 2500 }, (_, i) => `+1416${String(i).padStart(7, "0")}`);
    for (const u of users) {
      fake.messaging.receiveMessage(u);
      await wa.sessions.recordInbound(u);
    }
    fake.failNext(1, 190, { operation: "block_users" });
    const r = await wa.blocklist.block(users);
    expect(r.requests).toBe(1);
    expect(
      r.results.every((x) => x.status === "failed" && (x.error as { graphCode?: number }).graphCode === 190),
    ).toBe(true);
  });
});

describe("block-list manager: BSUIDs", () => {
  it("sends a BSUID as { user_id } and a phone number as { user }, and maps Meta's BSUID answer", async () => {
    const c = client();
    await wroteIn(c, PHONE);
    await wroteIn(c, BSUID);
    const r = await c.wa.blocklist.block([PHONE, BSUID]);
    expect(c.bodies).toEqual([{ method: "POST", items: [{ user: PHONE }, { user_id: BSUID }] }]);
    expect(r.results).toEqual([
      { user: PHONE, status: "added", waId: "14165551234" },
      { user: BSUID, status: "added", userId: BSUID },
    ]);
    expect(r.errors).toEqual([]);
    expect(c.fake.blocklist.has(BSUID)).toBe(true);
    await expect(c.wa.messages.sendText({ to: BSUID, body: "hi" })).rejects.toMatchObject({
      rule: "blocklist",
    });

    const u = await c.wa.blocklist.unblock([BSUID, PHONE]);
    expect(c.bodies[1]).toEqual({ method: "DELETE", items: [{ user_id: BSUID }, { user: PHONE }] });
    expect(u.results).toEqual([
      { user: BSUID, status: "removed", userId: BSUID },
      { user: PHONE, status: "removed", waId: "14165551234" },
    ]);
    expect(c.fake.blocklist.has(BSUID)).toBe(false);
    await c.wa.messages.sendText({ to: BSUID, body: "hi again" });
  });

  it("refuses parent BSUIDs locally, per item, and sends nothing for them", async () => {
    const c = client();
    await wroteIn(c, PHONE);
    const parent = "US.ENT.99887766";
    const r = await c.wa.blocklist.block([parent, PHONE, parent]);
    expect(r.results).toEqual([
      { user: parent, status: "skipped", reason: "parent_bsuid_unsupported" },
      { user: PHONE, status: "added", waId: "14165551234" },
      { user: parent, status: "skipped", reason: "parent_bsuid_unsupported" },
    ]);
    expect(c.bodies).toEqual([{ method: "POST", items: [{ user: PHONE }] }]);
    expect(await c.wa.policy.pipeline!.stores.blockMirror.has(parent)).toBe(false);

    const u = await c.wa.blocklist.unblock([parent]);
    expect(u).toEqual({
      results: [{ user: parent, status: "skipped", reason: "parent_bsuid_unsupported" }],
      errors: [],
      requests: 0,
    });
    expect(c.bodies).toHaveLength(1);
  });

  it("keeps the pre-checks for BSUIDs: already blocked, no recent message, the 64,000 cap", async () => {
    const c = client();
    const never = "BR.neverwrote42";
    const r = await c.wa.blocklist.block([never]);
    expect(r.results[0]).toEqual({ user: never, status: "skipped", reason: "no_recent_message" });
    expect(r.requests).toBe(0);

    await wroteIn(c, BSUID);
    expect((await c.wa.blocklist.block([BSUID])).results[0]!.status).toBe("added");
    const again = await c.wa.blocklist.block([BSUID]);
    expect(again.results[0]).toEqual({ user: BSUID, status: "skipped", reason: "already_blocked" });
    expect(again.requests).toBe(0);

    const other = "US.77";
    await wroteIn(c, other);
    const mirror = c.wa.policy.pipeline!.stores.blockMirror;
    await mirror.add(Array.from({ length: 64_000 - 1 }, (_, i) => `1555${String(i).padStart(7, "0")}`));
    const full = await c.wa.blocklist.block([other]);
    expect(full.results[0]).toEqual({ user: other, status: "skipped", reason: "block_list_full" });
    expect(full.requests).toBe(0);
  });

  it("rebuilds the mirror from a list where a user's number is withheld: every identifier Meta gives is refused", async () => {
    const c = client();
    const withheld = { phone: "+16045559876", bsuid: "US.555000111" };
    const linked = { phone: "+447700900123", bsuid: "GB.4242" };
    c.fake.blocklist.linkUser(withheld.phone, withheld.bsuid, { numberWithheld: true });
    c.fake.blocklist.linkUser(linked.phone, linked.bsuid);
    for (const u of [PHONE, withheld.phone, linked.bsuid]) await wroteIn(c, u);
    await c.wa.blocklist.block([PHONE, withheld.phone, linked.bsuid]);

    const seen = [];
    for await (const user of c.wa.blocklist.list()) seen.push(user);
    expect(seen).toEqual([
      { waId: "14165551234" },
      { userId: withheld.bsuid },
      { waId: "447700900123", userId: linked.bsuid },
    ]);

    const mirror = c.wa.policy.pipeline!.stores.blockMirror;
    await mirror.replace([]);
    expect(await c.wa.blocklist.sync()).toBe(3);
    expect(await mirror.size()).toBe(3); // one per user, as Meta counts the cap
    for (const to of [PHONE, linked.phone, linked.bsuid]) {
      await expect(c.wa.messages.sendText({ to, body: "hi" }), to).rejects.toMatchObject({
        rule: "blocklist",
      });
    }
    await expect(c.wa.messages.sendText({ to: withheld.bsuid, body: "hi" })).rejects.toMatchObject({
      rule: "blocklist",
    });
  });
});
