/**
 * Attacks: Resumable Upload (`wa.uploads`) cut at odd offsets — nothing arrived, one byte, all but
 * one, everything (only the answer lost), several cuts in a row — in process and over HTTP
 * against the fake server; inputs as a Blob, a pooled Buffer and a Uint8Array view into a larger
 * buffer. The file Meta (the fake) ends up with must be exactly the file, and a finished upload
 * whose answer was lost must still give a handle.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type ClientOptions, undiciTransport, WhatsAppClient } from "../../../src/index.js";
import { FakeClock, FakeCloudApi, fakeTransport, startFakeServer } from "../../../src/testing/index.js";

const FILE = new Uint8Array(Array.from({ length: 1_000 }, (_, i) => (i * 7 + 3) % 256));

type Send = NonNullable<ClientOptions["transport"]>;

/**
 * A transport that, for the next cuts (bytes that arrive before the connection drops; `"all"`:
 * the whole body arrives, the answer is lost), forwards only that much of an upload's body and
 * then fails like a reset.
 */
function cutting(inner: Send, cuts: Array<number | "all">): Send {
  return async (req) => {
    const isChunk = req.method === "POST" && /\/upload:/.test(req.url) && req.body instanceof Uint8Array;
    const cut = isChunk ? cuts.shift() : undefined;
    if (cut === undefined) return inner(req);
    const body = req.body as Uint8Array;
    if (cut === "all") await inner(req);
    else if (cut > 0) await inner({ ...req, body: body.subarray(0, cut) });
    throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
  };
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0)) await close();
});

async function setup(over: "process" | "http", cuts: Array<number | "all">) {
  const clock = new FakeClock();
  const fake = new FakeCloudApi({ clock });
  let inner: Send;
  let baseUrl: string | undefined;
  if (over === "http") {
    const server = await startFakeServer(fake);
    cleanup.push(() => server.close());
    inner = undiciTransport();
    baseUrl = server.url;
  } else inner = fakeTransport(fake);
  const wa = new WhatsAppClient({
    accessToken: fake.accessToken,
    phoneNumberId: fake.phoneNumberId,
    wabaId: fake.wabaId,
    transport: cutting(inner, cuts),
    clock,
    maxRetries: 0,
    ...(baseUrl && { baseUrl }),
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  return { fake, wa };
}

const CASES: Array<[string, Array<number | "all">]> = [
  ["nothing arrived", [0]],
  ["one byte arrived", [1]],
  ["all but one byte arrived", [FILE.length - 1]],
  ["three cuts in a row at odd offsets", [333, 1, 0]],
];

describe.each(["process", "http"] as const)("uploads cut midway (%s)", (over) => {
  for (const [name, cuts] of CASES) {
    it(`${name}: the fake holds exactly the file`, async () => {
      const { fake, wa } = await setup(over, cuts);
      const { handle } = await wa.uploads.upload(FILE, { appId: fake.uploads.appId, type: "image/png" });
      expect(fake.uploads.file(handle)?.data).toEqual(FILE);
    });
  }

  it("everything arrived, only the answer was lost: the upload still ends with the file's handle", async () => {
    const { fake, wa } = await setup(over, ["all"]);
    const { handle } = await wa.uploads.upload(FILE, { appId: fake.uploads.appId, type: "image/png" });
    expect(fake.uploads.file(handle)?.data).toEqual(FILE);
  });

  it("a Blob, a pooled Buffer and a view into a larger buffer arrive as exactly their bytes", async () => {
    const { fake, wa } = await setup(over, [17]);
    const pooled = Buffer.from("a small pooled buffer"); // shares Node's 8 KiB pool: byteOffset > 0
    const big = new Uint8Array(4_096).fill(0xee);
    big.set(FILE.subarray(0, 100), 1_000);
    const view = big.subarray(1_000, 1_100);
    const inputs: Array<[Uint8Array | Blob, Uint8Array]> = [
      [new Blob([FILE]), FILE],
      [pooled, new Uint8Array(pooled)],
      [view, FILE.subarray(0, 100)],
    ];
    for (const [input, expected] of inputs) {
      const { handle } = await wa.uploads.upload(input, { appId: fake.uploads.appId, type: "image/jpeg" });
      expect(fake.uploads.file(handle)?.data).toEqual(new Uint8Array(expected));
    }
  });
});
