import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { TransportRequest } from "../transport/types.js";
import type { FakeCloudApi } from "./fake-cloud-api.js";

export interface FakeServer {
  /** Origin to pass as `baseUrl`, e.g. `http://127.0.0.1:41234`. */
  url: string;
  server: Server;
  close(): Promise<void>;
}

export interface FakeServerOptions {
  /** @default 0 (any free port) */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
}

/** Serve a {@link FakeCloudApi} over HTTP on loopback, so any client or tool can target it. */
export async function startFakeServer(
  fake: FakeCloudApi,
  options: FakeServerOptions = {},
): Promise<FakeServer> {
  const host = options.host ?? "127.0.0.1";
  // `node:http` (with net, stream, …) is loaded here, not when `wa-guard/testing` is imported:
  // a test or a cold start that uses the fake in process never needs it.
  const server = process.getBuiltinModule("node:http").createServer((req, res) => {
    void serveFakeRequest(fake, req, res, host);
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * @internal Answer one HTTP request from `fake`, as Meta would, honouring queued drops: what
 * {@link startFakeServer} does per request (also used by the `wa-guard fake-server` command).
 */
export async function serveFakeRequest(
  fake: FakeCloudApi,
  req: IncomingMessage,
  res: ServerResponse,
  host: string,
): Promise<void> {
  try {
    const origin = `http://${req.headers.host ?? host}`;
    const request = await toTransportRequest(req, origin);
    const drop = fake.takeDrop(request);
    if (drop === "before_write") {
      req.socket.destroy();
      return;
    }
    const response = await fake.handle(request);
    if (drop === "after_request") {
      req.socket.destroy();
      return;
    }
    res.writeHead(response.status, response.headers);
    res.end(response.body);
  } catch (error: unknown) {
    res.writeHead(500, { "content-type": "text/plain" });
    res.end(`FakeCloudApi server error: ${String(error)}`);
  }
}

async function toTransportRequest(req: IncomingMessage, origin: string): Promise<TransportRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(", ") : value;
  }
  const method = (req.method ?? "GET") as TransportRequest["method"];
  const url = origin + (req.url ?? "/");
  const request: TransportRequest = {
    method,
    url,
    headers,
    timeouts: { connectMs: 0, headersMs: 0, bodyMs: 0 },
  };
  const type = headers["content-type"] ?? "";
  if (raw.length > 0) {
    request.body = type.startsWith("multipart/form-data")
      ? await new Request(url, { method: "POST", headers: { "content-type": type }, body: raw }).formData()
      : type.startsWith("application/octet-stream")
        ? new Uint8Array(raw) // a file's bytes (Resumable Upload), not text
        : raw.toString("utf8");
  }
  return request;
}
