/**
 * attack6's world: attack4's fake Meta and clock, with a second phone number of the same WABA
 * (the fake answers for both; sends that reach it are counted per number), and helpers for
 * account_update webhooks and the shared Redis under a prefix of the calling file's own.
 */
import { Redis } from "ioredis";
import type { ClientOptions, WhatsAppClient } from "../../../src/index.js";
import { FakeClock, fakeTransport } from "../../../src/testing/index.js";
import { BODY, CA, type Components, world } from "../attack4/world.js";

export const OPT_OUT: Components = [BODY, { type: "FOOTER", text: "Reply STOP to opt out" }];
export const SECOND = "200000000000002";
export const OTHER_WABA = "300000000000003";

export function twoNumbers(options: { start?: number } = {}) {
  // Real time by default: Redis stores take their times to live from the server's clock.
  const w = world(OPT_OUT, {}, { clock: new FakeClock({ start: options.start ?? Date.now() }) });
  const inner = fakeTransport(w.fake);
  const reached: string[] = [];
  const transport: ClientOptions["transport"] = async (req) => {
    const url = req.url.replace(`/${SECOND}`, `/${w.fake.phoneNumberId}`);
    if (url.endsWith("/messages") && typeof req.body === "string" && !req.body.includes('"status":"read"'))
      reached.push(req.url);
    return inner({ ...req, url });
  };
  /** A utility template to CA, a second after the last (the identical-message rule). */
  const notice = (wa: WhatsAppClient) => {
    w.clock.advance(1_000);
    return w.outcome(wa.messages.sendTemplate({ to: CA, name: "notice", language: "en_US" }));
  };
  /** An account_update webhook from WABA `wabaId`, stamped `at`. */
  const accountUpdate = (wabaId: string, value: Record<string, unknown>, at = w.clock.now()) => ({
    object: "whatsapp_business_account",
    entry: [{ id: wabaId, time: Math.floor(at / 1000), changes: [{ field: "account_update", value }] }],
  });
  const ban = (state: string) => ({
    event: "DISABLED_UPDATE",
    ban_info: { waba_ban_state: state, waba_ban_date: "2026-12-01" },
  });
  return { ...w, transport, reached, notice, accountUpdate, ban };
}

export function sharedRedis(prefix: string) {
  const redis = new Redis({ host: "127.0.0.1", port: 6379, maxRetriesPerRequest: 1, lazyConnect: true });
  const connect = () => redis.connect().catch(() => undefined);
  const cleanup = async () => {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== "0");
    redis.disconnect();
  };
  return { redis, connect, cleanup };
}

export { CA };
