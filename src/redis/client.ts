import { createHash } from "node:crypto";
import { StoreUnavailableError } from "../errors/store.js";
import { ConfigError } from "../errors/validation.js";
import { describeError } from "../internal/logger.js";
import { maskKey } from "./decode.js";

export interface ScriptOptions {
  /**
   * Always send the script as `EVAL` with its source, never `EVALSHA`, so it never depends on
   * Redis's script cache. Use it for scripts that undo or release on failure paths (a refund,
   * a release of a reservation): they run rarely, so after a restart or a failover
   * (`SCRIPT FLUSH`) they are the ones not cached, and they are sent exactly when Redis is
   * slow. Sent as `EVAL`, such a script runs where it stands on the connection — after the
   * commands sent before it — even when its caller was already told "unavailable"; an
   * `EVALSHA` would come back `NOSCRIPT` and the undo would be lost.
   * Costs the script's source on the wire at every call.
   * @default false
   * @example const RELEASE = script(`return redis.call('DEL', KEYS[1])`, { alwaysEval: true });
   */
  alwaysEval?: boolean;
}

/** A Lua script and its SHA-1, for EVALSHA. */
export interface Script {
  readonly source: string;
  readonly sha: string;
  /** Sent as EVAL every time (see {@link ScriptOptions.alwaysEval}). */
  readonly alwaysEval?: boolean;
}

/** A script for {@link RedisRunner.run}: its source, its SHA-1, and how it is sent. */
export function script(source: string, options: ScriptOptions = {}): Script {
  const unknown = Object.keys(options).filter((k) => k !== "alwaysEval");
  if (unknown.length > 0)
    throw new ConfigError(`script(): unknown option ${unknown.map((k) => JSON.stringify(k)).join(", ")}`);
  if (options.alwaysEval !== undefined && typeof options.alwaysEval !== "boolean")
    throw new ConfigError(`script(): alwaysEval must be true or false, got ${String(options.alwaysEval)}`);
  return {
    source,
    sha: createHash("sha1").update(source).digest("hex"),
    alwaysEval: options.alwaysEval === true,
  };
}

/** The two commands wa-guard needs, whatever the client library. */
export interface RedisRunner {
  /**
   * EVALSHA, falling back to EVAL when Redis answers NOSCRIPT (after a restart or a flush) —
   * unless this call was already reported unavailable, in which case nothing more is sent.
   * Scripts made with `alwaysEval` go as EVAL straight away.
   */
  run(script: Script, keys: string[], args: Array<string | number>, operation: string): Promise<unknown>;
}

/**
 * What wa-guard needs of an ioredis client (`new Redis()`, a `Cluster`): EVALSHA and EVAL with
 * keys and arguments in one flat array. Declared structurally: wa-guard's types name no Redis
 * package. ioredis flattens array arguments, so 64,000 members need no 64,000-argument call.
 */
export interface IoredisLike {
  evalsha(sha: string, numKeys: number, args: string[]): Promise<unknown>;
  eval(source: string, numKeys: number, args: string[]): Promise<unknown>;
}
/**
 * What wa-guard needs of a node-redis client (`createClient()`, connected): `evalSha` and `eval`
 * with `{ keys, arguments }`. Declared structurally: wa-guard's types name no Redis package.
 */
