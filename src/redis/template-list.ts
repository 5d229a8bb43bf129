import type { SharedTemplateList, TemplateListStore } from "../state/template-list.js";
import { type RedisRunner, script } from "./client.js";
import { decodeTemplateList } from "./decode.js";

// The shared template list and its generation (bumped by every invalidation): a list fetched
// before an invalidation is never stored after it.
const TEMPLATES_GET = script(
  `return { redis.call('GET', KEYS[1]) or false, redis.call('GET', KEYS[2]) or '0' }`,
);
const TEMPLATES_SET = script(`
if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1`);
const TEMPLATES_INVALIDATE = script(`
redis.call('INCR', KEYS[2])
redis.call('DEL', KEYS[1])
return 1`);
/** The template list in one string key, with a generation counter beside it. */
export class RedisTemplateListStore implements TemplateListStore {
  constructor(
    private readonly redis: RedisRunner,
    private readonly key: string,
  ) {}

  async get(): Promise<{ list: SharedTemplateList | undefined; generation: string }> {
    const [list, generation] = (await this.redis.run(
      TEMPLATES_GET,
      [this.key, `${this.key}:gen`],
      [],
      "templates.get",
    )) as [string | null | false, string | number];
    return {
      list: list ? decodeTemplateList(list, "templates.get", this.key) : undefined,
      generation: String(generation),
    };
  }

  async set(list: SharedTemplateList, ttlMs: number, generation: string): Promise<void> {
    await this.redis.run(
      TEMPLATES_SET,
      [this.key, `${this.key}:gen`],
      [JSON.stringify(list), generation, Math.max(1, ttlMs)],
      "templates.set",
    );
  }

  async invalidate(): Promise<void> {
    await this.redis.run(TEMPLATES_INVALIDATE, [this.key, `${this.key}:gen`], [], "templates.invalidate");
  }
}
