import { describe, expect, it } from "vitest";
import { isValidationError, type OutboundMessage, ValidationError } from "../../src/index.js";
import { setup, USER, USER_WA_ID } from "../helpers.js";

const long = (n: number) => "x".repeat(n);

describe("messages: request bodies match Meta's shapes", () => {
  const cases: Array<[string, OutboundMessage, Record<string, unknown>]> = [
    [
      "text",
      { type: "text", to: USER, body: "hi https://x.example", previewUrl: true },
      { type: "text", text: { body: "hi https://x.example", preview_url: true } },
    ],
    [
      "image by id",
      { type: "image", to: USER, media: { id: "1013859600285441" }, caption: "c" },
      { type: "image", image: { id: "1013859600285441", caption: "c" } },
    ],
    [
      "image by link",
      { type: "image", to: USER, media: { link: "https://a.example/x.png" } },
      { type: "image", image: { link: "https://a.example/x.png" } },
    ],
    [
      "audio voice",
      { type: "audio", to: USER, media: { id: "1" }, voice: true },
      { type: "audio", audio: { id: "1", voice: true } },
    ],
    ["video", { type: "video", to: USER, media: { id: "2" } }, { type: "video", video: { id: "2" } }],
    [
      "document",
      { type: "document", to: USER, media: { id: "3" }, caption: "c", filename: "a.pdf" },
      { type: "document", document: { id: "3", caption: "c", filename: "a.pdf" } },
    ],
    ["sticker", { type: "sticker", to: USER, media: { id: "4" } }, { type: "sticker", sticker: { id: "4" } }],
    [
      "location",
      {
        type: "location",
        to: USER,
        latitude: 37.44,
        longitude: -122.16,
        name: "Philz",
        address: "101 Forest Ave",
      },
      {
        type: "location",
        location: { latitude: 37.44, longitude: -122.16, name: "Philz", address: "101 Forest Ave" },
      },
    ],
    [
      "reaction",
      { type: "reaction", to: USER, messageId: "wamid.X", emoji: "👍" },
      { type: "reaction", reaction: { message_id: "wamid.X", emoji: "👍" } },
    ],
    [
      "contacts",
      {
        type: "contacts",
        to: USER,
        contacts: [
          {
            name: { formattedName: "John Smith", firstName: "John" },
            phones: [{ phone: "+14165551234", type: "CELL", waId: "14165551234" }],
          },
        ],
      },
      {
        type: "contacts",
        contacts: [
          {
            name: { formatted_name: "John Smith", first_name: "John" },
            phones: [{ phone: "+14165551234", type: "CELL", wa_id: "14165551234" }],
          },
        ],
      },
    ],
    [
      "reply buttons",
      {
        type: "buttons",
        to: USER,
        header: { image: { id: "27" } },
        body: "Hi",
        footer: "Shop",
        buttons: [
          { id: "change", title: "Change" },
          { id: "cancel", title: "Cancel" },
        ],
      },
      {
        type: "interactive",
        interactive: {
          type: "button",
          header: { type: "image", image: { id: "27" } },
          body: { text: "Hi" },
          footer: { text: "Shop" },
          action: {
            buttons: [
              { type: "reply", reply: { id: "change", title: "Change" } },
              { type: "reply", reply: { id: "cancel", title: "Cancel" } },
            ],
          },
        },
      },
    ],
    [
      "list",
      {
        type: "list",
        to: USER,
        header: "Shipping",
        body: "Which?",
        button: "Options",
        sections: [{ title: "Fast", rows: [{ id: "express", title: "Express", description: "1 day" }] }],
      },
      {
        type: "interactive",
        interactive: {
          type: "list",
          header: { type: "text", text: "Shipping" },
          body: { text: "Which?" },
          action: {
            button: "Options",
            sections: [{ title: "Fast", rows: [{ id: "express", title: "Express", description: "1 day" }] }],
          },
        },
      },
    ],
    [
      "cta_url",
      { type: "cta_url", to: USER, body: "Tap", displayText: "See Dates", url: "https://shop.example/d?x=1" },
      {
        type: "interactive",
        interactive: {
          type: "cta_url",
          body: { text: "Tap" },
          action: {
            name: "cta_url",
            parameters: { display_text: "See Dates", url: "https://shop.example/d?x=1" },
          },
        },
      },
    ],
  ];

  for (const [name, message, expected] of cases) {
    it(`builds ${name}`, async () => {
      const { fake, wa } = setup();
      fake.messaging.receiveMessage(USER);
      const result = await wa.messages.send(message);
      const sent = fake.messaging.sent.at(-1)!;
      expect(sent.payload).toMatchObject({
        messaging_product: "whatsapp",
        recipient_type: "individual",
        to: USER,
        ...expected,
      });
      expect(sent.payload["biz_opaque_callback_data"]).toBe(result.correlationId);
      expect(result).toMatchObject({ messageId: sent.id, waId: USER_WA_ID, input: USER });
    });
  }

  it("builds template components: header, positional body, currency, buttons", async () => {
    const { fake, wa } = setup();
    fake.templates.add({
      name: "order_confirmation",
      language: "en_US",
      category: "UTILITY",
      components: [
        { type: "HEADER", format: "IMAGE" },
        { type: "BODY", text: "Hi {{1}}, order {{2}} costs {{3}}" },
        {
          type: "BUTTONS",
          buttons: [
            { type: "QUICK_REPLY", text: "Stop" },
            { type: "URL", text: "Track", url: "https://shop.example/t/{{1}}" },
          ],
        },
      ],
    });
    const result = await wa.messages.sendTemplate({
      to: USER,
      name: "order_confirmation",
      language: "en_US",
      header: { image: { id: "55" } },
      body: ["Jessica", "SKBUP2", { type: "currency", fallbackValue: "$10", code: "USD", amount1000: 10000 }],
      buttons: [
        { type: "quick_reply", index: 0, payload: "UNSUB" },
        { type: "url", index: 1, text: "summer2023" },
      ],
    });
    expect(result.messageStatus).toBe("accepted");
    expect(fake.messaging.sent.at(-1)!.payload["template"]).toEqual({
      name: "order_confirmation",
      language: { code: "en_US" },
      components: [
        { type: "header", parameters: [{ type: "image", image: { id: "55" } }] },
        {
          type: "body",
          parameters: [
            { type: "text", text: "Jessica" },
            { type: "text", text: "SKBUP2" },
            { type: "currency", currency: { fallback_value: "$10", code: "USD", amount_1000: 10000 } },
          ],
        },
        {
          type: "button",
          sub_type: "quick_reply",
          index: "0",
          parameters: [{ type: "payload", payload: "UNSUB" }],
        },
        { type: "button", sub_type: "url", index: "1", parameters: [{ type: "text", text: "summer2023" }] },
      ],
    });
  });

  it("builds named template parameters with parameter_name", async () => {
    const { fake, wa } = setup();
    fake.templates.add({
      name: "reservation",
      language: "en_US",
      category: "UTILITY",
      parameterFormat: "NAMED",
      components: [{ type: "BODY", text: "{{guests}} guests on {{day}}" }],
    });
    await wa.messages.sendTemplate({
      to: USER,
      name: "reservation",
      language: "en_US",
      body: { guests: "4", day: "Saturday" },
    });
    expect(fake.messaging.sent.at(-1)!.payload["template"]).toMatchObject({
      components: [
        {
          type: "body",
          parameters: [
            { type: "text", parameter_name: "guests", text: "4" },
            { type: "text", parameter_name: "day", text: "Saturday" },
          ],
        },
      ],
    });
  });

  it("sends context replies and keeps the caller's biz_opaque_callback_data", async () => {
    const { fake, wa } = setup();
    const inbound = fake.messaging.receiveMessage(USER);
    const result = await wa.messages.sendText({
      to: USER,
      body: "re",
      replyTo: inbound.id,
      bizOpaqueCallbackData: "order-42",
    });
    expect(result.correlationId).toBe("order-42");
    expect(fake.messaging.sent.at(-1)!.payload).toMatchObject({
      context: { message_id: inbound.id },
      biz_opaque_callback_data: "order-42",
    });
  });

  it("generates a distinct correlation id per send", async () => {
    const { fake, wa } = setup();
    fake.messaging.receiveMessage(USER);
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++)
      ids.add((await wa.messages.sendText({ to: USER, body: `m${i}` })).correlationId);
    expect(ids.size).toBe(20);
    for (const id of ids) expect(id.length).toBeLessThanOrEqual(512);
  });

  it("sends to a business-scoped user id through `recipient`", async () => {
    const { fake, wa } = setup();
    fake.messaging.receiveMessage("US.13491208655302741918");
    const result = await wa.messages.sendText({ to: "US.13491208655302741918", body: "hi" });
    const payload = fake.messaging.sent.at(-1)!.payload;
    expect(payload["recipient"]).toBe("US.13491208655302741918");
    expect(payload["to"]).toBeUndefined();
    expect(result.userId).toBe("US.13491208655302741918");
    expect(result.waId).toBeUndefined();
  });

  it("marks as read and shows the typing indicator", async () => {
    const { fake, wa, calls } = setup();
    const inbound = fake.messaging.receiveMessage(USER);
    await wa.messages.markAsRead(inbound.id);
    await wa.messages.showTypingIndicator(inbound.id);
    expect(calls).toHaveLength(2);
    await expect(wa.messages.markAsRead("wamid.unknown")).rejects.toMatchObject({ graphCode: 100 });
  });
});

