/**
 * Ordinary business text the content guard refuses (an outage for the business):
 * - two phone numbers side by side: every span of 13–19 digits over groups of two or more digits
 *   is tried (src/policy/account-numbers.ts hasCardNumber), so French numbers written in pairs,
 *   or two US numbers on consecutive lines, form a Luhn-valid "card" about 5% of the time;
 * - a row of prices;
 * - with allowDomains, a missing space after a full stop ("shipped.Thanks", "St.Louis"): any two
 *   letters are taken as a top-level domain (src/policy/links.ts isTld), unlike a WhatsApp
 *   client, which only links real TLDs.
 */
import { describe, expect, it } from "vitest";
import { contentWorld, U } from "./world.js";

describe("ordinary text refused", () => {
  const numbers = [
    "Tél 03 97 23 90 24 / 09 06 73 50 02",
    "Call 442-336-2167 / 710-705-7368",
    "Store hours 9-5. Call:\n463-529-8509\n667-510-8647",
    "Items: 31.50 86.30 00.61 78.78 88.09",
  ];
  for (const body of numbers) {
    it(`sends ${JSON.stringify(body)}`, async () => {
      const { outcome } = await contentWorld();
      expect(await outcome({ type: "text", to: U, body })).toBe("sent");
    });
  }

  it("no pair of French phone numbers is refused as a card (measured: about 1 in 20 of 2,000 is)", async () => {
    const { wa } = await contentWorld();
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const pair = () =>
      Array.from({ length: 4 }, () => String(Math.floor(rnd() * 100)).padStart(2, "0")).join(" ");
    let refused = 0;
    for (let i = 0; i < 2000; i++) {
      const body = `Tél 0${1 + Math.floor(rnd() * 9)} ${pair()} / 0${1 + Math.floor(rnd() * 9)} ${pair()}`;
      const v = await wa.policy.check({ type: "text", to: U, body });
      if (v.violations.some((x) => x.rule === "content")) refused++;
    }
    console.log(`French phone pairs refused: ${refused} / 2000`);
    expect(refused).toBe(0);
  });

  const allow = [
    "Your order has shipped.Thanks for shopping with us!",
    "Delivered today.See you soon",
    "Our St.Louis store opens at 9",
    "Mr.Smith will call you back",
  ];
  for (const body of allow) {
    it(`with allowDomains, sends ${JSON.stringify(body)}`, async () => {
      const { outcome } = await contentWorld({ allowDomains: ["shop.example"] });
      expect(await outcome({ type: "text", to: U, body })).toBe("sent");
    });
  }
});
