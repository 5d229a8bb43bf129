import { nodeCrypto } from "../internal/node-crypto.js";
import type { FakeCloudApi } from "./fake-cloud-api.js";
import { FakeControlError } from "./fake-control-input.js";

/** One webhook POST the fake server made. */
export interface Delivery {
  field: string;
  at: number;
  status?: number;
  error?: string;
  payload: Record<string, unknown>;
}

const KEEP_DELIVERIES = 1000;

/** Delivers the fake's queued webhooks over HTTP, signed, as Meta does, and remembers how it went. */
export class WebhookDeliverer {
  /** The latest deliveries, oldest first (at most 1,000). */
  readonly deliveries: Delivery[] = [];
  #chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly timeoutMs: number) {}

  /** Resolves once no delivery is running. */
  async idle(): Promise<void> {
    await this.#chain;
  }

  /** POST every pending webhook to `url`, signed, one at a time; one at a time across callers. */
  deliver(fake: FakeCloudApi, url: string): Promise<Delivery[]> {
    const run = this.#chain.then(() => this.#deliverNow(fake, url));
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #deliverNow(fake: FakeCloudApi, url: string): Promise<Delivery[]> {
    const hooks = fake.webhooks;
    const records: Delivery[] = [];
    const kept: Array<Record<string, unknown>> = [];
    try {
      for (let payload = hooks.pending.shift(); payload; payload = hooks.pending.shift()) {
        const record: Delivery = { field: fieldOf(payload), at: fake.clock.now(), payload };
        records.push(record);
        const request = hooks.request(payload);
        try {
          const res = await fetch(url, {
            method: "POST",
            headers: request.headers,
            body: request.rawBody,
            signal: AbortSignal.timeout(this.timeoutMs),
          });
          await res.arrayBuffer();
          record.status = res.status;
          // Meta redelivers anything not answered with 200.
          if (res.status !== 200) kept.push(payload);
        } catch (error) {
          record.error = describe(error);
          kept.push(payload);
          break;
        }
      }
    } finally {
      hooks.pending.unshift(...kept);
      this.deliveries.push(...records);
      this.deliveries.splice(0, Math.max(0, this.deliveries.length - KEEP_DELIVERIES));
    }
    return records;
  }

  /** Meta's subscription check: GET with hub.mode, hub.challenge and hub.verify_token. */
  async verify(url: string, token: string): Promise<unknown> {
    const challenge = String(nodeCrypto().randomInt(1_000_000_000, 2_000_000_000));
    const target = new URL(url);
    target.searchParams.set("hub.mode", "subscribe");
    target.searchParams.set("hub.challenge", challenge);
    target.searchParams.set("hub.verify_token", token);
    let status: number;
    let body: string;
    try {
      const res = await fetch(target, {
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = res.status;
      body = await res.text();
    } catch (error) {
      throw new FakeControlError(
        `could not reach ${url} for the subscription check: ${describe(error)}`,
        502,
      );
    }
    return { verified: status === 200 && body === challenge, status, challenge, body: body.slice(0, 200) };
  }
}

function fieldOf(payload: Record<string, unknown>): string {
  const entry = (payload["entry"] as Array<{ changes?: Array<{ field?: string }> }> | undefined)?.[0];
  return entry?.changes?.[0]?.field ?? "unknown";
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (error instanceof Error && error.name === "TimeoutError") return "timed out";
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