describe("messages: Meta's limits are checked locally and nothing is sent", () => {
  const invalid: Array<[string, unknown, RegExp]> = [
    ["text over 4096", { type: "text", to: USER, body: long(4097) }, /body.*4096/],
    ["empty text", { type: "text", to: USER, body: "" }, /body/],
    [
      "caption over 1024",
      { type: "image", to: USER, media: { id: "1" }, caption: long(1025) },
      /caption.*1024/,
    ],
    ["media with neither id nor link", { type: "image", to: USER, media: {} }, /media/],
    ["non-http media link", { type: "image", to: USER, media: { link: "ftp://x/y.png" } }, /media/],
    [
      "4 buttons",
      {
        type: "buttons",
        to: USER,
        body: "b",
        buttons: [1, 2, 3, 4].map((i) => ({ id: `b${i}`, title: `B${i}` })),
      },
      /at most 3 buttons/,
    ],
    [
      "button title over 20",
      { type: "buttons", to: USER, body: "b", buttons: [{ id: "a", title: long(21) }] },
      /title.*20/,
    ],
    [
      "duplicate button titles",
      {
        type: "buttons",
        to: USER,
        body: "b",
        buttons: [
          { id: "a", title: "Same" },
          { id: "b", title: "Same" },
        ],
      },
      /unique/,
    ],
    [
      "button id with spaces",
      { type: "buttons", to: USER, body: "b", buttons: [{ id: " a", title: "A" }] },
      /spaces/,
    ],
    [
      "11 list rows",
      {
        type: "list",
        to: USER,
        body: "b",
        button: "Pick",
        sections: [{ title: "s", rows: Array.from({ length: 11 }, (_, i) => ({ id: `r${i}`, title: "t" })) }],
      },
      /10 rows/,
    ],
    [
      "list row title over 24",
      {
        type: "list",
        to: USER,
        body: "b",
        button: "Pick",
        sections: [{ rows: [{ id: "r", title: long(25) }] }],
      },
      /title.*24/,
    ],
    [
      "untitled sections",
      {
        type: "list",
        to: USER,
        body: "b",
        button: "Pick",
        sections: [{ rows: [{ id: "a", title: "a" }] }, { rows: [{ id: "b", title: "b" }] }],
      },
      /title/,
    ],
    [
      "cta display text over 20",
      { type: "cta_url", to: USER, body: "b", displayText: long(21), url: "https://x.example" },
      /displayText/,
    ],
    ["bad recipient", { type: "text", to: "not a number", body: "hi" }, /^Invalid message: to:/],
    [
      "callback data over 512",
      { type: "text", to: USER, body: "hi", bizOpaqueCallbackData: long(513) },
      /bizOpaqueCallbackData.*512/,
    ],
    ["unknown type", { type: "fax", to: USER }, /type/],
    ["unknown field", { type: "text", to: USER, body: "hi", bodyy: "x" }, /bodyy/],
    ["bad template name", { type: "template", to: USER, name: "Spring Sale", language: "en_US" }, /name/],
    ["latitude out of range", { type: "location", to: USER, latitude: 91, longitude: 0 }, /latitude/],
  ];
  for (const [name, message, pattern] of invalid) {
    it(`refuses ${name}`, async () => {
      const { wa, calls } = setup();
      const error = await wa.messages.send(message as OutboundMessage).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect(isValidationError(error)).toBe(true);
      expect((error as ValidationError).message).toMatch(pattern);
      expect((error as ValidationError).issues.length).toBeGreaterThan(0);
      expect(calls).toEqual([]);
    });
  }
});