export interface NodeRedisLike {
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(source: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}
/** An ioredis or a node-redis client. */
export type RedisClientLike = IoredisLike | NodeRedisLike;

export interface RedisRunnerOptions {
  /**
   * How long Redis may stay silent before the commands waiting on it fail closed with
   * `StoreUnavailableError` (`unreachable: true`). Silent means no answer at all on this client —
   * to the waiting command or to any other wa-guard command sent through it — while this process
   * was free to read one: time this process spends blocked (its event loop busy with other work)
   * does not count, and answers already in the socket are read before anything is failed. So a
   * busy caller, or a healthy Redis working through a queue of commands, is not "unavailable";
   * a stalled, paused or unreachable Redis is: a command fails about `timeoutMs` (plus at most
   * `timeoutMs / 5`, capped at 20 ms) after its call or after the last answer, whichever is later.
   * A refused or lost connection that the client library reports fails at once.
   * @default 200
   */
  timeoutMs?: number;
  /**
   * The longest one command waits, counted from its call, even while Redis keeps answering
   * other commands: a slow but living Redis never holds a send longer than this. Past it the
   * command fails closed with `StoreUnavailableError` (`unreachable: true`). Timers cannot fire
   * while this process's own event loop is blocked, so a block in progress at that moment adds
   * to it; answers that have arrived by then are still read first. At least `timeoutMs`.
   * @default 1000, or `timeoutMs` when that is longer
   */
  maxWaitMs?: number;
}

/** The monotonic clock of this process: waits are measured, not policy time. */
const now = () => performance.now();

/** When a wa-guard command on a client last got an answer: any answer proves the link is alive. */
const lastAnswer = new WeakMap<object, { at: number }>();

/** An error reply from Redis (`WRONGTYPE`, `NOSCRIPT`, a script error): Redis is there. */
function isReplyError(error: unknown): boolean {
  // ioredis: ReplyError (by name); node-redis: ErrorReply and its subclasses (by class).
  if (/ReplyError|ErrorReply/.test((error as Error | undefined)?.name ?? "")) return true;
  for (let p = error; p !== null && typeof p === "object"; p = Object.getPrototypeOf(p)) {
    const name = (p as { constructor?: { name?: unknown } }).constructor?.name;
    if (name === "ReplyError" || name === "ErrorReply") return true;
  }
  return false;
}

interface Pending {
  readonly issuedAt: number;
  /** Answered, or reported unavailable: nothing more is done for it. */
  settled: boolean;
  fail(reason: string): void;
}

/**
 * One per runner: a tick every `tickMs` while commands wait. A tick that comes more than a tick
 * late means this process was blocked; Redis's silence during that time does not count. When a
 * command looks due, the verdict waits for `setImmediate`, after the poll phase has read whatever
 * answers are already in the socket.
 */
class Watchdog {
  readonly #pending = new Set<Pending>(); // in call order, so oldest first
  readonly #timeoutMs: number;
  readonly #maxWaitMs: number;
  readonly #tickMs: number;
  readonly #heard: { at: number };
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastTick = 0;
  #resumedAt = Number.NEGATIVE_INFINITY;

  constructor(timeoutMs: number, maxWaitMs: number, heard: { at: number }) {
    this.#timeoutMs = timeoutMs;
    this.#maxWaitMs = maxWaitMs;
    this.#tickMs = Math.min(20, Math.max(1, timeoutMs / 5));
    this.#heard = heard;
  }

