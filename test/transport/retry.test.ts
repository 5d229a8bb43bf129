import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isGraphApiError, isTransportError, RateLimitError, TransportError } from "../../src/index.js";
import { parseRetryAfter, RetryBudget, retryDelayMs } from "../../src/transport/retry.js";
import { setup, USER } from "../helpers.js";

const policy = { maxRetries: 2, maxRetryAfterMs: 30_000, maxBackoffMs: 8_000 };

describe("retries", () => {
  it("retries 130429 after Retry-After on the injected clock, then succeeds", async () => {
    const { fake, wa, clock, calls } = setup();
    fake.messaging.receiveMessage(USER);
    fake.failNext(1, { code: 130429, retryAfterSeconds: 2 });
    const retries: number[] = [];
    wa.on("retry", (e) => retries.push(e.delayMs));
    const start = clock.now();
    await wa.messages.sendText({ to: USER, body: "hi" });
    expect(retries).toEqual([2000]);
    expect(clock.now() - start).toBe(2000);
    expect(calls).toHaveLength(2);
    expect(fake.messaging.sent).toHaveLength(1);
  });

  it("gives up after maxRetries and throws the last error", async () => {
    const { fake, wa, calls } = setup({}, { maxRetries: 2 });
    fake.messaging.receiveMessage(USER);
    fake.failNext(5, 131000);
    await expect(wa.messages.sendText({ to: USER, body: "hi" })).rejects.toMatchObject({ graphCode: 131000 });
    expect(calls).toHaveLength(3);
  });

  it("does not wait longer than maxRetryAfterMs: throws with retryAfterMs instead", async () => {
    const { fake, wa, calls } = setup({}, { maxRetryAfterMs: 5_000 });
    fake.messaging.receiveMessage(USER);
    fake.failNext(1, { code: 130429, retryAfterSeconds: 60 });
    const error = await wa.messages.sendText({ to: USER, body: "hi" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(60_000);
    expect(calls).toHaveLength(1);
  });

  it("retries a connection that failed before the request was written", async () => {
    const { fake, wa, calls } = setup();
    fake.messaging.receiveMessage(USER);
    fake.dropNext(1, "before_write");
    await wa.messages.sendText({ to: USER, body: "hi" });
    expect(calls).toHaveLength(2);
    expect(fake.messaging.sent).toHaveLength(1);
  });

  it("never re-sends after the request was written: outcome unknown, with the correlation id", async () => {
    const { fake, wa, calls } = setup();
    fake.messaging.receiveMessage(USER);
    fake.dropNext(1, "after_request");
    const error = await wa.messages.sendText({ to: USER, body: "hi" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).outcome).toBe("unknown");
    expect(calls).toHaveLength(1);
    expect(fake.messaging.sent).toHaveLength(1);
    expect((error as TransportError).correlationId).toBe(fake.messaging.sent[0]!.correlationId);
  });

  it("retries idempotent reads after an unknown outcome", async () => {
    const { fake, wa, calls } = setup();
    fake.dropNext(1, "after_request", { operation: "phone_number" });
    const info = await wa.account.phoneNumber();
    expect(info.status).toBe("CONNECTED");
    expect(calls).toHaveLength(2);
  });

  it("stops retrying when the client-wide budget is spent", async () => {
    const { fake, wa, calls } = setup({}, { maxRetries: 10 });
    fake.messaging.receiveMessage(USER);
    fake.failNext(1000, 131000);
    for (let i = 0; i < 5; i++) await wa.messages.sendText({ to: USER, body: "hi" }).catch(() => {});
    // 50 tokens at 5 per retry: 10 retries in total, then one attempt per call.
    expect(calls.length).toBe(5 + 10);
  });

  it("property: a send is accepted by Meta at most once, whatever fails on the way", async () => {
    const fault = fc.oneof(
      fc.record({
        kind: fc.constant("code" as const),
        code: fc.constantFrom(2, 4, 100, 130429, 131000, 131016, 131047, 131056, 131057, 368, 190, 133004),
      }),
      fc.record({
        kind: fc.constant("drop" as const),
        mode: fc.constantFrom("before_write" as const, "after_request" as const),
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fault, { maxLength: 6 }),
        fc.integer({ min: 0, max: 4 }),
        async (faults, maxRetries) => {
          const { fake, wa, calls } = setup({}, { maxRetries });
          fake.messaging.receiveMessage(USER);
          for (const f of faults) {
            if (f.kind === "code") fake.failNext(1, f.code);
            else fake.dropNext(1, f.mode);
          }
          const outcome = await wa.messages.sendText({ to: USER, body: "hi" }).then(
            () => "ok" as const,
            (e: unknown) => e,
          );
          const accepted = fake.messaging.sent.length;
          expect(accepted).toBeLessThanOrEqual(1);
          expect(calls.length).toBeLessThanOrEqual(maxRetries + 1);
          if (outcome === "ok") expect(accepted).toBe(1);
          else if (isGraphApiError(outcome)) expect(accepted).toBe(0);
          else if (isTransportError(outcome) && outcome.outcome === "not_sent") expect(accepted).toBe(0);
          else expect(isTransportError(outcome) && outcome.outcome === "unknown").toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("retry policy", () => {
  it("backs off exponentially with jitter and never earlier than half the step", () => {
    const err = new RateLimitError("x", { body: { code: 130429 } });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (attempt, r) => {
          const delay = retryDelayMs(err, attempt, policy, () => r)!;
          const step = 1000 * 2 ** attempt;
          expect(delay).toBeGreaterThanOrEqual(step / 2);
          expect(delay).toBeLessThanOrEqual(step);
        },
      ),
    );
  });

  it("does not retry the pair rate limit (131056): the pair-rate guard paces sends instead", () => {
    const err = new RateLimitError("x", { body: { code: 131056 } });
    expect(retryDelayMs(err, 0, { ...policy, maxRetries: 5 }, () => 1)).toBeUndefined();
  });

  it("never retries an unknown transport outcome", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), (attempt) => {
        const err = new TransportError("x", { outcome: "unknown", reason: "headers_timeout" });
        expect(retryDelayMs(err, attempt, { ...policy, maxRetries: 10 })).toBeUndefined();
      }),
    );
  });

  it("parses Retry-After as seconds or an HTTP date", () => {
    expect(parseRetryAfter("3", 0)).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter("soon", 0)).toBeUndefined();
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
  });

  it("budget: costs per retry, refunds per success, never exceeds capacity", () => {
    const b = new RetryBudget(10, 5);
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false);
    for (let i = 0; i < 20; i++) b.refund();
    expect(b.available).toBe(10);
  });
});

describe("abort", () => {
  it("stops waiting to retry when the signal aborts, and reports that nothing new was sent", async () => {
    const { FakeClock } = await import("../../src/testing/index.js");
    const clock = new FakeClock({ autoAdvance: false });
    const { fake, wa, calls } = setup({ clock }, { clock });
    fake.messaging.receiveMessage(USER);
    fake.failNext(1, { code: 130429, retryAfterSeconds: 5 });
    const controller = new AbortController();
    const pending = wa.messages
      .sendText({ to: USER, body: "hi" }, { signal: controller.signal })
      .catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 10));
    expect(clock.pending).toBe(1);
    controller.abort();
    const error = await pending;
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ outcome: "not_sent", reason: "aborted" });
    expect((error as TransportError).correlationId).toMatch(/^wag_/);
    expect(calls).toHaveLength(1);
    expect(fake.messaging.sent).toHaveLength(0);
  });

  it("does not send at all when the signal is already aborted", async () => {
    const { fake, wa } = setup();
    fake.messaging.receiveMessage(USER);
    const error = await wa.messages
      .sendText({ to: USER, body: "hi" }, { signal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect(fake.messaging.sent).toHaveLength(0);
    expect(error).toMatchObject({ outcome: "not_sent", reason: "aborted" });
  });
});
