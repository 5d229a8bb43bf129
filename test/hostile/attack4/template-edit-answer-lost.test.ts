/**
 * After wa.templates.edit / delete, the policy's template cache is emptied so the next send of
 * that template is refused locally — but only when Meta's answer arrives. When the edit is applied
 * by Meta and its answer is lost (a reset connection, a timeout: the outcome is unknown), the cache
 * still says APPROVED and the next send of the now-PENDING (or deleted) template reaches Meta.
 */
import { describe, expect, it } from "vitest";
import { BODY, CA, type Components, world } from "./world.js";

const OPT_OUT: Components = [BODY, { type: "FOOTER", text: "Reply STOP to opt out" }];

describe("attack4: a template change whose answer is lost", () => {
  it("edit applied by Meta, answer lost: the next send of the template does not reach Meta", async () => {
    const w = world(OPT_OUT);
    const wa = w.client();
    await wa.consent.grant(CA, { scope: "marketing", source: "form" });
    expect(await w.outcome(wa.messages.sendTemplate({ to: CA, name: "promo", language: "en_US" }))).toBe(
      "sent",
    );
    const id = String(w.fake.templates.find("promo", "en_US")?.id);
    w.loseNextAnswer((r) => r.method === "POST" && r.url.includes(`/${id}`));
    await expect(
      wa.templates.edit(id, { components: [{ type: "BODY", text: "30% off today" }, OPT_OUT[1] as never] }),
    ).rejects.toThrow();
    // Meta applied the edit: the template is back in review.
    expect(w.fake.templates.find("promo", "en_US")?.status).not.toBe("APPROVED");
    const before = w.sends().length;
    w.clock.advance(1_000);
    expect(await w.outcome(wa.messages.sendTemplate({ to: CA, name: "promo", language: "en_US" }))).toBe(
      "template",
    );
    expect(w.sends().length).toBe(before);
  });

  it("delete applied by Meta, answer lost: the next send of the template does not reach Meta", async () => {
    const w = world(OPT_OUT);
    const wa = w.client();
    await wa.consent.grant(CA, { scope: "marketing", source: "form" });
    expect(await w.outcome(wa.messages.sendTemplate({ to: CA, name: "promo", language: "en_US" }))).toBe(
      "sent",
    );
    w.loseNextAnswer((r) => r.method === "DELETE");
    await expect(wa.templates.delete({ name: "promo" })).rejects.toThrow();
    expect(w.fake.templates.find("promo", "en_US")).toBeUndefined();
    const before = w.sends().length;
    w.clock.advance(1_000);
    expect(await w.outcome(wa.messages.sendTemplate({ to: CA, name: "promo", language: "en_US" }))).toBe(
      "template",
    );
    expect(w.sends().length).toBe(before);
  });
});
