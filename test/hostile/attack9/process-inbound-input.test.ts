/**
 * attack9 — `wa.consent.processInbound`, whose input this change extended (`messageId`, checked
 * with a `ValidationError`), still throws an untyped `TypeError` for other bad input: no signal at
 * all (`null` / `undefined`: "Cannot read properties of null (reading 'at')"), or a `text` /
 * `buttonPayload` that is not a string ("text.normalize is not a function"). Every other public
 * consent method answers bad input with a `ValidationError` (`grant`, `revoke`, `import`, and
 * `messageId` here); an app that routes `isValidationError` to a 400 and anything else to a 500
 * (Meta retries) would retry such a message forever. Older than the change; near it. No
 * consent event is recorded (checked by reading; the window of a `text: 42` message is
 * opened before the throw), so it is not a lost STOP.
 *
 * Fixed: `processInbound` checks its input first and throws `ValidationError`.
 */
import { describe, expect, it } from "vitest";
import { USER, world } from "../world.js";

describe("attack9: processInbound answers bad input with a ValidationError", () => {
  it.each([
    ["no signal (null)", null],
    ["no signal (undefined)", undefined],
    ["text a number", { from: USER, text: 42 }],
    ["buttonPayload a number", { from: USER, buttonPayload: 42 }],
  ])("%s", async (_name, signal) => {
    const wa = world().client();
    await expect(wa.consent.processInbound(signal as never)).rejects.toMatchObject({
      name: "ValidationError",
    });
  });
});
