import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { isConfigError, isStoreUnavailableError, type StoreUnavailableError } from "../../src/index.js";
import { redisRunner, script } from "../../src/redis/client.js";

// The runner's rules against a scripted client, in virtual time. What real Redis servers and
// client libraries do under stalls and flushes is in test/contracts/redis-runner.test.ts.

/** ioredis's error reply class is named ReplyError; node-redis's are subclasses of ErrorReply. */
class ReplyError extends Error {
  override name = "ReplyError";
}
class ErrorReply extends Error {}
class SimpleError extends ErrorReply {}

type Call = {
  method: "evalsha" | "eval";
  script: string;
  args: string[];
  answer(v: unknown): void;
  fail(e: unknown): void;
};

/** An ioredis-shaped client whose every command waits until the test answers it. */
function scripted() {
  const calls: Call[] = [];
  const command = (method: Call["method"]) => (script: string, _numKeys: number, args: string[]) =>
    new Promise((answer, fail) => calls.push({ method, script, args, answer, fail }));
  return { calls, client: { evalsha: command("evalsha"), eval: command("eval") } };
}

const ECHO = script("return ARGV[1]");
const UNDO = script("return redis.call('DEL', KEYS[1])", { alwaysEval: true });
const settled = async <T>(p: Promise<T>) => {
  let state: "pending" | "answered" | "failed" = "pending";
  p.then(
    () => {
      state = "answered";
    },
    () => {
      state = "failed";
    },
  );
  await vi.advanceTimersByTimeAsync(0);
  return state;
};

