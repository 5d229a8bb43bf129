/**
 * Faults a test injects into the fake: the next requests of a kind fail with a Graph error (at
 * once, or accepted and failed later in a status webhook) or lose their connection. Which kind
 * a request is, the fake says (`FakeCloudApi.operationOf`).
 */
import { graphCodeInfo } from "../errors/graph-codes.js";
import type { TransportRequest } from "../transport/types.js";
import type { FakeErrorSpec } from "./fake-errors.js";
import type { FakeDeliveryError } from "./fake-send-rules.js";

export type DropMode = "before_write" | "after_request";

/**
 * The kinds of request the fake tells apart, for fault injection:
 * - `send` — `POST /<PHONE_NUMBER_ID>/messages` carrying a message (not a read receipt);
 * - `read` — the same endpoint marking a message read or showing a typing indicator;
 * - `templates` — `/<WABA_ID>/message_templates` and `/<TEMPLATE_ID>` (list, create, get, delete);
 * - `block_users` — `/<PHONE_NUMBER_ID>/block_users`;
 * - `media` — uploads, media lookups and downloads;
 * - `phone_number` — `GET /<PHONE_NUMBER_ID>` (health, messaging limit) and its business profile;
 * - `any` — every request.
 */
export type FakeOperation = "send" | "read" | "templates" | "block_users" | "media" | "phone_number" | "any";

export interface Fault {
  remaining: number;
  spec?: FakeErrorSpec;
  drop?: DropMode;
  async?: boolean;
  operations?: ReadonlySet<FakeOperation>;
  match?: (request: TransportRequest) => boolean;
}

export interface FaultOptions {
  /**
   * Which kind of request the fault is for (one, or several). Other requests pass untouched and
   * do not count. Without `operation` and `match` the fault is for sends: a failure aimed at
   * `sendTemplate` hits the send, not the template list the policy fetches before it.
   * @default "send" (or "any" when only `match` is given)
   * @example fake.failNext(1, 80007, { operation: "templates" })
   */
  operation?: FakeOperation | readonly FakeOperation[];
  /**
   * Your own predicate over the request (method, url, headers, body); with `operation` both must
   * accept it. Given alone, it decides by itself, for requests of any kind.
   * @example { match: (r) => String(r.body).includes("16505551234") }
   */
  match?: (request: TransportRequest) => boolean;
  /**
   * `failNext` only: Meta accepts the send (200 and a `wamid`) and reports this error later in
   * a `failed` status webhook — as it does for 131026, 131047, 131049, 131050. Sends only.
   * @default false
   */
  async?: boolean;
}

/** The faults queued and not fired yet, in the order they were queued. */
export class FakeFaults {
  #faults: Fault[] = [];

  /** Queue an error for the next `count` matching requests (see `FakeCloudApi.failNext`). */
  failNext(count: number, error: number | FakeErrorSpec, options: FaultOptions = {}): void {
    const spec = typeof error === "number" ? { code: error } : error;
    const fault: Fault = { remaining: count, spec, ...target(options) };
    if (options.async) {
      // Only a send can be accepted and fail later: with `match` alone, still only sends.
      const ops = fault.operations ?? new Set<FakeOperation>(["send"]);
      if (ops.size !== 1 || !ops.has("send"))
        throw new Error('FakeCloudApi.failNext: { async: true } is for sends only (operation: "send")');
      fault.operations = ops;
      fault.async = true;
    }
    this.#faults.push(fault);
  }

  /** Queue a lost connection for the next `count` matching requests (see `FakeCloudApi.dropNext`). */
  dropNext(count: number, mode: DropMode, options: Omit<FaultOptions, "async"> = {}): void {
    this.#faults.push({ remaining: count, drop: mode, ...target(options) });
  }

  clear(): void {
    this.#faults = [];
  }

  /** A drop is queued (transports ask before they read the request's body). */
  get hasDrops(): boolean {
    return this.#faults.some((f) => f.drop !== undefined);
  }

  /**
   * Consume the first queued fault of this kind that applies to the request, if any.
   * `operationOf` is asked at most once, and only when a fault names operations.
   */
  take(
    request: TransportRequest,
    kind: "error" | "drop",
    body: unknown,
    operationOf: (request: TransportRequest, body: unknown) => FakeOperation | undefined,
  ): Fault | undefined {
    if (this.#faults.length === 0) return undefined;
    let operation: FakeOperation | undefined | null = null;
    const fault = this.#faults.find((f) => {
      if ((kind === "error" ? f.spec : f.drop) === undefined || f.remaining <= 0) return false;
      if (f.operations && !f.operations.has("any")) {
        if (operation === null) operation = operationOf(request, body);
        if (operation === undefined || !f.operations.has(operation)) return false;
      }
      return !f.match || f.match(request);
    });
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.remaining === 0) this.#faults = this.#faults.filter((f) => f !== fault);
    return fault;
  }
}

/** The operations and predicate a fault applies to: sends by default, anything `match` accepts alone. */
function target(options: FaultOptions): Pick<Fault, "operations" | "match"> {
  const out: Pick<Fault, "operations" | "match"> = {};
  if (options.match) out.match = options.match;
  const op = options.operation ?? (options.match ? undefined : "send");
  if (op !== undefined) out.operations = new Set(typeof op === "string" ? [op] : op);
  return out;
}

/** An injected Graph error as Meta reports it in a `failed` status. */
export function deliveryError(spec: FakeErrorSpec): FakeDeliveryError {
  const title = spec.message ?? graphCodeInfo(spec.code).title;
  return { code: spec.code, title, details: spec.details ?? title };
}
