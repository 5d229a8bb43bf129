import { describe, expect, it, vi } from "vitest";
import { type MessageTemplate, signWebhookBody, verifyWebhookSignature } from "../../src/index.js";
import { TemplateCache } from "../../src/policy/template-cache.js";
import { FakeClock } from "../../src/testing/index.js";
import { connected } from "../helpers.js";

const USER = "+14165551234";
const WA_ID = "14165551234";

function setup() {
  const { clock, fake, wa } = connected({ client: { webhooks: { maxBodyBytes: 64 * 1024 } } });
  const sec = (ms: number) => String(Math.floor(ms / 1000));
  const post = async (payload: unknown) => {
    const result = await wa.webhooks.handle(fake.webhooks.request(payload));
    await result.delivered;
    return result;
  };
  const messages = (value: Record<string, unknown>) => ({
    object: "whatsapp_business_account",
    entry: [
      {
        id: fake.wabaId,
        changes: [{ field: "messages", value: { messaging_product: "whatsapp", ...value } }],
      },
    ],
  });
  const text = (id: string, body: string, at: number) =>
    messages({ messages: [{ from: WA_ID, id, timestamp: sec(at), type: "text", text: { body } }] });
  return { clock, fake, wa, post, messages, text, sec };
}

describe("webhook handling: regressions", () => {
  it("a once() listener runs once", async () => {
    const { clock, wa, post, text } = setup();
    const once = vi.fn();
    wa.once("message", once);
    await post(text("wamid.a", "hi", clock.now()));
    await post(text("wamid.b", "hi again", clock.now()));
    expect(once).toHaveBeenCalledTimes(1);
  });

  it("a START delivered after a newer STOP does not undo it", async () => {
    const { clock, wa, post, text } = setup();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const t0 = clock.now();
    clock.advance(5000);
    await post(text("wamid.stop", "STOP", t0 + 4000));
    await post(text("wamid.start", "START", t0 + 1000)); // sent earlier, arrived later
    expect((await wa.consent.status(USER, "marketing")).granted).toBe(false);
  });

  it("a resume older than the stop it would lift is ignored", async () => {
    const { clock, wa, post } = setup();
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    const pref = (value: string, at: number) => ({
      object: "whatsapp_business_account",
      entry: [
        {
          id: "1",
          changes: [
            {
              field: "user_preferences",
              value: {
                user_preferences: [
                  { wa_id: WA_ID, category: "marketing_messages", value, timestamp: Math.floor(at / 1000) },
                ],
              },
            },
          ],
        },
      ],
    });
    const t0 = clock.now();
    clock.advance(10_000);
    await post(pref("stop", t0 + 8000));
    const optIns: boolean[] = [];
    wa.on("optIn", (e) => void optIns.push(e.granted));
    await post(pref("resume", t0 + 2000));
    expect(optIns).toEqual([false]);
    expect((await wa.consent.status(USER, "marketing")).granted).toBe(false);
  });

  it("a call dated in the future opens the window from now, not from then", async () => {
    const { clock, wa, post, sec } = setup();
    await post({
      object: "whatsapp_business_account",
      entry: [
        {
          id: "1",
          changes: [
            {
              field: "calls",
              value: {
                calls: [
                  {
                    id: "wacid.1",
                    from: WA_ID,
                    event: "connect",
                    direction: "USER_INITIATED",
                    timestamp: sec(clock.now() + 30 * 86_400_000),
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    expect((await wa.sessions.status(USER)).open).toBe(true);
    clock.advance(25 * 3_600_000);
    expect((await wa.sessions.status(USER)).open).toBe(false);
  });

  it("identical 130429 errors in separate deliveries each count toward the storm pause", async () => {
    const { wa, post, messages } = setup();
    for (let i = 0; i < 3; i++) await post(messages({ errors: [{ code: 130429, title: "Rate limit hit" }] }));
    expect((await wa.account.health()).restrictions.map((r) => r.scope)).toEqual(["throughput"]);
  });

  it("a failed status redelivered days later does not open a fresh restriction", async () => {
    const { clock, wa, post, messages, sec } = setup();
    const sentAt = clock.now();
    clock.advance(3 * 86_400_000);
    await post(
      messages({
        statuses: [
          {
            id: "wamid.x",
            status: "failed",
            timestamp: sec(sentAt),
            recipient_id: WA_ID,
            errors: [{ code: 131048, title: "Spam rate limit hit" }],
          },
        ],
      }),
    );
    expect((await wa.account.health()).restrictions).toEqual([]);
  });

  it("a template update that lands while the list is being fetched is not overwritten", async () => {
    const clock = new FakeClock();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const approved: MessageTemplate = {
      id: "1",
      name: "promo",
      language: "en_US",
      status: "APPROVED",
      category: "MARKETING",
      parameterFormat: "POSITIONAL",
      components: [{ type: "FOOTER", text: "Reply STOP to opt out" }],
    };
    const cache = new TemplateCache(async function* () {
      await gate; // the list was read before the webhook…
      yield approved;
    }, clock);
    const loading = cache.refresh();
    cache.applyUpdate({ id: "1", status: "PAUSED" }); // …which arrives during the fetch
    release();
    await loading;
    expect((await cache.get("promo", "en_US"))?.status).toBe("PAUSED");
  });

  it("content it cannot convert never makes the handler throw", async () => {
    const { post } = setup();
    const weird = {
      object: "whatsapp_business_account",
      entry: [
        {
          id: { toString: 1 },
          changes: [
            {
              field: "messages",
              value: {
                errors: [{ code: { toString: 1 } }],
                statuses: [{ id: "w", status: "failed", errors: [{ code: { valueOf: 1 } }] }],
              },
            },
          ],
        },
      ],
    };
    expect((await post(weird)).status).toBe(200);
  });

  it("picks the contact of the sender in a batch, not the first one", async () => {
    const { clock, wa, post, messages, sec } = setup();
    const names: string[] = [];
    wa.on("message", (m) => void names.push(m.profileName ?? "?"));
    await post(
      messages({
        contacts: [
          { profile: { name: "Ann" }, wa_id: "14165550001" },
          { profile: { name: "Bob" }, wa_id: "14165550002" },
        ],
        messages: [
          {
            from: "14165550002",
            id: "wamid.b",
            timestamp: sec(clock.now()),
            type: "text",
            text: { body: "hi" },
          },
          {
            from: "14165550003",
            id: "wamid.c",
            timestamp: sec(clock.now()),
            type: "text",
            text: { body: "hi" },
          },
        ],
      }),
    );
    expect(names).toEqual(["Bob", "?"]);
  });

  it("the fetch handler refuses an oversized body from its Content-Length, before reading it", async () => {
    const { wa } = setup();
    const handler = wa.webhooks.fetchHandler();
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(16 * 1024));
        if (pulled > 100) controller.close();
      },
    });
    const res = await handler(
      new Request("https://bot.example/webhook", {
        method: "POST",
        headers: { "content-length": String(10 * 1024 * 1024) },
        body,
        duplex: "half",
      } as RequestInit),
    );
    expect(res.status).toBe(413);
    expect(pulled).toBeLessThan(3);
    const streamed = await handler(
      new Request("https://bot.example/webhook", { method: "POST", body: "x".repeat(100 * 1024) }),
    );
    expect(streamed.status).toBe(413);
  });

  it("the escaped-form fallback refuses a prepended BOM and invalid UTF-8", () => {
    const signed = '{"a":"\\u00e9"}';
    const sig = signWebhookBody(signed, "s");
    expect(() => verifyWebhookSignature('{"a":"é"}', sig, ["s"])).not.toThrow();
    expect(() => verifyWebhookSignature('\ufeff{"a":"é"}', sig, ["s"])).toThrow(/does not match/);
    const invalid = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3]), Buffer.from('"}')]);
    expect(() => verifyWebhookSignature(invalid, sig, ["s"])).toThrow(/does not match/);
  });
});
