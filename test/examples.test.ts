import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const run = (file: string) =>
  execFileSync(join(ROOT, "node_modules/.bin/tsx"), ["--tsconfig", "examples/tsconfig.json", file], {
    cwd: ROOT,
    encoding: "utf8",
  });

describe("examples", () => {
  it("npm run demo shows sends accepted and each kind of refusal", () => {
    const out = run("examples/demo.ts");
    expect(out).toMatch(/✔ Reply to Ana: accepted/);
    expect(out).toMatch(/✘ Text to a number too short to exist: refused locally \[recipient\]/);
    expect(out).toMatch(/✘ Free-form text to Ben \(never wrote\): refused locally \[session-window\]/);
    expect(out).toMatch(/✘ Marketing template to Ben, no opt-in: refused locally \[consent\]/);
    expect(out).toMatch(/✔ Marketing template to Ben: accepted/);
    expect(out).toMatch(/✘ The same promotion to Ben again: refused locally \[frequency\]/);
    expect(out).toMatch(/✘ Template missing a parameter: refused locally \[template\].*132000/);
    expect(out).toMatch(/✘ Link through a URL shortener: refused locally \[content\]/);
    expect(out).toMatch(/✘ A full card number in the text: refused locally \[content\].*card number/);
    expect(out).toMatch(/✘ Four reply buttons: invalid, nothing sent/);
    expect(out).toMatch(/webhook: \d+ opted out of all \(keyword:PARAR\)/);
    expect(out).toMatch(/after she said PARAR: refused locally \[consent\].*keyword:PARAR/);
    expect(out).toMatch(/✘ Reply to Ana while blocked: refused locally \[blocklist\]/);
    expect(out).toMatch(/✔ 15 quick replies to Ana .*all 15 accepted; \d+ waited/);
    expect(out).toMatch(/✔ Reply while Meta says 130429 once: accepted after the retry/);
    expect(out).toMatch(/\? Reply whose connection drops after Meta got it: outcome unknown, not re-sent/);
    expect(out).toMatch(/webhook: the unknown send wag_\S+ was in fact delivered/);
    expect(out).toMatch(/✘ Marketing template to Ben while it is paused: refused locally \[template\]/);
    expect(out).toMatch(/✘ Reply to Ana now: refused locally \[session-window\]/);
    expect(out).toMatch(
      /📋 plan: 4 to send, 3 refused \{"opted-out":1,"no-consent":1,"invalid-recipient":1\}, 1 duplicate/,
    );
    expect(out.match(/^ {2}✔ #\d \+44 7700 90000\d: sent$/gm)).toHaveLength(4);
    expect(out).toMatch(/#4 \+351 912 345 678: refused \[opted-out\]/);
    expect(out).toMatch(/#7 \+44 7700 900001: skipped \(duplicate\)/);
    expect(out).toMatch(/progress: 8\/8 done, 4 sent/);
    expect(out).toMatch(/🩺 health LIMITED · PHONE_NUMBER LIMITED \(The display name is in review/);
    expect(out).toMatch(/⚠ business profile check: 1 finding/);
    expect(out).toMatch(
      /⛔ campaign stopped — early warning: 3 of the last \d+ recipients opted out .*; \d+ sent, \d+ deferred/,
    );
    expect(out).toMatch(
      /✘ websites: The profile names https:\/\/fake-business.example\/, but the content guard would refuse/,
    );
    expect(out).toMatch(/the same campaign again \(as after a crash\): 0 sent, 5 skipped/);
  }, 60_000);

  it("the campaign example streams 3,000 recipients with a live progress line", () => {
    const out = run("examples/campaign.ts");
    expect(out).toMatch(/plan: 2700 to send, 300 refused \{"no-consent":300\}/);
    expect(out).toMatch(/^running: \d+\/3000 done, \d+ sent, \d+ refused, [\d.]+\/s, ETA [\d.]+ s$/m);
    expect(out).toMatch(/^finished: 3000\/3000 done, 2700 sent, 300 refused/m);
    expect(out).toMatch(
      /report: 2700 sent, 0 held, refused \{"no-consent":300\}, 0 failed, 0 unknown, complete: true/,
    );
    expect(out).toMatch(/the fake accepted 2700 messages/);
  }, 60_000);

  it("the node:http webhook bot answers, refuses a forged delivery and honours STOP", () => {
    const out = run("examples/webhook-bot.ts");
    expect(out).toMatch(/GET handshake → 200 8675309/);
    expect(out).toMatch(/← Ana: Where is my order\? 📦\n→ replied: Your order ships today\./);
    expect(out).toMatch(/status delivered for wamid\./);
    expect(out).toMatch(/webhook refused: signature_mismatch\nforged POST → 401/);
    expect(out).toMatch(/opted out \(keyword:STOP\)/);
    expect(out).toMatch(/→ replied: You will not receive promotions from us any more\./);
    expect(out).toMatch(/accepted 2 message\(s\)/);
  }, 60_000);

  it("the serverless handler acknowledges every redelivery and handles the message once", () => {
    const out = run("examples/serverless-webhook.ts");
    expect(out).toMatch(/GET → 200 31337/);
    expect(out).toMatch(/POST #1 → 200\nPOST #2 → 200\nPOST #3 → 200/);
    expect(out.match(/handler replied/g)).toHaveLength(1);
    expect(out).toMatch(/replies sent: 1/);
  }, 60_000);

  it("two processes share one truth through Redis: B replies in the window A opened, and A's STOP stops B", () => {
    const out = run("examples/shared-state.ts");
    if (out.includes("needs Redis")) {
      if (process.env["CI"]) throw new Error("Redis is required in CI");
      console.warn("skipping: no Redis for examples/shared-state.ts");
      return;
    }
    expect(out).toMatch(/\[A\] webhook: the user wrote[^\n]*\n\[B\] reply to the user: sent/);
    expect(out).toMatch(
      /\[A\] webhook: the user sent STOP[^\n]*\n\[B\] marketing template: refused \[consent\]/,
    );
  }, 60_000);
});
