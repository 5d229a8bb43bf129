import { describe, expect, it } from "vitest";
import {
  AuthenticationError,
  BlockListError,
  RateLimitError,
  TemplateError,
  ValidationError,
  WhatsAppClient,
} from "../../src/index.js";
import { FakeClock, FakeCloudApi, fakeTransport } from "../../src/testing/index.js";
import { setup, USER } from "../helpers.js";

const HOUR = 60 * 60 * 1000;
const err = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe("FakeCloudApi: messages", () => {
  it("rejects a wrong token with 190", async () => {
    const fake = new FakeCloudApi();
    const wa = new WhatsAppClient({
      accessToken: "wrong",
      phoneNumberId: fake.phoneNumberId,
      transport: fakeTransport(fake),
    });
    const e = await err(wa.account.phoneNumber());
    expect(e).toBeInstanceOf(AuthenticationError);
    expect(e).toMatchObject({ graphCode: 190, status: 401 });
  });

  it("enforces the 24-hour window for free-form messages, not for templates", async () => {
    const { fake, wa, clock } = setup();
    fake.templates.add({
      name: "hello",
      language: "en",
      category: "UTILITY",
      components: [{ type: "BODY", text: "Hello" }],
    });
    // Meta accepts a free-form message outside the window and reports 131047 in a failed status.
    await wa.messages.sendText({ to: USER, body: "hi" });
    fake.messaging.receiveMessage(USER, { text: "hey" });
    clock.advance(23 * HOUR);
    await wa.messages.sendText({ to: USER, body: "still open" });
    clock.advance(HOUR);
    await wa.messages.sendText({ to: USER, body: "closed" });
    await wa.messages.sendTemplate({ to: USER, name: "hello", language: "en" });
    expect(fake.messaging.sentTo(USER).map((m) => [m.type, m.failed?.code])).toEqual([
      ["text", 131047],
      ["text", undefined],
      ["text", 131047],
      ["template", undefined],
    ]);
  });

  it("knows who is on WhatsApp", async () => {
    const { fake, wa } = setup({ recipients: ["+14165551234"] });
    fake.templates.add({
      name: "hello",
      language: "en",
      category: "UTILITY",
      components: [{ type: "BODY", text: "Hello" }],
    });
    await wa.messages.sendTemplate({ to: USER, name: "hello", language: "en" });
    // Accepted, then failed with 131026 in a status webhook.
    await wa.messages.sendTemplate({ to: "+16045550100", name: "hello", language: "en" });
    expect(fake.messaging.isOnWhatsApp("+16045550100")).toBe(false);
    expect(fake.messaging.sent.map((m) => m.failed?.code)).toEqual([undefined, 131026]);
  });

  it("limits throughput per second with 130429 (no retries here)", async () => {
    const { fake, wa, clock } = setup({ throughputPerSecond: 80, recipients: "all" }, { maxRetries: 0 });
    fake.templates.add({
      name: "hello",
      language: "en",
      category: "UTILITY",
      components: [{ type: "BODY", text: "Hello" }],
    });
    const sends = Array.from({ length: 81 }, (_, i) =>
      err(
        wa.messages.sendTemplate({
          to: `+1416555${String(i).padStart(4, "0")}`,
          name: "hello",
          language: "en",
        }),
      ),
    );
    const results = await Promise.all(sends);
    expect(results.filter((r) => r === undefined)).toHaveLength(80);
    expect(results.find((r) => r !== undefined)).toBeInstanceOf(RateLimitError);
    clock.advance(1000);
    await wa.messages.sendTemplate({ to: "+14165559999", name: "hello", language: "en" });
  });

  it("limits the pair rate per recipient with 131056: a burst of 45, then one per 6 s", async () => {
    const { fake, wa, clock } = setup({}, { maxRetries: 0 });
    fake.messaging.receiveMessage(USER);
    for (let i = 0; i < 45; i++) {
      await wa.messages.sendText({ to: USER, body: `m${i}` });
      if (i % 40 === 39) clock.advance(1000); // stay under the 80/s throughput limit
    }
    expect(await err(wa.messages.sendText({ to: USER, body: "too many" }))).toMatchObject({
      graphCode: 131056,
    });
    fake.messaging.receiveMessage("+16045550100");
    await wa.messages.sendText({ to: "+16045550100", body: "another user is fine" });
    clock.advance(6000);
    await wa.messages.sendText({ to: USER, body: "one more after 6 s" });
  });

  it("keeps a drained pair-rate bucket through the sweep of refilled ones (over a thousand recipients)", async () => {
    const { fake, wa, clock } = setup({ throughputPerSecond: 1e9 }, { maxRetries: 0 });
    fake.templates.add({
      name: "hello",
      language: "en",
      category: "UTILITY",
      components: [{ type: "BODY", text: "Hello" }],
    });
    const send = (to: string) => err(wa.messages.sendTemplate({ to, name: "hello", language: "en" }));
    for (let i = 0; i < 45; i++) expect(await send(USER)).toBeUndefined();
    // 1,100 others, one a millisecond: the sweeps at 1,024 and after forget only full buckets.
    for (let i = 0; i < 1_100; i++) {
      expect(await send(`+1416777${String(i).padStart(4, "0")}`)).toBeUndefined();
      clock.advance(1);
    }
    expect(await send(USER)).toMatchObject({ graphCode: 131056 });
    // A swept recipient is a full bucket again: 45 more at once, then refused.
    clock.advance(45 * 6000);
    for (let i = 0; i < 45; i++) expect(await send("+14167770000")).toBeUndefined();
    expect(await send("+14167770000")).toMatchObject({ graphCode: 131056 });
  });

  it("checks templates: exists, approved, paused, disabled, parameter count and format", async () => {
    const { fake, wa } = setup();
    fake.templates.add({
      name: "pos",
      language: "en_US",
      category: "MARKETING",
      components: [
        { type: "FOOTER", text: "Reply STOP to opt out" },
        { type: "BODY", text: "Hi {{1}}, {{2}}" },
      ],
    });
    fake.templates.add({
      name: "named",
      language: "en_US",
      category: "UTILITY",
      parameterFormat: "NAMED",
      components: [{ type: "BODY", text: "Hi {{first_name}}" }],
    });
    fake.templates.add({
      name: "pending",
      language: "en_US",
      category: "UTILITY",
      status: "PENDING",
      components: [{ type: "BODY", text: "x" }],
    });
    const send = (m: Parameters<typeof wa.messages.sendTemplate>[0]) => err(wa.messages.sendTemplate(m));
    expect(await send({ to: USER, name: "pos", language: "en_US", body: ["a", "b"] })).toBeUndefined();
    expect(await send({ to: USER, name: "pos", language: "es", body: ["a", "b"] })).toMatchObject({
      graphCode: 132001,
    });
    expect(await send({ to: USER, name: "nope", language: "en_US" })).toMatchObject({ graphCode: 132001 });
    expect(await send({ to: USER, name: "pending", language: "en_US" })).toMatchObject({ graphCode: 132001 });
    expect(await send({ to: USER, name: "pos", language: "en_US", body: ["a"] })).toMatchObject({
      graphCode: 132000,
    });
    expect(await send({ to: USER, name: "pos", language: "en_US", body: { a: "1", b: "2" } })).toMatchObject({
      graphCode: 132012,
    });
    expect(await send({ to: USER, name: "named", language: "en_US", body: ["Ann"] })).toMatchObject({
      graphCode: 132012,
    });
    expect(
      await send({ to: USER, name: "named", language: "en_US", body: { first_name: "Ann" } }),
    ).toBeUndefined();
    fake.templates.setStatus("pos", "PAUSED");
    const paused = await send({ to: USER, name: "pos", language: "en_US", body: ["a", "b"] });
    expect(paused).toBeInstanceOf(TemplateError);
    expect(paused).toMatchObject({ graphCode: 132015 });
    fake.templates.setStatus("pos", "DISABLED");
    expect(await send({ to: USER, name: "pos", language: "en_US", body: ["a", "b"] })).toMatchObject({
      graphCode: 132016,
    });
  });

  it("fault injection: errors only for matching requests, latency on the fake clock", async () => {
    const clock = new FakeClock();
    const fake = new FakeCloudApi({ clock });
    const wa = new WhatsAppClient({
      accessToken: fake.accessToken,
      phoneNumberId: fake.phoneNumberId,
      transport: fakeTransport(fake),
      clock,
      maxRetries: 0,
      policy: false,
    });
    fake.failNext(1, { code: 131048 }, { match: (r) => r.method === "POST" });
    await wa.account.phoneNumber(); // a GET: not matched
    fake.messaging.receiveMessage(USER);
    expect(await err(wa.messages.sendText({ to: USER, body: "hi" }))).toMatchObject({ graphCode: 131048 });
    fake.setLatency(250);
    const before = clock.now();
    await wa.messages.sendText({ to: USER, body: "hi" });
    expect(clock.now() - before).toBe(250);
  });
});

