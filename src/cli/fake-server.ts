import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { FakeControl, type FakeControlOptions } from "../testing/fake-control.js";
import { serveFakeRequest } from "../testing/fake-server.js";

export const FAKE_SERVER_USAGE = `Usage: wa-guard fake-server [options]

Serves wa-guard's fake WhatsApp Cloud API over HTTP, for tests written in any language.
Graph paths as Meta's (POST /v23.0/<phone-number-id>/messages, /<waba-id>/message_templates,
/<phone-number-id>/block_users, /<phone-number-id>/media, ...), plus a control API under /_fake
(GET /_fake lists it). When ready it prints one line to stdout: "listening on <url>".

Options:
  --port <n>                 port to listen on; 0 picks a free one (default 8080)
  --host <address>           address to bind (default 127.0.0.1)
  --access-token <token>     the bearer token requests must carry (default: any bearer token)
  --app-secret <secret>      signs webhooks (X-Hub-Signature-256) (default test-app-secret)
  --verify-token <token>     hub.verify_token sent by POST /_fake/webhooks/verify
  --webhook-url <url>        where webhooks are delivered
  --auto-deliver             deliver webhooks as soon as they are queued
                             (default: on POST /_fake/webhooks/deliver)
  --phone-number-id <id>     the business number's id (default 100000000000001)
  --waba-id <id>             the WhatsApp Business Account id (default 200000000000001)
  --display-phone-number <digits>
                             the business number itself (default 15550001111)
  --clock <system|virtual>   system: wall-clock time, movable forward with POST /_fake/clock;
                             virtual: stands still until moved (default system)
  --start <time>             start of virtual time, ISO 8601 (default 2026-01-01T00:00:00Z)
  -h, --help                 show this help
`;

/** A command-line mistake: reported with the usage hint, exit code 2. */
export class UsageError extends Error {}

const DIGITS = /^\d{1,20}$/;
const MAX_CONTROL_BODY = 1024 * 1024;

export interface FakeServerCommand {
  port: number;
  host: string;
  options: FakeControlOptions;
  help: boolean;
}

/** Parse `wa-guard fake-server` arguments; throws {@link UsageError} naming a bad flag. */
export function parseFakeServerArgs(args: string[]): FakeServerCommand {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        "access-token": { type: "string" },
        "app-secret": { type: "string" },
        "verify-token": { type: "string" },
        "webhook-url": { type: "string" },
        "auto-deliver": { type: "boolean" },
        "phone-number-id": { type: "string" },
        "waba-id": { type: "string" },
        "display-phone-number": { type: "string" },
        clock: { type: "string" },
        start: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const text = (name: string): string | undefined => {
    const value = values[name];
    if (value === "") throw new UsageError(`--${name} needs a value`);
    return value as string | undefined;
  };
  const portText = text("port") ?? "8080";
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535)
    throw new UsageError(`--port must be a whole number from 0 to 65535, got ${JSON.stringify(portText)}`);
  const webhookUrl = text("webhook-url");
  if (
    webhookUrl !== undefined &&
    !(URL.canParse(webhookUrl) && /^https?:$/.test(new URL(webhookUrl).protocol))
  )
    throw new UsageError(
      `--webhook-url must be an http:// or https:// URL, got ${JSON.stringify(webhookUrl)}`,
    );
  const ids: Record<string, string> = {};
  for (const name of ["phone-number-id", "waba-id", "display-phone-number"]) {
    const value = text(name);
    if (value === undefined) continue;
    if (!DIGITS.test(value))
      throw new UsageError(`--${name} must be digits only, got ${JSON.stringify(value)}`);
    ids[name] = value;
  }
  const clock = text("clock") ?? "system";
  if (clock !== "system" && clock !== "virtual")
    throw new UsageError(`--clock must be "system" or "virtual", got ${JSON.stringify(clock)}`);
  const startText = text("start");
  let start: number | undefined;
  if (startText !== undefined) {
    if (clock !== "virtual") throw new UsageError("--start sets virtual time: use it with --clock virtual");
    start = Date.parse(startText);
    if (!Number.isFinite(start))
      throw new UsageError(
        `--start must be an ISO 8601 time such as 2026-01-01T00:00:00Z, got ${JSON.stringify(startText)}`,
      );
  }
  const api: FakeControlOptions["api"] = {};
  const accessToken = text("access-token");
  if (accessToken !== undefined) api.accessToken = accessToken;
  const appSecret = text("app-secret");
  if (appSecret !== undefined) api.appSecret = appSecret;
  if (ids["phone-number-id"]) api.phoneNumberId = ids["phone-number-id"];
  if (ids["waba-id"]) api.wabaId = ids["waba-id"];
  if (ids["display-phone-number"]) api.displayPhoneNumber = ids["display-phone-number"];
  const options: FakeControlOptions = { api, clock, autoDeliver: values["auto-deliver"] === true };
  if (start !== undefined) options.start = start;
  if (webhookUrl !== undefined) options.webhookUrl = webhookUrl;
  const verifyToken = text("verify-token");
  if (verifyToken !== undefined) options.verifyToken = verifyToken;
  return { port, host: text("host") ?? "127.0.0.1", options, help: values["help"] === true };
}

