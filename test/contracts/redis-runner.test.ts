import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { isStoreUnavailableError, type StoreUnavailableError } from "../../src/index.js";
import {
  type RedisClientLike,
  type RedisRunnerOptions,
  redisRunner,
  script,
} from "../../src/redis/client.js";
import { type OwnRedis, ownRedisSuite, startRedis } from "./own-redis.js";

// The Redis runner against real servers of our own (127.0.0.1:6390–6399, started and stopped
// here: stalls and kills never touch the shared Redis), through ioredis and node-redis.
// Needs the redis-server binary: required in CI, skipped with the reason printed elsewhere.

/** The clients, set up as docs/deployment.md recommends (and ioredis plain). */
const KINDS = ["ioredis", "ioredis, auto-pipelining, commandTimeout 500", "node-redis"] as const;
type Kind = (typeof KINDS)[number];
interface Connected {
  /** Typed as wa-guard declares it: real ioredis and node-redis clients must fit it. */
  client: RedisClientLike;
  ping(): Promise<unknown>;
  close(): void;
}

async function connect(kind: Kind, port: number): Promise<Connected> {
  if (kind === "node-redis") {
    const c = createClient({
      socket: { host: "127.0.0.1", port, connectTimeout: 1_000 },
      disableOfflineQueue: true,
    });
    c.on("error", () => undefined);
    await c.connect();
    return { client: c, ping: () => c.ping(), close: () => c.destroy() };
  }
  const c = new Redis({
    host: "127.0.0.1",
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 1_000,
    ...(kind === "ioredis" ? {} : { commandTimeout: 500, enableAutoPipelining: true }),
  });
  c.on("error", () => undefined);
  await c.connect();
  return { client: c, ping: () => c.ping(), close: () => c.disconnect() };
}

interface Stall {
  /** True once Redis answers again. */
  readonly over: boolean;
  /** Waits until Redis answers again (ends the stall when this test controls its end). */
  end(): Promise<void>;
}

/**
 * Stalls the server and returns once the stall is in effect: `DEBUG SLEEP` (a PING sent after it
 * stays unanswered), `CLIENT PAUSE … ALL` (in effect when it answers OK), or a frozen process
 * (SIGSTOP, ended by SIGCONT: a server that stops answering without closing its connections).
 */
async function stall(
  server: OwnRedis,
  how: "DEBUG SLEEP" | "CLIENT PAUSE" | "SIGSTOP",
  seconds = 2,
): Promise<Stall> {
  let over = false;
  if (how === "SIGSTOP") {
    server.proc.kill("SIGSTOP");
    return {
      get over() {
        return over;
      },
      async end() {
        server.proc.kill("SIGCONT");
        over = true;
      },
    };
  }
  const admin = new Redis({ port: server.port, host: "127.0.0.1" });
  const probe = new Redis({ port: server.port, host: "127.0.0.1" });
  await Promise.all([admin.ping(), probe.ping()]);
  let done: Promise<unknown>;
  if (how === "DEBUG SLEEP") {
    done = admin.call("DEBUG", "SLEEP", String(seconds));
    for (;;) {
      const answered = await Promise.race([
        probe.ping().then(() => true),
        new Promise<false>((r) => setTimeout(() => r(false), 150)),
      ]);
      if (!answered) break; // a PING sent after the DEBUG SLEEP is waiting: Redis is asleep
    }
  } else {
    await admin.call("CLIENT", "PAUSE", String(seconds * 1_000), "ALL");
    done = probe.ping();
  }
  const ended = done.then(() => {
    over = true;
  });
  return {
    get over() {
      return over;
    },
    async end() {
      await ended;
      admin.disconnect();
      probe.disconnect();
    },
  };
}

/** Keeps the event loop busy: the caller doing its own work, not awaiting. */
function block(ms: number): void {
  const until = performance.now() + ms;
  let spins = 0;
  while (performance.now() < until) spins++;
  expect(spins).toBeGreaterThan(0);
}

const ECHO = script("return ARGV[1]");
/** Appends ARGV[1] to the trace list KEYS[1]; cached by its first run. */
const TRACE = script("return redis.call('RPUSH', KEYS[1], ARGV[1])");
/** The same, as a script run only on a rare path: never cached when the stall comes. */
const RARE = script("-- a reservation, rarely used\nreturn redis.call('RPUSH', KEYS[1], ARGV[1])");
/** The same, as a compensating undo marked to always go as EVAL. */
const UNDO = script("-- its undo\nreturn redis.call('RPUSH', KEYS[1], ARGV[1])", { alwaysEval: true });

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as StoreUnavailableError,
  );

