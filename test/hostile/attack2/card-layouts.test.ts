/**
 * Card numbers a reader still reads, that the scan in src/policy/account-numbers.ts does not:
 * a combining mark or a keycap on a digit, more than three separators between groups, commas,
 * parentheses, digits outside the BMP (Adlam, Osmanya), and a card split over two template
 * parameters that the template body renders side by side.
 */
import { describe, expect, it } from "vitest";
import { contentWorld, U } from "./world.js";

const adlam = (s: string) => [...s].map((c) => String.fromCodePoint(0x1e950 + Number(c))).join("");

describe("card numbers the scan does not see", () => {
  const layouts = {
    "combining acute after a digit": "4111\u0301 1111 1111 1111",
    "keycap first digit (4️⃣)": "4\uFE0F\u20E3111 1111 1111 1111",
    "double spaces around dashes": "4111  -  1111  -  1111  -  1111",
    "four spaces": "4111    1111    1111    1111",
    "blank lines between groups": "4111\n\n\n\n1111\n\n\n\n1111\n\n\n\n1111",
    commas: "4111,1111,1111,1111",
    "parenthesised first group": "(4111) 1111 1111 1111",
    "Adlam digits (U+1E950)": adlam("4111111111111111"),
  };
  for (const [name, layout] of Object.entries(layouts)) {
    it(`${name}: ${JSON.stringify(layout)} is refused`, async () => {
      const { outcome, sent } = await contentWorld();
      const r = await outcome({ type: "text", to: U, body: `Your card ${layout} is on file` });
      expect({ r, sent: sent() }).toEqual({ r: "refused", sent: 0 });
    });
  }

  // A known gap, left open on purpose: each parameter is scanned on its own. Joining them would
  // read two order numbers side by side as one card; a card split on purpose is evasion, not the
  // accident this guard is for.
  it.fails("a card split over two body parameters ('Card {{1}} {{2}}') is refused", async () => {
    const { outcome, sent } = await contentWorld();
    const r = await outcome({
      type: "template",
      to: U,
      name: "card_on_file",
      language: "en_US",
      body: ["4111 1111", "1111 1111"],
    });
    expect({ r, sent: sent() }).toEqual({ r: "refused", sent: 0 });
  });
});