export interface RunningFakeServer {
  url: string;
  control: FakeControl;
  close(): Promise<void>;
}

/** Start the fake server for a parsed command. */
export async function startFakeServerCommand(command: FakeServerCommand): Promise<RunningFakeServer> {
  const anyToken = command.options.api.accessToken === undefined;
  const control = new FakeControl(command.options);
  const server = createServer((req, res) => {
    void route(control, req, res, command.host, anyToken);
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(command.port, command.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = command.host.includes(":") ? `[${command.host}]` : command.host;
  return {
    url: `http://${host}:${port}`,
    control,
    /** Stop accepting, let requests in flight finish (at most 2 s), drop idle keep-alive connections. */
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      });
      await control.idle();
    },
  };
}

async function route(
  control: FakeControl,
  req: IncomingMessage,
  res: ServerResponse,
  host: string,
  anyToken: boolean,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://fake");
  if (url.pathname === "/_fake" || url.pathname.startsWith("/_fake/")) {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      // Read to the end (what is over the cap is dropped), so the client gets the answer.
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size <= MAX_CONTROL_BODY) chunks.push(chunk as Buffer);
      }
    } catch {
      return;
    }
    if (size > MAX_CONTROL_BODY) {
      res.writeHead(413, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { type: "FakeControlError", message: "the body is over 1 MB" } }));
      return;
    }
    const answer = await control.handle(
      req.method ?? "GET",
      url.pathname,
      url.search,
      Buffer.concat(chunks).toString("utf8"),
    );
    res.writeHead(answer.status, { "content-type": "application/json" });
    res.end(JSON.stringify(answer.body));
    return;
  }
  const fake = control.fake;
  // Without --access-token any bearer token passes; a missing one still gets Meta's 190.
  if (anyToken && /^Bearer \S/.test(req.headers.authorization ?? ""))
    req.headers.authorization = `Bearer ${fake.accessToken}`;
  await serveFakeRequest(fake, req, res, host);
  control.afterGraphRequest();
}

/** `wa-guard fake-server ...`: runs until SIGINT or SIGTERM. Returns the exit code on early failure. */
export async function runFakeServer(args: string[]): Promise<number | undefined> {
  let command: FakeServerCommand;
  try {
    command = parseFakeServerArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(
      `wa-guard fake-server: ${error.message}\nRun "wa-guard fake-server --help" for the options.\n`,
    );
    return 2;
  }
  if (command.help) {
    process.stdout.write(FAKE_SERVER_USAGE);
    return 0;
  }
  command.options.log = (line) => process.stderr.write(`wa-guard fake-server: ${line}\n`);
  let running: RunningFakeServer;
  try {
    running = await startFakeServerCommand(command);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason =
      code === "EADDRINUSE"
        ? `port ${command.port} on ${command.host} is already in use`
        : code === "EADDRNOTAVAIL"
          ? `${command.host} is not an address of this machine`
          : String(error);
    process.stderr.write(`wa-guard fake-server: cannot listen: ${reason}\n`);
    return 1;
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stderr.write(`wa-guard fake-server: ${signal}, stopping\n`);
    void running.close().then(() => process.exit(0));
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.stdout.write(`listening on ${running.url}\n`);
  return undefined;
}