ownRedisSuite("the Redis runner against a server of its own", () => {
  let server: OwnRedis;
  const open: Connected[] = [];
  const connectAll = async (kinds: readonly Kind[] = KINDS) => {
    const cs = await Promise.all(kinds.map((k) => connect(k, server.port)));
    open.push(...cs);
    return cs;
  };
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await server?.stop();
  });

  it.each(KINDS)(
    "%s: a caller that blocks its own event loop right after a call still gets the answer",
    async (kind) => {
      const [c] = await connectAll([kind]);
      const runner = redisRunner(c!.client, { timeoutMs: 50 }); // a block of 2–6 × timeoutMs
      await runner.run(ECHO, [], ["warm"], "test.echo");
      for (const ms of [30, 100, 300]) {
        for (let i = 0; i < 3; i++) {
          const one = runner.run(ECHO, [], [`${ms}:${i}`], "test.echo");
          block(ms);
          await expect(one).resolves.toBe(`${ms}:${i}`);
        }
        // 200 at once, queued behind each other, and the caller busy.
        const many = Array.from({ length: 200 }, (_, j) => runner.run(ECHO, [], [`${j}`], "test.echo"));
        block(ms);
        expect(await Promise.all(many)).toEqual(Array.from({ length: 200 }, (_, j) => `${j}`));
      }
    },
  );

  it.each(["DEBUG SLEEP", "CLIENT PAUSE", "SIGSTOP"] as const)(
    "Redis stalled (%s): every client fails closed within maxWaitMs, while still stalled, and works after",
    async (how) => {
      const cs = await connectAll();
      const runners = cs.map((c) => redisRunner(c.client)); // defaults: timeoutMs 200, maxWaitMs 1,000
      for (const r of runners) await r.run(ECHO, [], ["warm"], "test.echo");
      const stalled = await stall(server, how);
      try {
        const outcomes = await Promise.all(
          runners.map(async (r) => {
            const started = performance.now();
            const error = await failure(r.run(ECHO, [], ["during"], "test.echo"));
            return { error, ms: performance.now() - started, during: !stalled.over };
          }),
        );
        for (const o of outcomes) {
          expect(isStoreUnavailableError(o.error)).toBe(true);
          expect(o.error).toMatchObject({ store: "redis", operation: "test.echo", unreachable: true });
          expect(o.during).toBe(true); // refused while Redis was stalled, not answered after it
          // The stated bound is maxWaitMs (1,000 ms); the slack is for a loaded machine.
          expect(o.ms).toBeLessThan(1_500);
        }
      } finally {
        await stalled.end();
      }
      for (const r of runners) await expect(r.run(ECHO, [], ["after"], "test.echo")).resolves.toBe("after");
    },
  );

  it("a killed server: every client fails closed within maxWaitMs", async () => {
    const doomed = await startRedis();
    const cs = await Promise.all(KINDS.map((k) => connect(k, doomed.port)));
    try {
      const runners = cs.map((c) => redisRunner(c.client));
      for (const r of runners) await r.run(ECHO, [], ["warm"], "test.echo");
      await doomed.stop();
      for (const r of runners) {
        const started = performance.now();
        const error = await failure(r.run(ECHO, [], ["after death"], "test.echo"));
        expect(error).toMatchObject({ store: "redis", unreachable: true });
        expect(performance.now() - started).toBeLessThan(1_500);
      }
    } finally {
      for (const c of cs) c.close();
      await doomed.stop();
    }
  });

  it("an error reply is an answer with either library (unreachable: false)", async () => {
    const key = `runner-test:${randomUUID()}`;
    const admin = new Redis({ port: server.port, host: "127.0.0.1" });
    await admin.set(key, "a string");
    admin.disconnect();
    const LPUSH = script("return redis.call('LPUSH', KEYS[1], 'x')");
    for (const c of await connectAll()) {
      const error = await failure(redisRunner(c.client).run(LPUSH, [key], [], "test.lpush"));
      expect(error).toMatchObject({ store: "redis", unreachable: false });
      expect(error?.message).toMatch(/WRONGTYPE/);
    }
  });

  it.each<[string, Kind, RedisRunnerOptions]>([
    [
      "ioredis with commandTimeout 500 answering first",
      "ioredis, auto-pipelining, commandTimeout 500",
      { timeoutMs: 2_000 },
    ],
    ["ioredis without a command timeout", "ioredis", {}],
    ["node-redis", "node-redis", {}],
  ])(
    "after SCRIPT FLUSH, in a DEBUG SLEEP (%s): a call reported unavailable never lands late; an alwaysEval undo lands in order",
    async (_name, kind, options) => {
      const [c] = await connectAll([kind]);
      const runner = redisRunner(c!.client, options);
      const trace = `runner-test:${randomUUID()}`;
      const admin = new Redis({ port: server.port, host: "127.0.0.1" });
      await admin.script("FLUSH"); // a restart or a failover: Redis has forgotten every script
      await expect(runner.run(TRACE, [trace], ["before"], "test.trace")).resolves.toBe(1); // NOSCRIPT, EVAL
      const stalled = await stall(server, "DEBUG SLEEP", 3);
      try {
        // Sent during the stall, in this order on one connection:
        const cached = failure(runner.run(TRACE, [trace], ["cached"], "test.trace")); // EVALSHA, cached
        const reserve = await failure(runner.run(RARE, [trace], ["reserve"], "test.reserve")); // EVALSHA, not cached
        expect(reserve).toMatchObject({ unreachable: true });
        // The caller was told "unavailable", so it sends its compensating undo.
        const undo = await failure(runner.run(UNDO, [trace], ["undo"], "test.undo"));
        expect(undo).toMatchObject({ unreachable: true });
        expect(await cached).toMatchObject({ unreachable: true });
        expect(stalled.over).toBe(false);
      } finally {
        await stalled.end();
      }
      // Redis is back. Any EVAL sent for the late NOSCRIPT would have been sent before this second
      // PING (the first one's answer comes after the NOSCRIPT), and run before its answer.
      await c?.ping();
      await c?.ping();
      // The cached EVALSHA landed in order; the uncached one not at all (no late EVAL after the
      // undo: no phantom reservation); the undo, sent as EVAL, landed after the commands before it.
      expect(await admin.lrange(trace, 0, -1)).toEqual(["before", "cached", "undo"]);
      admin.disconnect();
    },
  );
});
