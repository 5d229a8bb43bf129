import { TransportError } from "../errors/transport.js";
import type { Transport } from "../transport/types.js";
import { pathOf } from "../transport/undici.js";
import type { FakeCloudApi } from "./fake-cloud-api.js";

/**
 * A transport that hands requests straight to a {@link FakeCloudApi}, in process, with no
 * sockets. Drop faults become `TransportError`s with the matching outcome.
 */
export function fakeTransport(fake: FakeCloudApi): Transport {
  return async (request) => {
    const drop = fake.takeDrop(request);
    const path = pathOf(request.url);
    if (drop === "before_write") {
      throw new TransportError(
        `${request.method} ${path} failed (connect: ECONNREFUSED, injected); the request was not sent`,
        {
          outcome: "not_sent",
          reason: "connect",
          method: request.method,
          path,
        },
      );
    }
    const response = await fake.handle(request);
    if (drop === "after_request") {
      throw new TransportError(
        `${request.method} ${path} failed (reset: ECONNRESET, injected after the request was processed); the request may have reached Meta (outcome unknown)`,
        { outcome: "unknown", reason: "reset", method: request.method, path },
      );
    }
    return response;
  };
}
