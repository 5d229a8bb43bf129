import * as z from "zod/mini";
import type { ResolvedConnection } from "./api/options.js";
import { ConfigError } from "./errors/validation.js";
import type { Logger } from "./internal/logger.js";
import type { Assert, Same } from "./internal/type-equal.js";
import { check, formatIssues, hasMethods, lazy, withFastPath } from "./internal/validate.js";
import { type PolicyOptions, policyOptionsSchema } from "./policy/options.js";
import type { Clock } from "./state/clock.js";
import type { PolicyStores } from "./state/registry.js";
import type { Transport, TransportTimeouts } from "./transport/types.js";
import { type WebhookOptions, webhookOptionsSchema } from "./webhooks/options.js";

/** The Graph API version wa-guard is built and tested against. */
export const DEFAULT_API_VERSION = "v25.0";
export const DEFAULT_BASE_URL = "https://graph.facebook.com";

export interface ClientOptions {
  /**
   * System-user or business-integration access token. Never logged, never in an error.
   * @default process.env.WHATSAPP_ACCESS_TOKEN
   */
  accessToken?: string;
  /**
   * The business phone number id that sends messages (not the phone number itself).
   * Required for messages, media, block list and phone-number calls.
   * @default process.env.WHATSAPP_PHONE_NUMBER_ID
   */
  phoneNumberId?: string;
  /**
   * WhatsApp Business Account id. Required for the templates API.
   * @default process.env.WHATSAPP_WABA_ID
   */
  wabaId?: string;
  /**
   * App secret, used to verify webhook signatures. Never logged, never in an error. During a
   * rotation give both, old and new: a signature made with either is accepted.
   * @default process.env.WHATSAPP_APP_SECRET
   */
  appSecret?: string | string[];
  /**
   * The token you typed into the App Dashboard's webhook settings; Meta's GET handshake must
   * carry it. Never logged, never in an error.
   * @default process.env.WHATSAPP_VERIFY_TOKEN
   */
  verifyToken?: string;
  /** Webhook handling: de-duplication window and body size limit (see docs/webhooks.md). */
  webhooks?: WebhookOptions;
  /**
   * Graph API version, pinned so Meta's defaults never change under you.
   * @default "v25.0"
   * @example "v24.0"
   */
  apiVersion?: string;
  /**
   * Origin of the Graph API. Point it at `startFakeServer()` in tests.
   * @default "https://graph.facebook.com"
   */
  baseUrl?: string;
  /**
   * Per-request timeouts in ms. A connect timeout is retried (nothing was sent); a headers or
   * body timeout raises `TransportError` with outcome `"unknown"` and is never retried.
   * @default { connectMs: 5000, headersMs: 30000, bodyMs: 30000 }
   */
  timeouts?: Partial<TransportTimeouts>;
  /**
   * Automatic retries of requests Meta provably did not accept.
   * @default 2
   */
  maxRetries?: number;
  /**
   * Longest wait honoured before a retry (Retry-After or backoff); beyond it the error is thrown
   * with `retryAfterMs` so the caller can decide.
   * @default 30000
   */
  maxRetryAfterMs?: number;
  /**
   * How HTTP requests are made.
   * @default undiciTransport()
   */
  transport?: Transport;
  /**
   * Source of time for retries and (later) policy windows.
   * @default systemClock
   */
  clock?: Clock;
  /**
   * Receives debug/info/warn/error lines; secrets are redacted. Quiet by default, except for an
   * event listener that throws or rejects: without a logger that is printed with `console.warn`
   * (stderr), since the error would otherwise vanish; with one it goes to `logger.error`.
   */
  logger?: Logger;
  /**
   * The policy in front of every send (see docs/policy.md). On by default with conservative
   * settings; `false` turns every guard off and makes wa-guard a plain client.
   */
  policy?: PolicyOptions | false;
  /**
   * Where policy state lives (consent ledger, windows, block mirror, rate limits).
   * @default memory stores, private to this client
   */
  stores?: PolicyStores;
}

/**
 * The defaults of the connection options (the `@default` of each field above; the policy's are in
 * `policy/options.ts`, the webhooks' in `webhooks/options.ts`).
 */
export const CLIENT_DEFAULTS = {
  apiVersion: DEFAULT_API_VERSION,
  baseUrl: DEFAULT_BASE_URL,
  timeouts: { connectMs: 5_000, headersMs: 30_000, bodyMs: 30_000 },
  maxRetries: 2,
  maxRetryAfterMs: 30_000,
} as const satisfies Required<
  Pick<ClientOptions, "apiVersion" | "baseUrl" | "maxRetries" | "maxRetryAfterMs">
