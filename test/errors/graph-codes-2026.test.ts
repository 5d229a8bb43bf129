import { describe, expect, it } from "vitest";
import { createGraphApiError } from "../../src/errors/graph.js";
import {
  AccountRestrictedError,
  BillingError,
  type GraphApiError,
  InvalidRequestError,
  RateLimitError,
  RecipientError,
  TemplateError,
} from "../../src/index.js";
import { setup, USER } from "../helpers.js";

// The codes of the fact sheet's §11 (2026 additions) and the class a user should catch.
const ADDED: Array<[number, new (...args: never[]) => GraphApiError, boolean]> = [
  [80008, RateLimitError, true], // too many calls to this WABA: retry later
  [192, InvalidRequestError, false], // invalid phone number
  [200002, TemplateError, false], // template creation failed (subcodes 2388xxx)
  [131044, BillingError, false], // no valid payment method (calling)
  [131048, AccountRestrictedError, false], // spam rate limit: listed under throttling, not retried
  [131063, AccountRestrictedError, false], // marketing must go through the Marketing Messages API
  [131047, RecipientError, false],
  [131026, RecipientError, false],
  [131049, RecipientError, false],
  [131050, RecipientError, false],
  [132015, TemplateError, false],
  [131053, InvalidRequestError, false],
  [131062, RecipientError, false],
];

describe("graph error table: the 2026 additions", () => {
  it.each(ADDED)("code %i maps to its class", (code, Cls, retryable) => {
    const error = createGraphApiError({ body: { code, message: "x" } });
    expect(error).toBeInstanceOf(Cls);
    expect(error.category).not.toBe("unknown");
    expect(error.retryable).toBe(retryable);
  });

  it("200002 keeps its 2388xxx subcode and is a template error", () => {
    const error = createGraphApiError({
      body: { code: 200002, error_subcode: 2388019, is_transient: false, message: "Template limit" },
    });
    expect(error).toBeInstanceOf(TemplateError);
    expect(error.graphSubcode).toBe(2388019);
    expect(error.retryable).toBe(false);
  });
});

describe("is_transient", () => {
  it("is exposed, and decides over the code table in both directions", () => {
    const transient = createGraphApiError({ body: { code: 100, is_transient: true } });
    expect(transient.transient).toBe(true);
    expect(transient.retryable).toBe(true);
    const lasting = createGraphApiError({ body: { code: 131000, is_transient: false } });
    expect(lasting.transient).toBe(false);
    expect(lasting.retryable).toBe(false);
    const unsaid = createGraphApiError({ body: { code: 131000 } });
    expect(unsaid.transient).toBeUndefined();
    expect(unsaid.retryable).toBe(true);
  });

  it("a transient error is retried even when its code is not, and the send then succeeds", async () => {
    const { fake, wa, calls } = setup();
    fake.messaging.receiveMessage(USER);
    fake.failNext(1, { code: 131009, isTransient: true });
    const retries: number[] = [];
    wa.on("retry", (e) => retries.push(e.delayMs));
    await wa.messages.sendText({ to: USER, body: "hi" });
    expect(retries).toHaveLength(1);
    expect(calls).toHaveLength(2);
    expect(fake.messaging.sent).toHaveLength(1);
  });

  it("an unknown code marked transient is retried too", async () => {
    const { fake, wa, calls } = setup();
    fake.messaging.receiveMessage(USER);
    fake.failNext(1, { code: 4_000_123, isTransient: true });
    await wa.messages.sendText({ to: USER, body: "hi" });
    expect(calls).toHaveLength(2);
  });

  it("is retried per the retry policy: maxRetries bounds it", async () => {
    const { fake, wa, calls } = setup({}, { maxRetries: 2 });
    fake.messaging.receiveMessage(USER);
    fake.failNext(10, { code: 131009, isTransient: true });
    await expect(wa.messages.sendText({ to: USER, body: "hi" })).rejects.toMatchObject({
      graphCode: 131009,
      transient: true,
    });
    expect(calls).toHaveLength(3);
    expect(fake.messaging.sent).toHaveLength(0);
  });

  it("a non-transient error is not retried, even when its code usually is", async () => {
    const { fake, wa, calls } = setup();
    fake.messaging.receiveMessage(USER);
    fake.failNext(1, { code: 131000, isTransient: false });
    const error = await wa.messages.sendText({ to: USER, body: "hi" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ graphCode: 131000, retryable: false, transient: false });
    expect(calls).toHaveLength(1);
  });

  it("80008 (too many calls to this WABA) is retried like 80007", async () => {
    const { fake, wa, calls } = setup();
    fake.failNext(1, 80008, { operation: "templates" });
    await wa.templates.listPage();
    expect(calls).toHaveLength(2);
  });
});
