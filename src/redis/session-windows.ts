import { afterClose, type SessionWindowStore } from "../state/session-windows.js";
import { type RedisRunner, script } from "./client.js";
import { decodeTime } from "./decode.js";
import { DAY } from "./shared.js";

const RECORD_INBOUND = script(`
local prev = tonumber(redis.call('GET', KEYS[1]))
local at = tonumber(ARGV[1])
if (not prev) or prev < at then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return 1`);
/** The last message and the last close (131047), in one step: { last, closed }. */
const GET = script(`return { redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2]) }`);
const CLOSE = script(`
local prev = tonumber(redis.call('GET', KEYS[1]))
local at = tonumber(ARGV[1])
if (not prev) or prev < at then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return 1`);
export class RedisSessionWindowStore implements SessionWindowStore {
  constructor(
    private readonly redis: RedisRunner,
    private readonly prefix: string,
  ) {}

  async recordInbound(key: string, at: number): Promise<void> {
    // Kept two days: the window is 24 h; block eligibility and reach look back as far.
    await this.redis.run(RECORD_INBOUND, [this.prefix + key], [at, 2 * DAY], "windows.recordInbound");
  }

  async lastInbound(key: string): Promise<number | undefined> {
    const k = this.prefix + key;
    const reply = await this.redis.run(GET, [k, `${k}:closed`], [], "windows.lastInbound");
    const [v, c] = Array.isArray(reply) ? reply : [reply, undefined];
    const time = (x: unknown) =>
      x === null || x === undefined || x === false ? undefined : decodeTime(x, "windows.lastInbound", k);
    return afterClose(time(v), time(c));
  }

  /** Beside the window's key (the same hash tag in the cluster layout), kept as long. */
  async close(key: string, at: number): Promise<void> {
    await this.redis.run(CLOSE, [`${this.prefix + key}:closed`], [at, 2 * DAY], "windows.close");
  }
}