describe("FakeCloudApi + client: block list", () => {
  it("blocks only users who wrote in the last 24 h, one result per input, and refuses sends to them", async () => {
    const { fake, wa } = setup();
    fake.messaging.receiveMessage(USER);
    const r = await wa.blocklist.block([USER, "+16045550100"]);
    expect(
      r.results.map((x) => [x.user, x.status, (x.error as { graphCode?: number } | undefined)?.graphCode]),
    ).toEqual([
      [USER, "added", undefined],
      ["+16045550100", "failed", 131047],
    ]);
    expect(r.errors[0]).toBeInstanceOf(BlockListError);
    expect(fake.blocklist.has(USER)).toBe(true);
    expect(await err(wa.messages.sendText({ to: USER, body: "hi" }))).toMatchObject({ graphCode: 130403 });
    const again = await wa.blocklist.block([USER]);
    expect(again.results[0]!.status).toBe("added");
    await wa.blocklist.unblock([USER]);
    expect(fake.blocklist.has(USER)).toBe(false);
    await wa.messages.sendText({ to: USER, body: "hi again" });
  });

  it("refuses self blocks per item; splits more than 1,000 users into chunks; skips invalid input locally", async () => {
    const { fake, wa, calls } = setup();
    const self = `+${fake.displayPhoneNumber}`;
    fake.messaging.receiveMessage(self);
    const r = await wa.blocklist.block([self]);
    expect(r.results[0]).toMatchObject({ status: "failed", error: { graphCode: 131021 } });
    const n = calls.length;
    const many = Array.from({ length: 1001 }, (_, i) => `+1416${String(i).padStart(7, "0")}`);
    for (const u of many) fake.messaging.receiveMessage(u);
    const big = await wa.blocklist.block(many);
    expect(big.requests).toBe(2);
    expect(big.results.filter((x) => x.status === "added")).toHaveLength(1001);
    expect(calls.length).toBe(n + 2);
    expect((await wa.blocklist.block([])).results).toEqual([]);
    const bad = await wa.blocklist.block(["not-a-number"]);
    expect(bad.results).toEqual([{ user: "not-a-number", status: "skipped", reason: "invalid_number" }]);
    expect(calls.length).toBe(n + 2);
  });

  it("answers more than 1,000 per request with 130429 when a client skips the check", async () => {
    const fake = new FakeCloudApi();
    const users = Array.from({ length: 1001 }, (_, i) => ({ user: `+1416${String(i).padStart(7, "0")}` }));
    const res = await fake.handle({
      method: "POST",
      url: `https://graph.facebook.com/v25.0/${fake.phoneNumberId}/block_users`,
      headers: { authorization: `Bearer ${fake.accessToken}` },
      body: JSON.stringify({ messaging_product: "whatsapp", block_users: users }),
      timeouts: { connectMs: 1, headersMs: 1, bodyMs: 1 },
    });
    expect(JSON.parse(String(res.body)).error.code).toBe(130429);
  });

  it("caps the list at 64,000 with per-item 139101", async () => {
    const { fake, wa } = setup();
    for (let i = 0; i < 64_000; i++) fake.messaging.blocked.add(`1555${String(i).padStart(7, "0")}`);
    fake.messaging.receiveMessage(USER);
    const r = await wa.blocklist.block([USER]);
    expect(r.results[0]).toMatchObject({ status: "failed", error: { graphCode: 139101 } });
  });

  it("lists across pages and reports 139102 when the list changes mid-way", async () => {
    const { fake, wa } = setup();
    const users = Array.from({ length: 5 }, (_, i) => `+1416555000${i}`);
    for (const u of users) fake.messaging.receiveMessage(u);
    await wa.blocklist.block(users);
    const seen: string[] = [];
    for await (const { waId } of wa.blocklist.list({ limit: 2 })) seen.push(String(waId));
    expect(seen).toEqual(users.map((u) => u.slice(1)));
    const iter = wa.blocklist.list({ limit: 2 });
    await iter.next();
    await iter.next();
    await wa.blocklist.unblock([users[4]!]);
    const e = await err(iter.next());
    expect(e).toMatchObject({ graphCode: 139102 });
  });
});