  add(p: Pending): void {
    this.#pending.add(p);
    if (this.#timer === undefined) {
      this.#lastTick = now();
      this.#timer = setTimeout(this.#tick, this.#tickMs);
      (this.#timer as { unref?: () => void }).unref?.();
    }
  }

  delete(p: Pending): void {
    // The tick stops by itself once nothing waits: no timer churn per command.
    this.#pending.delete(p);
  }

  /** Commands called at or before this time are due (oldest first); -Infinity when none can be. */
  #cutoff(t: number): number {
    const quietFor = t - Math.max(this.#heard.at, this.#resumedAt);
    return quietFor >= this.#timeoutMs ? t - this.#timeoutMs : t - this.#maxWaitMs;
  }

  readonly #tick = (): void => {
    const t = now();
    if (t - this.#lastTick > 2 * this.#tickMs) this.#resumedAt = t; // this process was blocked
    this.#lastTick = t;
    const oldest = this.#pending.values().next().value;
    if (oldest !== undefined && oldest.issuedAt <= this.#cutoff(t)) setImmediate(this.#expire);
    this.#timer = this.#pending.size > 0 ? setTimeout(this.#tick, this.#tickMs) : undefined;
    (this.#timer as { unref?: () => void } | undefined)?.unref?.();
  };

  readonly #expire = (): void => {
    const t = now();
    if (t - this.#lastTick > this.#tickMs) this.#resumedAt = t; // blocked between the tick and now
    const quiet = t - Math.max(this.#heard.at, this.#resumedAt) >= this.#timeoutMs;
    const cutoff = this.#cutoff(t);
    for (const p of this.#pending) {
      if (p.issuedAt > cutoff) break;
      p.fail(
        quiet
          ? `no answer from Redis for ${this.#timeoutMs} ms`
          : `no answer within ${this.#maxWaitMs} ms (Redis is answering other commands, slowly)`,
      );
    }
  };
}

function positive(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0)
    throw new ConfigError(`redis ${name} must be a positive number of milliseconds, got ${String(value)}`);
  return value;
}

/**
 * Wrap an ioredis or node-redis (v4+) client. wa-guard never imports either library; it only
 * calls `evalsha`/`eval` (ioredis) or `evalSha`/`eval` (node-redis).
 *
 * A command fails closed with `StoreUnavailableError` when Redis has answered nothing on this
 * client for `timeoutMs` of time this process was free to listen (default 200 ms), and in any case
 * `maxWaitMs` after its call (default 1,000 ms). An error reply is an answer
 * (`unreachable: false`); silence or a lost connection is not (`unreachable: true`).
 */
export function redisRunner(client: RedisClientLike, options: RedisRunnerOptions = {}): RedisRunner {
  const timeoutMs = positive("timeoutMs", options.timeoutMs) ?? 200;
  const maxWaitMs = positive("maxWaitMs", options.maxWaitMs) ?? Math.max(1_000, timeoutMs);
  if (maxWaitMs < timeoutMs)
    throw new ConfigError(`redis maxWaitMs (${maxWaitMs}) must be at least timeoutMs (${timeoutMs})`);
  const c = client as Partial<IoredisLike & NodeRedisLike> | null;
  let evalSha: (s: Script, keys: string[], args: string[]) => Promise<unknown>;
  let evalSource: (s: Script, keys: string[], args: string[]) => Promise<unknown>;
  if (c && typeof c.evalSha === "function" && typeof c.eval === "function") {
    const n = c as NodeRedisLike;
    evalSha = (s, keys, args) => n.evalSha(s.sha, { keys, arguments: args });
    evalSource = (s, keys, args) => n.eval(s.source, { keys, arguments: args });
  } else if (c && typeof c.evalsha === "function" && typeof c.eval === "function") {
    const io = c as IoredisLike;
    evalSha = (s, keys, args) => io.evalsha(s.sha, keys.length, [...keys, ...args]);
    evalSource = (s, keys, args) => io.eval(s.source, keys.length, [...keys, ...args]);
  } else {
    throw new TypeError(
      "redisStores() needs an ioredis or node-redis client (with evalsha/evalSha and eval)",
    );
  }
  let line = lastAnswer.get(client as object);
  if (line === undefined) {
    line = { at: Number.NEGATIVE_INFINITY };
    lastAnswer.set(client as object, line);
  }
  const heard = line;
  const watchdog = new Watchdog(timeoutMs, maxWaitMs, heard);
  /** Calls the client now (so the command takes its place on the connection), never throws. */
  const send = (
    how: (s: Script, keys: string[], args: string[]) => Promise<unknown>,
    s: Script,
    keys: string[],
    args: string[],
  ): Promise<unknown> => {
    try {
      return Promise.resolve(how(s, keys, args));
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return {
    run(s, keys, rawArgs, operation) {
      const args = rawArgs.map(String);
      return new Promise<unknown>((resolve, reject) => {
        const p: Pending = {
          issuedAt: now(),
          settled: false,
          fail(reason) {
            if (p.settled) return;
            p.settled = true;
            watchdog.delete(p);
            reject(new StoreUnavailableError("redis", operation, reason));
          },
        };
        const answered = (value: unknown) => {
          heard.at = now();
          if (p.settled) return; // already reported unavailable: the late answer is dropped
          p.settled = true;
          watchdog.delete(p);
          resolve(value);
        };
        const failed = (error: unknown) => {
          const reply = isReplyError(error);
          if (reply) heard.at = now();
          // Reported unavailable already: the caller may have sent its undo. Sending the script
          // now would land the operation after it, so a NOSCRIPT ends the call here.
          if (p.settled) return;
          if (reply && !s.alwaysEval && sentSha && /NOSCRIPT/i.test(describeError(error))) {
            sentSha = false;
            send(evalSource, s, keys, args).then(answered, failed);
            return;
          }
          p.settled = true;
          watchdog.delete(p);
          // An error reply (WRONGTYPE, a script error) is an answer: Redis is there but refused.
          // The client library's error carries the command and its keys (phone numbers): the
          // cause handed out keeps only its name, message and code.
          reject(
            new StoreUnavailableError("redis", operation, maskKey(describeError(error)), {
              cause: plainCause(error),
              unreachable: !reply,
            }),
          );
        };
        let sentSha = !s.alwaysEval;
        watchdog.add(p);
        send(s.alwaysEval ? evalSource : evalSha, s, keys, args).then(answered, failed);
      });
    },
  };
}

/** An error reduced to its name, message and code, phone numbers in the message masked. */
function plainCause(error: unknown): unknown {
  if (!(error instanceof Error)) return typeof error === "string" ? maskKey(error) : undefined;
  const copy = new Error(maskKey(error.message));
  copy.name = error.name;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" || typeof code === "number") (copy as { code?: unknown }).code = code;
  return copy;
}
