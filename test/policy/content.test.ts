import { describe, expect, it } from "vitest";
import { isConfigError } from "../../src/index.js";
import { scanStats } from "../../src/policy/account-numbers.js";
import { contentChecker, contentProblem, messageTexts, normaliseText } from "../../src/policy/content.js";

const ALLOW = { allowDomains: ["shop.example"] };

/** Text that must be refused, and the rule that refuses it. */
const VIOLATING: Array<[text: string, why: RegExp, options?: object]> = [
  // Cards, in the layouts people type them.
  ["Your card 4111 1111 1111 1111 12/27 is saved", /card/],
  ["Card 4111-1111-1111-1111", /card/],
  ["4111 1111 1111 1111 123", /card/], // followed by its CVV
  ["4111 1111 1111 1111 CVV 123", /card/],
  ["Ref 12 4111 1111 1111 1111", /card/], // preceded by a short number
  ["Order 77 4111111111111111", /card/],
  ["4111.1111.1111.1111", /card/],
  ["4111  1111  1111  1111", /card/],
  ["4111\u00a01111\u00a01111\u00a01111", /card/],
  ["4111\u202f1111\u202f1111\u202f1111", /card/],
  ["4111/1111/1111/1111", /card/],
  ["４１１１ １１１１ １１１１ １１１１", /card/],
  ["4111 – 1111 – 1111 – 1111", /card/],
  ["card:4111111111111111.", /card/],
  ["3782 822463 10005", /card/], // Amex 4-6-5
  ["5555 5555 5555 4444 exp 01/29", /card/],
  ["Visa ٤١١١ ١١١١ ١١١١ ١١١١", /card/], // Arabic-Indic digits
  ["4111\u200b1111\u200b1111\u200b1111", /card/],
  ["the number is 4111 1111 1111 1111, thanks", /card/],
  ["+44 4111 1111 1111 1111", /card/], // 16 digits cannot be a phone number
  // IBANs.
  ["Transfer to DE89 3704 0044 0532 0130 00 please", /IBAN/],
  ["DE89 3704 0044 0532 0130 00 123", /IBAN/],
  ["DE89-3704-0044-0532-0130-00", /IBAN/],
  ["IBAN: DE89370400440532013000.", /IBAN/],
  ["iban de89 3704 0044 0532 0130 00", /IBAN/],
  ["IBAN GB82 WEST 1234 5698 7654 32", /IBAN/],
  ["GB82 WEST 1234 5698 7654 32 is ours", /IBAN/],
  ["FR14 2004 1010 0505 0001 3M02 606", /IBAN/],
  ["Pay NL91 ABNA 0417 1643 00 today", /IBAN/],
  ["ＤＥ８９ ３７０４ ００４４ ０５３２ ０１３０ ００", /IBAN/],
  ["BE68 5390 0754 7034", /IBAN/],
  // Shorteners, however the host is written.
  ["Track: https://bit.ly/abc", /shortener/],
  ["Track: tinyurl.com/abc", /shortener/],
  ["https://%62it.ly/x", /shortener/],
  ["https://ｂｉｔ.ｌｙ/x", /shortener/],
  ["https://tinyurl。com/x", /shortener/],
  ["tinyurl．com/x", /shortener/],
  ["HTTPS://BIT.LY/X", /shortener/],
  ["bit.ly./x", /shortener/],
  ["https://bit.ly.:443/x", /shortener/],
  ["b\u00adit.ly/x", /shortener/],
  ["b\u200bit.ly/x", /shortener/],
  ["http:\\\\bit.ly\\x", /shortener/],
  ["https://user@bit.ly/x", /shortener/],
  ["https://shop.example@bit.ly/x", /shortener/, ALLOW],
  ["詳細はbit.ly/xをご覧ください", /shortener/],
  ["(see go.bit.ly/x)", /shortener/],
  ["mail me at x@bit.ly", /shortener/],
  // Links outside the allowed domains.
  ["go to https://other.example/x", /allowed domains/, ALLOW],
  ["go to evіl.com now", /allowed domains/, ALLOW], // Cyrillic і
  ["пример.рф", /allowed domains/, ALLOW],
  ["https://пример.рф/", /allowed domains/, ALLOW],
  ["http://1572395042/", /allowed domains/, ALLOW],
  ["http://0x5d.0xb8.0xd8.0x22/", /allowed domains/, ALLOW],
  ["http://[::1]/", /allowed domains/, ALLOW],
  ["http://localhost:8080/admin", /allowed domains/, ALLOW],
  ["http://10.0.0.1/admin", /allowed domains/, ALLOW],
  ["10.0.0.1/admin", /allowed domains/, ALLOW],
  ["https://shop.example.evil.com/x", /allowed domains/, ALLOW],
  ["https://shopexample.com", /allowed domains/, ALLOW],
  ["https://shop.example,@1572395042/", /allowed domains/, ALLOW],
  ["www.other.example", /allowed domains/, ALLOW],
  ["help@gmail.com", /allowed domains/, ALLOW],
  // Schemes.
  ["click javascript:alert(1)", /http\(s\)/],
  ["ＪＡＶＡＳＣＲＩＰＴ:alert(1)", /http\(s\)/],
  ["ftp://files.example/x", /http\(s\)/],
];