describe("FakeCloudApi: block list with BSUIDs", () => {
  const BSUID = "US.13491208655302741918";

  interface RawBody {
    data: unknown[];
    block_users: {
      added_users?: unknown[];
      removed_users?: unknown[];
      failed_users: Array<{ input: string; errors: Array<{ code: number }> }>;
    };
    error: { code: number };
  }

  /** One raw request to the fake's block_users edge; the parsed body. */
  async function raw(fake: FakeCloudApi, method: "GET" | "POST" | "DELETE", items?: unknown[]) {
    const res = await fake.handle({
      method,
      url: `https://graph.facebook.com/v25.0/${fake.phoneNumberId}/block_users`,
      headers: { authorization: `Bearer ${fake.accessToken}` },
      ...(items && { body: JSON.stringify({ messaging_product: "whatsapp", block_users: items }) }),
      timeouts: { connectMs: 1, headersMs: 1, bodyMs: 1 },
    });
    return JSON.parse(String(res.body)) as RawBody;
  }

  it("takes { user_id } for a BSUID and answers with input + user_id, no wa_id", async () => {
    const fake = new FakeCloudApi();
    fake.messaging.receiveMessage(BSUID);
    fake.messaging.receiveMessage(USER);
    const body = await raw(fake, "POST", [{ user_id: BSUID }, { user: USER }]);
    expect(body).toEqual({
      messaging_product: "whatsapp",
      block_users: {
        added_users: [
          { input: BSUID, user_id: BSUID },
          { input: USER, wa_id: "14165551234" },
        ],
      },
    });
    expect(fake.blocklist.has(BSUID)).toBe(true);
    const removed = await raw(fake, "DELETE", [{ user_id: BSUID }]);
    expect(removed.block_users).toEqual({ removed_users: [{ input: BSUID, user_id: BSUID }] });
    expect(fake.blocklist.has(BSUID)).toBe(false);
  });

  it("refuses parent BSUIDs per item with 100, a BSUID sent as { user }, and a phone sent as { user_id }", async () => {
    const fake = new FakeCloudApi();
    fake.messaging.receiveMessage(BSUID);
    fake.messaging.receiveMessage(USER);
    const body = await raw(fake, "POST", [
      { user_id: "US.ENT.99887766" },
      { user: "US.ENT.99887766" },
      { user: BSUID },
      { user_id: USER },
    ]);
    const failed = body.block_users.failed_users;
    expect(failed.map((f) => [f.input, f.errors[0]?.code])).toEqual([
      ["US.ENT.99887766", 100],
      ["US.ENT.99887766", 100],
      [BSUID, 131047],
      [USER, 100],
    ]);
    expect(failed[0]).toEqual({
      input: "US.ENT.99887766",
      errors: [
        {
          message: "Invalid parameter",
          code: 100,
          // As Meta's block-users page shows a failed user's error: no messaging_product inside.
          error_data: {
            details: "Parent business-scoped user IDs (parent_user_id) are not supported by the block API",
          },
        },
      ],
    });
    expect(body.block_users.added_users).toEqual([]);
    expect(body.error).toMatchObject({ code: 139100 });
    expect(fake.blocklist.list()).toEqual([]);
  });

  it("linkUser: one user under a number and a BSUID; the list omits wa_id when the number is withheld", async () => {
    const { fake, wa } = setup();
    fake.blocklist.linkUser(USER, BSUID, { numberWithheld: true });
    fake.blocklist.linkUser("+447700900123", "GB.4242");
    fake.messaging.receiveMessage(USER); // wrote from the number: the BSUID's window is the same person's
    fake.messaging.receiveMessage("GB.4242");
    const r = await wa.blocklist.block([BSUID, "+447700900123"]);
    expect(r.results.map((x) => x.status)).toEqual(["added", "added"]);
    expect(fake.blocklist.has(USER)).toBe(true);
    expect(await err(wa.messages.sendText({ to: USER, body: "hi" }))).toMatchObject({ graphCode: 130403 });
    const again = await raw(fake, "POST", [{ user: USER }]);
    expect(again.block_users.added_users).toEqual([{ input: USER, wa_id: "14165551234" }]);
    expect(fake.blocklist.list()).toEqual([BSUID, "447700900123"]);
    expect((await raw(fake, "GET")).data).toEqual([
      { messaging_product: "whatsapp", user_id: BSUID },
      { messaging_product: "whatsapp", wa_id: "447700900123", user_id: "GB.4242" },
    ]);
    const seen = [];
    for await (const user of wa.blocklist.list()) seen.push(user);
    expect(seen).toEqual([{ userId: BSUID }, { waId: "447700900123", userId: "GB.4242" }]);
    await wa.blocklist.unblock([USER]);
    expect(fake.blocklist.has(BSUID)).toBe(false);
    expect(fake.blocklist.list()).toEqual(["447700900123"]);
  });

  it("counts a linked user once against the 64,000 cap", async () => {
    const { fake, wa } = setup();
    fake.blocklist.linkUser(USER, BSUID);
    fake.messaging.receiveMessage(USER);
    await wa.blocklist.block([USER]);
    for (let i = 0; i < 63_998; i++) fake.messaging.blocked.add(`1555${String(i).padStart(7, "0")}`);
    fake.messaging.receiveMessage("+16045550100");
    fake.messaging.receiveMessage("+16045550101");
    const r = await wa.blocklist.block(["+16045550100", "+16045550101"]);
    expect(
      r.results.map((x) => [x.status, (x.error as { graphCode?: number } | undefined)?.graphCode]),
    ).toEqual([
      ["added", undefined],
      ["failed", 139101],
    ]);
  });
});

