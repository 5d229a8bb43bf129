/**
 * Attacks: the per-node reading of `health_status` (`Account.#apply`, "an overall status no node
 * explains is the number's"). Meta's overall `can_send_message` is the worst of its nodes. When a
 * node of a type wa-guard does not know (a MESSAGE_TEMPLATE node, a type Meta adds later, a type
 * in lower case) is BLOCKED and a known node is only LIMITED, the LIMITED counts as "explaining"
 * the reading and the overall BLOCKED is dropped: the number sends on. Before the per-node change
 * an unexplained BLOCKED held the number.
 */
import { describe, expect, it } from "vitest";
import type { ClientOptions } from "../../../src/index.js";
import { CA, twoNumbers } from "../attack6/two.js";

/** A transport that rewrites the health_status the fake answers with `rewrite`. */
function rewriting(
  inner: NonNullable<ClientOptions["transport"]>,
  rewrite: (h: { can_send_message: string; entities: Array<Record<string, unknown>> }) => void,
): NonNullable<ClientOptions["transport"]> {
  return async (req) => {
    const res = await inner(req);
    if (req.method !== "GET" || typeof res.body !== "string" || !res.body.includes("health_status"))
      return res;
    const json = JSON.parse(res.body) as { health_status?: Parameters<typeof rewrite>[0] };
    if (json.health_status) rewrite(json.health_status);
    return { ...res, body: JSON.stringify(json) };
  };
}

describe("a health reading whose BLOCKED node is of a type wa-guard does not know", () => {
  const run = async (rewrite: Parameters<typeof rewriting>[1]) => {
    const w = twoNumbers();
    w.fake.setHealth("WABA", { canSendMessage: "LIMITED", additionalInfo: ["Marketing limited"] });
    const wa = w.client({ transport: rewriting(w.transport, rewrite) });
    await wa.consent.grant(CA, { scope: "utility", source: "order" });
    const health = await wa.account.health({ refresh: true });
    expect(health.status?.canSendMessage).toBe("BLOCKED");
    const before = w.reached.length;
    const outcome = await w.notice(wa);
    return { outcome, reached: w.reached.length - before };
  };

  it("an unknown node type BLOCKED with the WABA LIMITED: the number is held", async () => {
    const r = await run((h) => {
      h.can_send_message = "BLOCKED";
      h.entities.push({ entity_type: "MESSAGE_TEMPLATE", id: "1", can_send_message: "BLOCKED" });
    });
    expect(r.outcome).toBe("account-health");
    expect(r.reached).toBe(0);
  });

  it("the number's node in lower case BLOCKED with the WABA LIMITED: the number is held", async () => {
    const r = await run((h) => {
      h.can_send_message = "BLOCKED";
      for (const e of h.entities)
        if (e["entity_type"] === "PHONE_NUMBER") {
          e["entity_type"] = "phone_number";
          e["can_send_message"] = "BLOCKED";
        }
    });
    expect(r.outcome).toBe("account-health");
    expect(r.reached).toBe(0);
  });

  it("control: an unknown node BLOCKED alone holds the number", async () => {
    const w = twoNumbers();
    const wa = w.client({
      transport: rewriting(w.transport, (h) => {
        h.can_send_message = "BLOCKED";
        h.entities.push({ entity_type: "MESSAGE_TEMPLATE", id: "1", can_send_message: "BLOCKED" });
      }),
    });
    await wa.consent.grant(CA, { scope: "utility", source: "order" });
    await wa.account.health({ refresh: true });
    expect(await w.notice(wa)).toBe("account-health");
  });

  it("control: the WABA LIMITED alone lets a utility send through", async () => {
    const w = twoNumbers();
    w.fake.setHealth("WABA", { canSendMessage: "LIMITED", additionalInfo: ["Marketing limited"] });
    const wa = w.client({ transport: w.transport });
    await wa.consent.grant(CA, { scope: "utility", source: "order" });
    await wa.account.health({ refresh: true });
    expect(await w.notice(wa)).toBe("sent");
  });
});
