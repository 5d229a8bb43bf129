/** Delivery to listeners: after the acknowledgement, every handler of every event, each isolated. */

import type { Logger } from "../internal/logger.js";
import { describeError } from "../internal/logger.js";
import type { TypedEmitter } from "../internal/typed-emitter.js";
import type { ClientEvents, WebhookEvent } from "./events.js";

/**
 * Run every listener of every event on a later turn (the 200 goes back first). A listener that
 * throws or rejects is logged and never stops the others. Settles when all have finished.
 */
export function deliverToListeners(
  emitter: TypedEmitter<ClientEvents>,
  logger: Logger,
  events: readonly WebhookEvent[],
): Promise<void> {
  return new Promise<void>((resolve) => {
    setTimeout(() => {
      const pending: Promise<unknown>[] = [];
      for (const event of events) {
        for (const listener of emitter.listeners(event.kind)) {
          // A listener added with once() is removed before it runs, as emit() would.
          emitter.removeListener(event.kind, listener as never, undefined, true);
          try {
            const result = (listener as (e: WebhookEvent) => unknown)(event);
            if (result && typeof (result as Promise<unknown>).then === "function")
              pending.push(
                (result as Promise<unknown>).then(undefined, (error: unknown) =>
                  logger.error(`wa-guard: a "${event.kind}" handler failed`, { error: describeError(error) }),
                ),
              );
          } catch (error) {
            logger.error(`wa-guard: a "${event.kind}" handler threw`, { error: describeError(error) });
          }
        }
      }
      Promise.allSettled(pending).then(() => resolve());
    }, 0);
  });
}
