import type { TransportRequest } from "../transport/types.js";
import type { FakeCloudApi, FaultOptions } from "./fake-cloud-api.js";
import { type ControlInput, FakeControlError, RECIPIENT } from "./fake-control-input.js";
import type { FakeErrorSpec } from "./fake-errors.js";
import { fakeIdentity } from "./fake-messaging.js";

/** What a fault can be narrowed to: the Graph edge a request goes to. */
export const FAULT_OPERATIONS = ["messages", "templates", "block_users", "media", "phone_number"] as const;
type Operation = (typeof FAULT_OPERATIONS)[number];

/**
 * `POST /_fake/faults`: the next `count` requests (of one operation, to one recipient) fail with a
 * Graph error, or lose their connection.
 */
export function queueFault(fake: FakeCloudApi, b: ControlInput): unknown {
  const count = b.optionalInteger("count", 1) ?? 1;
  const operation = b.optionalOneOf("operation", FAULT_OPERATIONS);
  const to = b.optionalString("to", RECIPIENT);
  const drop = b.optionalOneOf("drop", ["before_write", "after_request"]);
  const code = b.optionalInteger("code", 0);
  const spec: FakeErrorSpec = { code: code ?? 0 };
  const details = b.optionalString("details");
  const message = b.optionalString("message");
  const status = b.optionalInteger("status", 100, 599);
  const retryAfterSeconds = b.optionalInteger("retryAfterSeconds", 0);
  b.done();
  if ((drop === undefined) === (code === undefined))
    throw new FakeControlError(
      `POST /_fake/faults: give either "code" (fail with that Graph error) or "drop" ("before_write" or "after_request")`,
    );
  if (drop && [details, message, status, retryAfterSeconds].some((x) => x !== undefined))
    throw new FakeControlError(
      `POST /_fake/faults: "details", "message", "status" and "retryAfterSeconds" go with "code", not "drop"`,
    );
  if (to !== undefined && operation !== undefined && operation !== "messages")
    throw new FakeControlError(`POST /_fake/faults: "to" narrows sends, so "operation" must be "messages"`);
  if (details !== undefined) spec.details = details;
  if (message !== undefined) spec.message = message;
  if (status !== undefined) spec.status = status;
  if (retryAfterSeconds !== undefined) spec.retryAfterSeconds = retryAfterSeconds;
  const options: FaultOptions = {};
  const recipient = to === undefined ? undefined : fakeIdentity(to);
  const wanted = recipient !== undefined ? "messages" : operation;
  if (wanted !== undefined)
    options.match = (r) =>
      operationOf(fake, r) === wanted && (recipient === undefined || recipientOf(r) === recipient);
  else options.operation = "any"; // not narrowed: the next requests, whatever they are
  if (drop) fake.dropNext(count, drop, options);
  else fake.failNext(count, spec, options);
  return {
    queued: {
      count,
      ...(drop ? { drop } : { code }),
      operation: wanted ?? "any",
      ...(recipient && { to: recipient }),
    },
  };
}

/** Which Graph operation a request is, for faults narrowed with `operation`. */
function operationOf(fake: FakeCloudApi, request: TransportRequest): Operation | undefined {
  const [first, id, edge] = new URL(request.url).pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (first === "fake-media") return "media";
  if (edge === "messages") return "messages";
  if (edge === "block_users") return "block_users";
  if (edge === "media") return "media";
  if (edge === "message_templates") return "templates";
  if (edge !== undefined || id === undefined) return undefined;
  if (id === fake.phoneNumberId) return "phone_number";
  return fake.templates.byId(id) ? "templates" : "media";
}

function recipientOf(request: TransportRequest): string | undefined {
  if (typeof request.body !== "string") return undefined;
  try {
    const body = JSON.parse(request.body) as { to?: unknown; recipient?: unknown };
    const to = body.to ?? body.recipient;
    return typeof to === "string" ? fakeIdentity(to) : undefined;
  } catch {
    return undefined;
  }
}