/** Ordinary business text: nothing here may be refused, with or without `allowDomains`. */
const ORDINARY: string[] = [
  "Your order 12345 ships on 2026-11-21. Card ending 1111.",
  "Order #2026010112004 confirmed",
  "Order 4111 1111 1111 1112", // fails the Luhn check
  "Total: $1,234.56 (incl. VAT $205.76)",
  "Price € 49,90 — was € 59,90",
  "Amount due: 1 234 567,89 EUR",
  "Call +1 416 555 1234",
  "Call (650) 555-1234 or 650.555.1234",
  "Call +55 11 98765-4309",
  "+5491112345678",
  "WhatsApp us on +49 151 2345 6789",
  "Ref 5215512345678",
  "UPS tracking 1Z999AA10123456784",
  "USPS tracking 9400 1000 0000 0000 0000 00",
  "FedEx 7489 4712 3456",
  "Delivery on 2026-11-30 14:30",
  "Opening hours 09:00–18:00, Mon–Fri",
  "Your appointment: 30.11.2026 at 14.30",
  "Dates: 01/12/2026, 02/12/2026, 03/12/2026",
  "Version 2.4.1 is out; see v10.2 notes",
  "e.g. sizes S, M, L; i.e. all of them; a.m. or p.m.",
  "Sizes 4 5 6 7 8 9 10 11 12 13 14",
  "Seats 12, 14, 16, 18, 20, 22, 24",
  "Rated 4.5/5 by 1,234 customers",
  "Your code is 482913",
  "Invoice INV-2026-000123 attached: invoice.pdf",
  "See https://shop.example/docs/v1.2/readme.md",
  "Visit https://www.shop.example/sale?x=1#top.",
  "(https://shop.example)",
  "Write to help@shop.example or john.smith@shop.example",
  "詳細はshop.example/xをご覧ください",
  "ご注文ありがとうございます。Thank you for your order.",
  "感谢您的订购。我们会尽快发货。",
  "Спасибо за заказ! Номер 123456.",
  "Coordinates 37.4419, -122.1430",
  "Account ending ****1234, sort code 12-34-56",
  "Masked IBAN DE89 **** **** **** **** 00",
  "AT12 is our store code in Vienna",
  "Ticket 1234-5678-9012",
  "Batch 2026/11/30-0001",
  "Temperature 21.5°C, humidity 40%",
  "Use code SAVE_20 for 20% off",
  "Thanks!See you soon.",
];

function evaluate() {
  const falseNegatives: string[] = [];
  const falsePositives: string[] = [];
  for (const [text, why, options = {}] of VIOLATING) {
    const reason = contentProblem([text], options);
    if (reason === undefined || !why.test(reason)) falseNegatives.push(`${text} → ${reason ?? "sent"}`);
  }
  for (const text of ORDINARY)
    for (const options of [{}, ALLOW]) {
      const reason = contentProblem([text], options);
      if (reason !== undefined) falsePositives.push(`${text} (${JSON.stringify(options)}) → ${reason}`);
    }
  return { falseNegatives, falsePositives };
}

