/**
 * The adversary's text: links dressed up so the content guard misreads them, account numbers
 * laid out to slip past it, and text shaped to make it slow. Nothing refused may reach the fake,
 * and 64 KB of any shape is scanned with a bounded amount of work per character.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  isPolicyViolation,
  isValidationError,
  type OutboundMessage,
  WhatsAppClient,
} from "../../src/index.js";
import { scanStats } from "../../src/policy/account-numbers.js";
import { contentProblem } from "../../src/policy/content.js";
import { FakeClock, FakeCloudApi, fakeTransport } from "../../src/testing/index.js";

const U = "+14165550001";

async function world(content: object = {}) {
  const clock = new FakeClock();
  const fake = new FakeCloudApi({ clock });
  const wa = new WhatsAppClient({
    accessToken: fake.accessToken,
    phoneNumberId: fake.phoneNumberId,
    clock,
    transport: fakeTransport(fake),
    policy: { disable: ["template", "consent", "frequency"], content },
  });
  fake.messaging.receiveMessage(U);
  await wa.sessions.recordInbound(U);
  const sent = () => fake.messaging.sentTo(U).length;
  const outcome = async (m: OutboundMessage) => {
    const e = await wa.messages.send(m).catch((x: unknown) => x);
    if (isPolicyViolation(e)) return e.rule === "content" ? "refused" : `refused by ${e.rule}`;
    if (isValidationError(e)) return "invalid";
    if (e instanceof Error) throw e;
    return "sent";
  };
  return { wa, fake, sent, outcome };
}

const template = (body: string[]): OutboundMessage => ({
  type: "template",
  to: U,
  name: "notice",
  language: "en_US",
  body,
});

describe("links dressed up for the guard", () => {
  it("refuses a CTA button to https://%62it.ly/x and text links a browser reads as bit.ly or tinyurl.com", async () => {
    const { outcome, sent } = await world();
    const base = { to: U, body: "Our sale" };
    expect(await outcome({ type: "cta_url", ...base, displayText: "Open", url: "https://%62it.ly/x" })).toBe(
      "refused",
    );
    for (const link of ["https://ｂｉｔ.ｌｙ/x", "https://tinyurl。com/x", "HTTPS://Bit.Ly/x", "bit.ly./x"])
      expect(await outcome({ type: "text", to: U, body: `see ${link}` }), link).toBe("refused");
    expect(sent()).toBe(0);
  });

  it("with allowDomains, refuses IDN look-alikes, IP addresses in any notation, [::1] and localhost", async () => {
    const { outcome, sent } = await world({ allowDomains: ["shop.example"] });
    for (const url of [
      "https://evіl.com/",
      "https://пример.рф/",
      "http://1572395042/",
      "http://0x5DB8D822/",
      "http://93.184.216.34/",
      "http://[::1]/",
      "http://localhost/",
      "https://shop.example.evil.com/",
    ]) {
      expect(await outcome({ type: "cta_url", to: U, body: "b", displayText: "Open", url }), url).toBe(
        "refused",
      );
    }
    expect(
      await outcome({
        type: "cta_url",
        to: U,
        body: "b",
        displayText: "Open",
        url: "https://shop.example/x",
      }),
    ).toBe("sent");
    expect(sent()).toBe(1);
  });

  it("no spelling of a shortener link reaches Meta (property)", async () => {
    const { outcome, sent } = await world();
    const spelled = fc.record({
      scheme: fc.constantFrom("", "http://", "https://", "HTTPS://", "http:\\\\", "https://user@"),
      b: fc.constantFrom("b", "B", "ｂ", "%62", "%42", "b\u200b", "b\u00ad"),
      dot: fc.constantFrom(".", "。", "．", "｡", "%2e"),
      tld: fc.constantFrom("ly", "LY", "ｌｙ", "l\u200by"),
      trail: fc.constantFrom("", ".", "/x", "./x", ":443/x", ")", "?q=1"),
      before: fc.constantFrom("", "see ", "(", "詳細は", "\n"),
    });
    await fc.assert(
      fc.asyncProperty(spelled, async (p) => {
        // "%2e" and "%62" are host escapes only after a scheme; without one a client shows them as text.
        if (p.scheme === "" && (p.dot === "%2e" || p.b.startsWith("%"))) return;
        const body = `${p.before}${p.scheme}${p.b}it${p.dot}${p.tld}${p.trail}`;
        expect(await outcome({ type: "text", to: U, body }), body).toBe("refused");
      }),
      { numRuns: 300 },
    );
    expect(sent()).toBe(0);
  });
});

describe("account numbers laid out to slip past", () => {
  it("refuses a card or IBAN in any layout, in any field, and sends ordinary text", async () => {
    const { outcome, sent } = await world();
    const card = fc.record({
      number: fc.constantFrom("4111111111111111", "5555555555554444", "378282246310005", "6011111111111117"),
      sep: fc.constantFrom(" ", "  ", "-", ".", "/", "\u00a0", " - ", "\u2013"),
      // As cards are printed: fours, American Express's 4-6-5, or one run of digits.
      group: fc.constantFrom("fours" as const, "4-6-5" as const, "none" as const),
      before: fc.constantFrom("", "Ref 12 ", "card: ", "2026-11-30 "),
      after: fc.constantFrom("", " 123", " 12/27", " is saved", ", thanks"),
      digits: fc.constantFrom("ascii", "fullwidth"),
    });
    await fc.assert(
      fc.asyncProperty(card, async (c) => {
        let n: string = c.number;
        if (c.digits === "fullwidth") n = n.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
        const chars = [...n];
        const cut = (sizes: number[]) =>
          sizes.map((k, i) =>
            chars
              .slice(
                sizes.slice(0, i).reduce((a, b) => a + b, 0),
                sizes.slice(0, i).reduce((a, b) => a + b, 0) + k,
              )
              .join(""),
          );
        const groups =
          c.group === "none"
            ? [n]
            : c.group === "4-6-5" && chars.length === 15
              ? cut([4, 6, 5])
              : (n.match(/.{1,4}/gu) ?? []);
        const text = `${c.before}${groups.join(c.sep)}${c.after}`;
        expect(await outcome(template([text])), text).toBe("refused");
      }),
      { numRuns: 200 },
    );
    for (const text of [
      "Transfer to DE89 3704 0044 0532 0130 00 please",
      "DE89-3704-0044-0532-0130-00",
      "GB82 WEST 1234 5698 7654 32 ok",
    ])
      expect(await outcome({ type: "text", to: U, body: text }), text).toBe("refused");
    expect(sent()).toBe(0);
    expect(
      await outcome({ type: "text", to: U, body: "Order 12345, total $1,234.56, call +1 416 555 1234" }),
    ).toBe("sent");
  });
});

describe("text shaped to make the guard slow", () => {
  const SIZE = 64 * 1024;
  const fill = (unit: string) => unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE);
  const shapes = [
    "a.",
    "1 ",
    "11 ",
    "4111 ",
    "DE89 ",
    "de89-",
    "http://",
    "a",
    "4",
    ".",
    "1\u00a02-3.4/5_6\u20137 ",
    "пример.рф ",
    "%62it.ly ",
    "1.2.3.4/ ",
  ];

  it("64 KB of every shape: a bounded amount of work per character (no timing asserted)", () => {
    for (const unit of shapes) {
      scanStats.cardSpans = 0;
      scanStats.ibanSteps = 0;
      contentProblem([fill(unit)], {});
      contentProblem([fill(unit)], { allowDomains: ["shop.example"] });
      expect((scanStats.cardSpans + scanStats.ibanSteps) / SIZE, unit).toBeLessThan(40);
    }
  });

  it("a template parameter over Meta's 1,024 characters is a ValidationError before any scan", async () => {
    const { outcome, sent } = await world();
    scanStats.ibanSteps = 0;
    expect(await outcome(template(["a.".repeat(32 * 1024)]))).toBe("invalid");
    expect(await outcome(template([`${"x".repeat(1020)} DE89 3704 0044 0532 0130 00`]))).toBe("invalid");
    expect(scanStats.ibanSteps).toBe(0);
    expect(await outcome(template(Array.from({ length: 171 }, () => "x")))).toBe("invalid");
    expect(sent()).toBe(0);
  });
});