> & {
  timeouts: TransportTimeouts;
};

/** The options resolved: defaults filled in, environment read, validated. */
export interface ResolvedOptions extends ResolvedConnection {
  webhooks: WebhookOptions;
  policy: PolicyOptions | false;
  stores: PolicyStores;
}

// The patterns and predicates below are shared by the zod schema and its fast path
// (`isCommonOptions`), so the two cannot drift apart.
const ID = /^\d{1,32}$/;
const PRINTABLE = /^[\x21-\x7e]+$/;
const API_VERSION = /^v\d{1,3}\.\d$/;
const BASE_URL = /^(https:\/\/[^/?#\s@]+|http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?)(\/[^?#\s]*)?$/;
const isClock = (v: unknown): boolean =>
  typeof v === "object" &&
  v !== null &&
  typeof (v as Clock).now === "function" &&
  typeof (v as Clock).sleep === "function";
const LOGGER_METHODS = ["debug", "info", "warn", "error"];
const isLogger = (v: unknown): boolean =>
  typeof v === "object" &&
  v !== null &&
  LOGGER_METHODS.every((m) => typeof (v as Record<string, unknown>)[m] === "function");
const isPolicy = (v: unknown): boolean => v === false || (typeof v === "object" && v !== null);

const id = (what: string) =>
  z
    .string({ error: `expected ${what} as a string of digits` })
    .check(z.regex(ID, `expected ${what} as a string of digits`));
const fn = (what: string) => z.custom<never>((v) => typeof v === "function", `expected ${what} function`);
const ms = (max: number) => z.number().check(z.int(), z.minimum(1), z.maximum(max));

/** `false`, or the policy object (kept apart from a union so errors point at the bad field). */
const policySchema = lazy(() => z.custom<never>(isPolicy, "expected false or a policy object"));
const storesSchema = lazy(() =>
  z.strictObject({
    accountHealth: z.optional(hasMethods("an account health store", ["open", "close", "active"])),
    wabaHealth: z.optional(hasMethods("a WABA-wide account health store", ["open", "close", "active"])),
    sendHistory: z.optional(
      hasMethods("a send history store", ["record", "reach", "marketingSince", "sentSince"]),
    ),
    consent: z.optional(hasMethods("a consent store", ["append", "history"])),
    sessionWindows: z.optional(hasMethods("a session window store", ["recordInbound", "lastInbound"])),
    blockMirror: z.optional(hasMethods("a block mirror", ["has", "add", "remove", "size", "replace"])),
    rateLimits: z.optional(
      hasMethods("a rate limit store", ["window", "bucket", "refundWindow", "refundBucket"]),
    ),
    webhookDedup: z.optional(hasMethods("a webhook dedup store", ["begin", "complete", "abandon"])),
    campaigns: z.optional(hasMethods("a campaign checkpoint store", ["claim", "settle", "release", "get"])),
    templates: z.optional(hasMethods("a template list store", ["get", "set", "invalidate"])),
    identity: z.optional(hasMethods("an identity store", ["link", "aliases"])),
  }),
);

const secret = lazy(() =>
  z
    .string({ error: "expected a non-empty string" })
    .check(z.regex(PRINTABLE, "expected a non-empty string of printable characters without spaces")),
);

const isSecret = (v: unknown): boolean => typeof v === "string" && PRINTABLE.test(v);
const isInt = (v: unknown, min: number, max: number): boolean =>
  typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
const TIMEOUT_KEYS = ["connectMs", "headersMs", "bodyMs"];
/** The options a fast path decides alone (`webhooks` and `stores` always go through zod). */
const COMMON = new Set([
  "accessToken",
  "phoneNumberId",
  "wabaId",
  "appSecret",
  "verifyToken",
  "apiVersion",
  "baseUrl",
  "timeouts",
  "maxRetries",
  "maxRetryAfterMs",
  "transport",
  "clock",
  "logger",
  "policy",
]);

/**
 * The fast path of the options schema: true only for options the schema accepts and returns
 * unchanged (every value is a string, number, function or object it passes through), built of
 * the same patterns and predicates. Anything else — `webhooks`, `stores`, an unknown key, a bad
 * value — answers false and zod decides (and words the error). So `new WhatsAppClient()` with
 * the usual options never builds the zod schema. `test/options-fast-path.test.ts` checks that
 * whatever it accepts, zod accepts with the same value.
 */
export function isCommonOptions(input: unknown): boolean {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return false;
  const o = input as Record<string, unknown>;
  for (const key in o) if (!COMMON.has(key)) return false;
  if (!isSecret(o["accessToken"])) return false;
  for (const key of ["phoneNumberId", "wabaId"]) {
    const v = o[key];
    if (v !== undefined && !(typeof v === "string" && ID.test(v))) return false;
  }
  const app = o["appSecret"];
  if (app !== undefined && !isSecret(app)) {
    if (!Array.isArray(app) || app.length < 1 || app.length > 5) return false;
    for (let i = 0; i < app.length; i++) if (!isSecret(app[i])) return false;
  }
  if (o["verifyToken"] !== undefined && !isSecret(o["verifyToken"])) return false;
  const { apiVersion, baseUrl, timeouts } = o;
  if (!(typeof apiVersion === "string" && API_VERSION.test(apiVersion))) return false;
  if (!(typeof baseUrl === "string" && BASE_URL.test(baseUrl))) return false;
  if (typeof timeouts !== "object" || timeouts === null || Array.isArray(timeouts)) return false;
  const t = timeouts as Record<string, unknown>;
  let count = 0;
  for (const key in t) {
    if (!TIMEOUT_KEYS.includes(key) || !isInt(t[key], 1, 600_000)) return false;
    count++;
  }
  if (count !== TIMEOUT_KEYS.length) return false;
  if (!isInt(o["maxRetries"], 0, 10) || !isInt(o["maxRetryAfterMs"], 0, 3_600_000)) return false;
  if (o["transport"] !== undefined && typeof o["transport"] !== "function") return false;
  if (o["clock"] !== undefined && !isClock(o["clock"])) return false;
  if (o["logger"] !== undefined && !isLogger(o["logger"])) return false;
  if (o["policy"] !== undefined && !isPolicy(o["policy"])) return false;
  return true;
}

/** The options schema (exported for the fast path's test; not part of the public entry). */
export const clientOptionsSchema = withFastPath(
  lazy(() =>
    z.strictObject({
      accessToken: z
        .string({ error: "expected a non-empty string" })
        .check(z.regex(PRINTABLE, "expected a non-empty string of printable characters without spaces")),
      phoneNumberId: z.optional(id("the phone number id")),
      wabaId: z.optional(id("the WhatsApp Business Account id")),
      appSecret: z.optional(
        z.union([
          secret,
          z.array(secret).check(z.minLength(1, "expected at least one app secret"), z.maxLength(5)),
        ]),
      ),
      verifyToken: z.optional(secret),
      webhooks: z.optional(webhookOptionsSchema),
      apiVersion: z.string().check(z.regex(API_VERSION, 'expected a Graph API version such as "v25.0"')),
      baseUrl: z
        .string()
        .check(
          z.regex(
            BASE_URL,
            'expected an https URL such as "https://graph.facebook.com" (plain http only on loopback; no user:password@)',
          ),
        ),
      timeouts: z.strictObject({ connectMs: ms(600_000), headersMs: ms(600_000), bodyMs: ms(600_000) }),
      maxRetries: z.number().check(z.int(), z.minimum(0), z.maximum(10)),
      maxRetryAfterMs: z.number().check(z.int(), z.minimum(0), z.maximum(3_600_000)),
      transport: z.optional(fn("a transport")),
      clock: z.optional(z.custom<never>(isClock, "expected a clock with now() and sleep()")),
      policy: z.optional(policySchema),
      stores: z.optional(storesSchema),
      logger: z.optional(
        z.custom<never>(isLogger, "expected a logger with debug, info, warn and error methods"),
      ),
    }),
  ),
  isCommonOptions,
);
const schema = clientOptionsSchema;

/** Every option of `ClientOptions` has a schema entry, and the schema has no other. */
export type _ClientOptionsTied = Assert<Same<keyof ClientOptions, keyof z.infer<typeof schema>>>;

let known: Set<string> | undefined;
/** The option names (read from the schema when first needed: it is built lazily). */
const KNOWN = (): Set<string> => (known ??= new Set(Object.keys(schema.shape)));

function readEnv(name: string): string | undefined {
  const env = typeof process !== "undefined" ? process.env : undefined;
  const value = env?.[name];
  return value === undefined || value === "" ? undefined : value;
}

const SECRET_OPTIONS = new Set(["accessToken", "appSecret", "verifyToken"]);

/** ` (got "25")` for a bad primitive value; never for secrets. */
function received(candidate: Record<string, unknown>, path: (string | number)[]): string {
  if (path.length === 0 || SECRET_OPTIONS.has(String(path[0]))) return "";
  const secrets = [...SECRET_OPTIONS]
    .flatMap((k) => candidate[k])
    .filter((v) => typeof v === "string" && v !== "");
  let value: unknown = candidate;
  for (const key of path) value = (value as Record<string | number, unknown> | undefined)?.[key];
  if (value === undefined || typeof value === "object" || typeof value === "function") return "";
  if (secrets.includes(value)) return " (got the value of a secret option; not shown)";
  return ` (got ${typeof value === "string" ? JSON.stringify(value) : String(value)})`;
}

/** Validate options once, at construction. Unknown keys are rejected. */
export function resolveOptions(input: ClientOptions | undefined): ResolvedOptions {
  if (input !== undefined && (typeof input !== "object" || input === null || Array.isArray(input))) {
    throw new ConfigError("WhatsAppClient options must be an object");
  }
  const given = { ...(input ?? {}) } as Record<string, unknown>;
  for (const key of Object.keys(given)) if (given[key] === undefined) delete given[key];
  const candidate: Record<string, unknown> = {
    ...given,
    accessToken: given["accessToken"] ?? readEnv("WHATSAPP_ACCESS_TOKEN"),
    phoneNumberId: given["phoneNumberId"] ?? readEnv("WHATSAPP_PHONE_NUMBER_ID"),
    wabaId: given["wabaId"] ?? readEnv("WHATSAPP_WABA_ID"),
    appSecret: given["appSecret"] ?? readEnv("WHATSAPP_APP_SECRET"),
    verifyToken: given["verifyToken"] ?? readEnv("WHATSAPP_VERIFY_TOKEN"),
    apiVersion: given["apiVersion"] ?? CLIENT_DEFAULTS.apiVersion,
    baseUrl: given["baseUrl"] ?? CLIENT_DEFAULTS.baseUrl,
    maxRetries: given["maxRetries"] ?? CLIENT_DEFAULTS.maxRetries,
    maxRetryAfterMs: given["maxRetryAfterMs"] ?? CLIENT_DEFAULTS.maxRetryAfterMs,
  };
  const timeouts = given["timeouts"];
  candidate["timeouts"] =
    typeof timeouts === "object" && timeouts !== null
      ? { ...CLIENT_DEFAULTS.timeouts, ...timeouts }
      : (timeouts ?? { ...CLIENT_DEFAULTS.timeouts });
  for (const key of ["phoneNumberId", "wabaId", "appSecret", "verifyToken"])
    if (candidate[key] === undefined) delete candidate[key];
  if (candidate["accessToken"] === undefined) {
    throw new ConfigError(
      "Missing accessToken: pass { accessToken } to WhatsAppClient or set WHATSAPP_ACCESS_TOKEN",
      [{ path: ["accessToken"], message: "required", code: "invalid_type" }],
    );
  }
  let result = check(schema, candidate);
  const policy = candidate["policy"];
  if (result.ok && typeof policy === "object" && policy !== null) {
    const inner = check(policyOptionsSchema, policy);
    if (!inner.ok)
      result = { ok: false, issues: inner.issues.map((i) => ({ ...i, path: ["policy", ...i.path] })) };
  }
  if (!result.ok) {
    const unknown = Object.keys(given).filter((k) => !KNOWN().has(k));
    const hint = unknown.length ? ` (known options: ${[...KNOWN()].join(", ")})` : "";
    const issues = result.issues.map((issue) => ({
      ...issue,
      message: issue.message + received(candidate, issue.path),
    }));
    throw new ConfigError(`Invalid WhatsAppClient options: ${formatIssues(issues)}${hint}`, issues);
  }
  const v = result.value as Record<string, unknown>;
  return {
    accessToken: v["accessToken"] as string,
    phoneNumberId: v["phoneNumberId"] as string | undefined,
    wabaId: v["wabaId"] as string | undefined,
    appSecrets:
      v["appSecret"] === undefined ? [] : ([] as string[]).concat(v["appSecret"] as string | string[]),
    verifyToken: v["verifyToken"] as string | undefined,
    webhooks: (v["webhooks"] as WebhookOptions | undefined) ?? {},
    apiVersion: v["apiVersion"] as string,
    baseUrl: (v["baseUrl"] as string).replace(/\/+$/, ""),
    timeouts: v["timeouts"] as TransportTimeouts,
    maxRetries: v["maxRetries"] as number,
    maxRetryAfterMs: v["maxRetryAfterMs"] as number,
    transport: v["transport"] as Transport | undefined,
    clock: v["clock"] as Clock | undefined,
    logger: v["logger"] as Logger | undefined,
    policy: (v["policy"] as PolicyOptions | false | undefined) ?? {},
    stores: (v["stores"] as PolicyStores | undefined) ?? {},
  };
}
