/**
 * Conformance: every recorded exchange with Meta is replayed against the fake — in process
 * (`fake.handle`, what `fakeTransport` uses) and over HTTP (the fake server) — and the fake's
 * answer must have the recording's shape: success or error alike, the same field names and JSON
 * types, the same error code, subcode and type, `fbtrace_id` present. Differences that are
 * deliberate are listed in ALLOWED, each with its reason; an entry no scenario needs fails too.
 */
import { describe, expect, it } from "vitest";
import { FakeClock, FakeCloudApi, startFakeServer } from "../../src/testing/index.js";
import { EXCHANGES, type Exchange, fetchInit, fixture, pathOf, request } from "./exchanges.js";
import { type ShapeDifference, shapeDiff } from "./shape.js";

interface Allowed {
  fixture: string;
  path: string;
  kind: ShapeDifference["kind"];
  why: string;
}

/** The deliberate differences. Keep it short: every entry is a way the fake is not Meta. */
const ALLOWED: Allowed[] = [
  {
    fixture: "error_130429_rate_limit_hit.json",
    path: "error.error_subcode",
    kind: "missing",
    why: "Meta has deprecated error_subcode and sends it only at times; the fake omits it unless a test asks for one (failNext(…, { subcode }))",
  },
  {
    fixture: "template_get_by_id_response.json",
    path: "parameter_format",
    kind: "extra",
    why: "this example predates parameter_format; Meta's current template list (templates_list_full_fields.json) shows it among a template's fields",
  },
];

const used = new Set<Allowed>();

function unexplained(name: string, diffs: ShapeDifference[]): ShapeDifference[] {
  return diffs.filter((d) => {
    const allowed = ALLOWED.find((a) => a.fixture === name && a.path === d.path && a.kind === d.kind);
    if (allowed) used.add(allowed);
    return !allowed;
  });
}

function world() {
  return new FakeCloudApi({ clock: new FakeClock(), webhooks: false });
}

async function prepared(exchange: Exchange) {
  const fake = world();
  const ids = (await exchange.setup?.(fake)) ?? {};
  return { fake, ids };
}

function check(exchange: Exchange, status: number, body: unknown) {
  if (exchange.ok !== "either") expect(status >= 200 && status < 300, `HTTP ${status}`).toBe(exchange.ok);
  const diffs = unexplained(exchange.fixture, shapeDiff(fixture(exchange.fixture), body));
  expect(diffs, `${exchange.title}: the fake differs from Meta's recording`).toEqual([]);
  if ((body as { error?: unknown }).error !== undefined) {
    const error = (body as { error?: { fbtrace_id?: unknown } }).error;
    expect(typeof error?.fbtrace_id).toBe("string");
  }
}

describe("conformance: recorded exchanges, in process", () => {
  it.each(EXCHANGES.map((e) => [`${e.fixture}: ${e.title}`, e] as const))("%s", async (_, exchange) => {
    const { fake, ids } = await prepared(exchange);
    const res = await fake.handle(request(fake, ids, exchange.request));
    check(exchange, res.status, JSON.parse(String(res.body)));
  });
});

describe("conformance: recorded exchanges, through the fake server", () => {
  it.each(EXCHANGES.map((e) => [`${e.fixture}: ${e.title}`, e] as const))("%s", async (_, exchange) => {
    const { fake, ids } = await prepared(exchange);
    const server = await startFakeServer(fake);
    try {
      const res = await fetch(
        server.url + pathOf(fake, ids, exchange.request.path),
        fetchInit(fake, ids, exchange.request),
      );
      check(exchange, res.status, await res.json());
    } finally {
      await server.close();
    }
  });
});

describe("conformance: the allowlist", () => {
  it("has no entry that no scenario needed", () => {
    const stale = ALLOWED.filter((a) => !used.has(a)).map((a) => `${a.fixture} ${a.path}`);
    expect(stale).toEqual([]);
  });
});