describe("content corpus", () => {
  it("refuses every violating text and lets every ordinary one through (false positives and negatives: 0)", () => {
    const { falseNegatives, falsePositives } = evaluate();
    console.log(
      `content corpus: ${VIOLATING.length} violating, ${ORDINARY.length} ordinary (×2 configs); ` +
        `false negatives ${falseNegatives.length}, false positives ${falsePositives.length}`,
    );
    expect(falseNegatives).toEqual([]);
    expect(falsePositives).toEqual([]);
  });

  it("never quotes a card number or an IBAN in its reason", () => {
    for (const [text] of VIOLATING) {
      const reason = contentProblem([text], ALLOW) ?? "";
      expect(reason).not.toMatch(/\d{4}/);
      expect(reason).not.toMatch(/DE89|GB82|WEST/);
    }
  });
});

describe("normalisation", () => {
  it("folds fullwidth and styled text, drops invisible characters, reads ideographic full stops between ASCII as dots", () => {
    expect(normaliseText("ｂｉｔ．ｌｙ")).toBe("bit.ly");
    expect(normaliseText("tinyurl。com")).toBe("tinyurl.com");
    expect(normaliseText("tinyurl｡com")).toBe("tinyurl.com");
    expect(normaliseText("ありがとう。またね")).toBe("ありがとう。またね");
    expect(normaliseText("b\u200bi\u2060t\ufeff.\u00adly")).toBe("bit.ly");
    expect(normaliseText("𝟒𝟏𝟏𝟏\u00a0")).toBe("4111 ");
    expect(normaliseText("plain ascii")).toBe("plain ascii");
  });

  it("reads allowDomains and extraShorteners like hosts in a message, and refuses what is not a domain", () => {
    const check = contentChecker({
      allowDomains: ["ＳＨＯＰ.example.", "https://пример.рф/", "*.brand.example"],
      extraShorteners: ["GO.partner.example"],
    });
    expect(check(["https://www.shop.example/x"])).toBeUndefined();
    expect(check(["https://xn--e1afmkfd.xn--p1ai/x"])).toBeUndefined();
    expect(check(["пример.рф"])).toBeUndefined();
    expect(check(["https://a.brand.example"])).toBeUndefined();
    expect(check(["https://go.partner.example/x"])).toMatch(/shortener/);
    for (const bad of ["", "shop example", "a/b@c"]) {
      let error: unknown;
      try {
        contentChecker({ allowDomains: [bad] });
      } catch (e) {
        error = e;
      }
      expect(isConfigError(error), bad).toBe(true);
    }
  });

  it("allows listed IP addresses, localhost and IPv6 literals only when listed", () => {
    const check = contentChecker({ allowDomains: ["shop.example", "127.0.0.1", "localhost", "[::1]"] });
    expect(check(["http://127.0.0.1/x", "http://0x7f.1/x", "http://2130706433/"])).toBeUndefined();
    expect(check(["http://localhost:3000/"])).toBeUndefined();
    expect(check(["http://[0:0::1]/"])).toBeUndefined();
    expect(check(["http://127.0.0.2/"])).toMatch(/not 127\.0\.0\.2/);
  });
});

describe("messageTexts", () => {
  it("includes the file name of a document header", () => {
    expect(
      messageTexts({
        type: "buttons",
        to: "+14165551234",
        body: "b",
        header: { document: { link: "https://shop.example/a.pdf" }, filename: "bit.ly" },
        buttons: [{ id: "a", title: "A" }],
      }),
    ).toContain("bit.ly");
  });
});

describe("the account-number scan is linear", () => {
  const spansFor = (text: string) => {
    scanStats.cardSpans = 0;
    scanStats.ibanSteps = 0;
    contentProblem([text], {});
    return scanStats.cardSpans + scanStats.ibanSteps;
  };
  it("does a bounded amount of work per character, whatever the layout", () => {
    for (const unit of ["11 ", "4111 ", "DE89 ", "de89-", "1\u00a02-3.4/5 ", "GB82 WEST "]) {
      const small = spansFor(unit.repeat(1_000));
      const large = spansFor(unit.repeat(8_000));
      // Eight times the text, about eight times the work (quadratic would be 64 times).
      expect(large, unit).toBeLessThanOrEqual(small * 8 * 1.05);
      expect(large / unit.length / 8_000, unit).toBeLessThan(40);
    }
  });
});
