/**
 * A number change announced the way Meta documents it — system `{ type: "user_changed_number",
 * new_wa_id, body: "NAME changed from PHONE_NUMBER to PHONE_NUMBER" }` — is emitted as a
 * userIdUpdate with `waId` = the new number and `previousWaId` = the old one, yet the two are
 * never linked: #link reads `system.wa_id` only (not `new_wa_id`, which the schema and
 * identityChange() both accept), and the body fallback `/changed from (\S+) to (\S+)/` misses
 * numbers written with spaces. So the block (or STOP) under the old number does not carry over
 * — though docs/identity.md promises "Their opt-in, STOP, blocks and history carry over".
 */
import { describe, expect, it } from "vitest";
import type { UserIdUpdateEvent } from "../../../src/index.js";
import { HOUR, USER, WA_ID } from "../world.js";
import { idWorld } from "./helpers.js";

const NEW = "+14165559999";
const NEW_WA_ID = "14165559999";

describe("attack3: user_changed_number with new_wa_id keeps the person", () => {
  it("blocked under the old number: a message to the new number is refused", async () => {
    const w = idWorld();
    const wa = w.client();
    // The user wrote; the business blocks them.
    w.fake.messaging.receiveMessage(USER, { text: "spam" });
    await w.deliver(wa, w.text("wamid.a", w.clock.now(), "spam"));
    expect((await wa.blocklist.block([USER])).results[0]?.status).toBe("added");
    w.clock.advance(HOUR);
    const seen: UserIdUpdateEvent[] = [];
    wa.on("userIdUpdate", (e) => {
      seen.push(e);
    });
    const res = await w.deliver(
      wa,
      w.system(
        "wamid.sys",
        w.clock.now(),
        {
          body: "Alice changed from +1 416-555-1234 to +1 416-555-9999",
          new_wa_id: NEW_WA_ID,
          type: "user_changed_number",
        },
        WA_ID,
      ),
    );
    expect(res.status).toBe(200);
    await (res as unknown as { delivered: Promise<void> }).delivered;
    // wa-guard itself says: this is the same person, now on NEW.
    expect(seen).toMatchObject([{ kind: "userIdUpdate", previousWaId: WA_ID, waId: NEW_WA_ID }]);
    // The user writes from the new number (Meta's fake knows the number, not the person).
    w.fake.messaging.receiveMessage(NEW, { text: "hello again" });
    await w.deliver(wa, w.text("wamid.b", w.clock.now(), "hello again", NEW_WA_ID));
    const before = w.reached();
    expect(await w.outcome(wa.messages.sendText({ to: NEW, body: "hi" }))).toBe("blocklist");
    expect(w.reached()).toBe(before);
  });
});