beforeEach(() => {
  vi.useFakeTimers({
    toFake: ["setTimeout", "clearTimeout", "setImmediate", "clearImmediate", "performance"],
  });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("redisRunner: when a command counts as unavailable", () => {
  it("fails closed once Redis has been silent for timeoutMs (200 ms by default), not before", async () => {
    const { client } = scripted();
    const run = redisRunner(client).run(ECHO, [], ["a"], "test.echo");
    const error = run.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(190);
    expect(await settled(run)).toBe("pending");
    await vi.advanceTimersByTimeAsync(40); // timeoutMs + one tick (timeoutMs / 5, at most 20 ms)
    const e = (await error) as StoreUnavailableError;
    expect(isStoreUnavailableError(e)).toBe(true);
    expect(e).toMatchObject({ store: "redis", operation: "test.echo", unreachable: true });
    expect(e.message).toContain("no answer from Redis for 200 ms");
  });

  it("keeps waiting while Redis keeps answering other commands, up to maxWaitMs from the call", async () => {
    const { client, calls } = scripted();
    const runner = redisRunner(client, { timeoutMs: 100, maxWaitMs: 700 });
    const slow = runner.run(ECHO, [], ["slow"], "test.slow");
    const error = slow.catch((e: unknown) => e);
    // Other commands are answered every 60 ms: Redis is alive, just slow to answer this one.
    for (let t = 0; t < 660; t += 60) {
      const other = runner.run(ECHO, [], ["other"], "test.other");
      await vi.advanceTimersByTimeAsync(60);
      calls.at(-1)?.answer("other");
      await expect(other).resolves.toBe("other");
    }
    expect(await settled(slow)).toBe("pending"); // 660 ms: long past timeoutMs, short of maxWaitMs
    await vi.advanceTimersByTimeAsync(80);
    const e = (await error) as StoreUnavailableError;
    expect(e).toMatchObject({ unreachable: true });
    expect(e.message).toContain("no answer within 700 ms");
  });

  it("an answer that comes after the report is dropped, and the next command is judged afresh", async () => {
    const { client, calls } = scripted();
    const runner = redisRunner(client, { timeoutMs: 50 });
    const first = runner.run(ECHO, [], ["a"], "test.echo").catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    expect(isStoreUnavailableError(await first)).toBe(true);
    calls[0]?.answer("a"); // late: nobody is told
    const second = runner.run(ECHO, [], ["b"], "test.echo");
    await vi.advanceTimersByTimeAsync(5);
    calls[1]?.answer("b");
    await expect(second).resolves.toBe("b");
  });

  it("an error reply is an answer (unreachable: false) with either library; a client-side failure is not", async () => {
    const replies = [
      new ReplyError("WRONGTYPE Operation against a key holding the wrong kind of value"),
      new SimpleError("WRONGTYPE Operation against a key holding the wrong kind of value"),
    ];
    for (const reply of replies) {
      const { client, calls } = scripted();
      const run = redisRunner(client)
        .run(ECHO, [], ["a"], "test.echo")
        .catch((e: unknown) => e);
      calls[0]?.fail(reply);
      expect(await run).toMatchObject({ unreachable: false, cause: reply });
    }
    const { client, calls } = scripted();
    const run = redisRunner(client)
      .run(ECHO, [], ["a"], "test.echo")
      .catch((e: unknown) => e);
    calls[0]?.fail(new Error("Command timed out"));
    expect(await run).toMatchObject({ unreachable: true });
  });
});

describe("redisRunner: the script cache", () => {
  it("falls back to EVAL when NOSCRIPT comes back in time", async () => {
    const { client, calls } = scripted();
    const run = redisRunner(client).run(ECHO, [], ["a"], "test.echo");
    calls[0]?.fail(new ReplyError("NOSCRIPT No matching script. Please use EVAL."));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((c) => c.method)).toEqual(["evalsha", "eval"]);
    expect(calls[1]?.script).toBe(ECHO.source);
    calls[1]?.answer("a");
    await expect(run).resolves.toBe("a");
  });

  it("sends no EVAL for a call already reported unavailable: the operation lands in order or not at all", async () => {
    const { client, calls } = scripted();
    const runner = redisRunner(client, { timeoutMs: 50 });
    const reserve = runner.run(ECHO, [], ["reserve"], "test.reserve").catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    expect(isStoreUnavailableError(await reserve)).toBe(true);
    // The caller compensates; then Redis comes back and answers the EVALSHA: NOSCRIPT.
    const undo = runner.run(UNDO, ["k"], [], "test.undo");
    calls[0]?.fail(new ReplyError("NOSCRIPT No matching script. Please use EVAL."));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((c) => `${c.method} ${c.args[0] ?? ""}`)).toEqual(["evalsha reserve", "eval k"]);
    calls[1]?.answer(1);
    await expect(undo).resolves.toBe(1);
  });

  it("alwaysEval scripts are sent as EVAL with their source, never as EVALSHA", async () => {
    const { client, calls } = scripted();
    const run = redisRunner(client).run(UNDO, ["k"], [], "test.undo");
    expect(calls.map((c) => [c.method, c.script])).toEqual([["eval", UNDO.source]]);
    calls[0]?.answer(1);
    await expect(run).resolves.toBe(1);
    expect(UNDO.alwaysEval).toBe(true);
    expect(ECHO.alwaysEval).toBe(false);
  });
});

describe("redisRunner and script options", () => {
  const thrown = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e;
    }
    return undefined;
  };

  it("refuse what they cannot use, naming it", () => {
    const { client } = scripted();
    for (const bad of [{ timeoutMs: 0 }, { timeoutMs: -5 }, { timeoutMs: Number.NaN }, { maxWaitMs: "1s" }]) {
      const e = thrown(() => redisRunner(client, bad as never));
      expect(isConfigError(e)).toBe(true);
      expect((e as Error).message).toMatch(/(timeoutMs|maxWaitMs) must be a positive number of milliseconds/);
    }
    expect(thrown(() => redisRunner(client, { timeoutMs: 500, maxWaitMs: 100 }))).toMatchObject({
      message: "redis maxWaitMs (100) must be at least timeoutMs (500)",
    });
    expect(thrown(() => redisRunner(client, { timeoutMs: 2_000 }))).toBeUndefined(); // maxWaitMs follows
    const e = thrown(() => script("return 1", { alwaysEavl: true } as never));
    expect(isConfigError(e)).toBe(true);
    expect((e as Error).message).toContain('unknown option "alwaysEavl"');
    // A client the types refuse (plain JavaScript callers) is refused at run time too.
    expect(thrown(() => redisRunner({} as never, {}))).toBeInstanceOf(TypeError);
  });
});
