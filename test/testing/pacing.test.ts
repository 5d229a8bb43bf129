/** Template pacing in the fake: held sends, then released or failed with 132015 when paused. */
import { describe, expect, it } from "vitest";
import type { StatusEvent } from "../../src/index.js";
import { connected, USER } from "../helpers.js";

const OTHER = "+16045550100";

async function world() {
  const { fake, wa } = connected({ client: { policy: { disable: ["frequency"] } } });
  fake.templates.add({
    name: "promo",
    language: "en_US",
    category: "MARKETING",
    components: [
      { type: "FOOTER", text: "Reply STOP to opt out" },
      { type: "BODY", text: "Sale" },
    ],
  });
  for (const to of [USER, OTHER]) await wa.consent.grant(to, { scope: "marketing", source: "form" });
  const statuses: StatusEvent[] = [];
  wa.on("status", (s) => {
    statuses.push(s);
  });
  return { fake, wa, statuses };
}

describe("FakeCloudApi: template pacing", () => {
  it("a paced template's sends are held (no status) until released; then sent and delivered follow", async () => {
    const { fake, wa, statuses } = await world();
    fake.paceTemplate("promo", "en_US");
    const sent = await wa.messages.sendTemplate({ to: USER, name: "promo", language: "en_US" });
    expect(sent.messageStatus).toBe("held_for_quality_assessment");
    await fake.webhooks.deliver(wa);
    expect(statuses).toEqual([]);
    fake.releasePacedTemplate("promo", "en_US");
    await fake.webhooks.deliver(wa);
    expect(statuses.map((s) => [s.id, s.status])).toEqual([
      [sent.messageId, "sent"],
      [sent.messageId, "delivered"],
    ]);
    const after = await wa.messages.sendTemplate({ to: OTHER, name: "promo", language: "en_US" });
    expect(after.messageStatus).toBe("accepted");
  });

  it("a paused paced template: held messages fail with 132015, and the client refuses the next send locally", async () => {
    const { fake, wa, statuses } = await world();
    fake.paceTemplate("promo", "en_US");
    const held = await wa.messages.sendTemplate({ to: USER, name: "promo", language: "en_US" });
    fake.pausePacedTemplate("promo", "en_US");
    await fake.webhooks.deliver(wa);
    expect(statuses.map((s) => [s.id, s.status, s.errors.map((e) => e.code)])).toEqual([
      [held.messageId, "failed", [132015]],
    ]);
    await expect(
      wa.messages.sendTemplate({ to: OTHER, name: "promo", language: "en_US" }),
    ).rejects.toMatchObject({
      rule: "template",
    });
    expect(fake.messaging.sent).toHaveLength(1);
  });
});
