/**
 * The content check is linear in the text, but the first sight of a code point costs two
 * `new URL()` calls (src/policy/hosts.ts learn(), called from charInfo() for every character the
 * link scan meets), and for an unassigned or non-host code point both throw. Text made of code
 * points never seen before (there are about a million) blocks the event loop for ~1 s per
 * template send of 170 × 1,024 characters, and again for the next fresh batch, until the process
 * has learnt all of Unicode (the cache then holds ~1M entries). Measured, not asserted.
 */
import { expect, it } from "vitest";
import { contentWorld, U } from "./world.js";

it("fresh code points: ms per policy check, first sight vs cached (logged)", async () => {
  const { wa } = await contentWorld();
  let cp = 0x40000; // planes 4–13: unassigned
  const param = () => {
    let s = "";
    for (let i = 0; i < 512; i++) s += String.fromCodePoint(cp++);
    return s; // 1,024 UTF-16 units: Meta's parameter cap
  };
  const rows: string[] = [];
  for (const count of [10, 20, 40, 85, 170]) {
    const body = Array.from({ length: count }, param);
    const t0 = performance.now();
    const verdict = await wa.policy.check({ type: "template", to: U, name: "x", language: "en_US", body });
    const fresh = performance.now() - t0;
    const t1 = performance.now();
    await wa.policy.check({ type: "template", to: U, name: "x", language: "en_US", body });
    const cached = performance.now() - t1;
    rows.push(
      `${count} params (${count} KB): first sight ${fresh.toFixed(0)} ms, cached ${cached.toFixed(1)} ms, allowed ${verdict.allowed}`,
    );
  }
  // A 4,096-character text body of fresh astral code points.
  let body = "";
  for (let i = 0; i < 2048; i++) body += String.fromCodePoint(cp++);
  const t2 = performance.now();
  await wa.policy.check({ type: "text", to: U, body });
  rows.push(`text body 4 KB fresh: ${(performance.now() - t2).toFixed(0)} ms`);
  console.log(rows.join("\n"));
  expect(rows).toHaveLength(6);
});
