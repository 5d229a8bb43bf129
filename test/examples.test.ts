import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");

describe("examples", () => {
  it("npm run demo shows sends accepted and each kind of refusal", () => {
    const out = execFileSync(
      join(ROOT, "node_modules/.bin/tsx"),
      ["--tsconfig", "examples/tsconfig.json", "examples/demo.ts"],
      {
        cwd: ROOT,
        encoding: "utf8",
      },
    );
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
    expect(out).toMatch(/after she said PARAR: refused locally \[consent\].*keyword:PARAR/);
    expect(out).toMatch(/✘ Reply to Ana while blocked: refused locally \[blocklist\]/);
    expect(out).toMatch(/✔ 15 quick replies to Ana .*all 15 accepted; \d+ waited/);
    expect(out).toMatch(/✔ Reply while Meta says 130429 once: accepted after the retry/);
    expect(out).toMatch(/\? Reply whose connection drops after Meta got it: outcome unknown, not re-sent/);
    expect(out).toMatch(/✘ Reply to Ana now: refused locally \[session-window\]/);
  }, 60_000);
});
