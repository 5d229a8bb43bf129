import { createHash } from "node:crypto";
import { StoreUnavailableError } from "../errors/store.js";
import { describeError } from "../internal/logger.js";

/** A Lua script and its SHA-1, for EVALSHA. */
export interface Script {
  readonly source: string;
  readonly sha: string;
}

export function script(source: string): Script {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

/** The two commands wa-guard needs, whatever the client library. */
export interface RedisRunner {
  /** EVALSHA, falling back to EVAL when Redis answers NOSCRIPT (after a restart or a flush). */
  run(script: Script, keys: string[], args: Array<string | number>, operation: string): Promise<unknown>;
}

/** ioredis flattens array arguments, so 64,000 members need no 64,000-argument call. */
type IoRedisLike = {
  evalsha(sha: string, numKeys: number, args: string[]): Promise<unknown>;
  eval(source: string, numKeys: number, args: string[]): Promise<unknown>;
};
type NodeRedisLike = {
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(source: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
};

export interface RedisRunnerOptions {
  /**
   * Longest wait for one command. Past it the decision fails closed with
   * `StoreUnavailableError` — a send is refused rather than left hanging.
   * @default 50
   */
  timeoutMs?: number;
}

/**
 * Wrap an ioredis or node-redis (v4+) client. wa-guard never imports either library; it only
 * calls `evalsha`/`eval` (ioredis) or `evalSha`/`eval` (node-redis).
 */
export function redisRunner(client: unknown, options: RedisRunnerOptions = {}): RedisRunner {
  const timeoutMs = options.timeoutMs ?? 50;
  const c = client as Partial<IoRedisLike & NodeRedisLike> | null;
  let evalSha: (s: Script, keys: string[], args: string[]) => Promise<unknown>;
  let evalSource: (s: Script, keys: string[], args: string[]) => Promise<unknown>;
  if (c && typeof c.evalSha === "function" && typeof c.eval === "function") {
    const n = c as NodeRedisLike;
    evalSha = (s, keys, args) => n.evalSha(s.sha, { keys, arguments: args });
    evalSource = (s, keys, args) => n.eval(s.source, { keys, arguments: args });
  } else if (c && typeof c.evalsha === "function" && typeof c.eval === "function") {
    const io = c as IoRedisLike;
    evalSha = (s, keys, args) => io.evalsha(s.sha, keys.length, [...keys, ...args]);
    evalSource = (s, keys, args) => io.eval(s.source, keys.length, [...keys, ...args]);
  } else {
    throw new TypeError(
      "redisStores() needs an ioredis or node-redis client (with evalsha/evalSha and eval)",
    );
  }
  return {
    async run(s, keys, rawArgs, operation) {
      const args = rawArgs.map(String);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new StoreUnavailableError("redis", operation, `no answer within ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      const call = (async () => {
        try {
          return await evalSha(s, keys, args);
        } catch (error) {
          if (!/NOSCRIPT/i.test(describeError(error))) throw error;
          return evalSource(s, keys, args);
        }
      })();
      try {
        return await Promise.race([call, timeout]);
      } catch (error) {
        if (error instanceof StoreUnavailableError) {
          call.catch(() => undefined); // the late answer is dropped
          throw error;
        }
        // An error reply (WRONGTYPE, a script error) is an answer: Redis is there but refused.
        const answered = /ReplyError|ErrorReply/.test((error as Error | undefined)?.name ?? "");
        throw new StoreUnavailableError("redis", operation, describeError(error), {
          cause: error,
          unreachable: !answered,
        });
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