describe("FakeCloudApi + client: templates, media, phone number", () => {
  it("creates (PENDING), lists with pagination, gets and deletes templates", async () => {
    const { fake, wa } = setup();
    for (let i = 0; i < 5; i++)
      fake.templates.add({
        name: `t${i}`,
        language: "en",
        category: "UTILITY",
        components: [{ type: "BODY", text: "x" }],
      });
    const created = await wa.templates.create({
      name: "spring_sale",
      category: "MARKETING",
      language: "en_US",
      components: [
        { type: "FOOTER", text: "Reply STOP to opt out" },
        { type: "BODY", text: "Hi {{1}}", example: { body_text: [["Ann"]] } },
      ],
    });
    expect(created.status).toBe("PENDING");
    expect(
      await err(
        wa.templates.create({
          name: "spring_sale",
          category: "MARKETING",
          language: "en_US",
          components: [
            { type: "FOOTER", text: "Reply STOP to opt out" },
            { type: "BODY", text: "again" },
          ],
        }),
      ),
    ).toMatchObject({ graphCode: 100 });
    const names: string[] = [];
    for await (const t of wa.templates.list({ limit: 2 })) names.push(t.name);
    expect(names).toEqual(["t0", "t1", "t2", "t3", "t4", "spring_sale"]);
    expect((await wa.templates.get(created.id)).name).toBe("spring_sale");
    await wa.templates.delete({ name: "spring_sale", id: created.id });
    expect(fake.templates.find("spring_sale", "en_US")).toBeUndefined();
    expect(await err(wa.templates.delete({ name: "spring_sale" }))).toMatchObject({ graphCode: 100 });
    expect(
      await err(
        wa.templates.create({
          name: "Bad Name",
          category: "MARKETING",
          language: "en",
          components: [{ type: "FOOTER", text: "Reply STOP to opt out" }, { type: "BODY" }],
        }),
      ),
    ).toBeInstanceOf(ValidationError);
  });

  it("uploads, looks up, downloads and deletes media", async () => {
    const { wa } = setup();
    const bytes = new Uint8Array([137, 80, 78, 71]);
    const { id } = await wa.media.upload({ file: bytes, mimeType: "image/png", filename: "a.png" });
    const info = await wa.media.get(id);
    expect(info).toMatchObject({ id, mimeType: "image/png", fileSize: 4 });
    expect((await wa.media.download(id)).data).toEqual(bytes);
    await wa.media.delete(id);
    expect(await err(wa.media.get(id))).toMatchObject({ graphCode: 100 });
  });

  it("never sends the token to a host Meta does not own", async () => {
    const { wa, calls } = setup();
    expect(await err(wa.media.download("https://evil.example/steal"))).toBeInstanceOf(ValidationError);
    expect(calls).toEqual([]);
  });

  it("reports phone-number health fields", async () => {
    const { wa } = setup({
      phoneNumber: { quality_rating: "YELLOW", whatsapp_business_manager_messaging_limit: "TIER_250" },
    });
    expect(await wa.account.phoneNumber()).toMatchObject({
      qualityRating: "YELLOW",
      messagingLimit: "TIER_250",
      status: "CONNECTED",
      throughputLevel: "STANDARD",
    });
    expect(await err(wa.account.phoneNumber({ fields: ["nonsense"] }))).toMatchObject({ graphCode: 100 });
  });
});
