import { describe, expect, it } from "vitest";
import { signWebhookBody as rootSign, verifyWebhookSignature } from "../../src/index.js";
import { signWebhook, signWebhookBody } from "../../src/testing/index.js";

describe("signWebhookBody: one function, one name", () => {
  it("is what wa-guard/testing exports, and its deprecated alias signWebhook is the same function", () => {
    expect(signWebhookBody).toBe(rootSign);
    expect(signWebhook).toBe(rootSign);
    const body = '{"object":"whatsapp_business_account","entry":[]}';
    expect(() => verifyWebhookSignature(body, signWebhook(body, "s"), ["s"])).not.toThrow();
  });
});
