import type { SessionWindowStore } from "../state/session-windows.js";
import { type RedisRunner, script } from "./client.js";
import { decodeTime } from "./decode.js";
import { DAY } from "./shared.js";

const RECORD_INBOUND = script(`
local prev = tonumber(redis.call('GET', KEYS[1]))
local at = tonumber(ARGV[1])
if (not prev) or prev < at then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return 1`);
const GET = script(`return redis.call('GET', KEYS[1])`);
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
    const v = await this.redis.run(GET, [this.prefix + key], [], "windows.lastInbound");
    return v === null || v === undefined
      ? undefined
      : decodeTime(v, "windows.lastInbound", this.prefix + key);
  }
}
