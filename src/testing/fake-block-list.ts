import type { TransportResponse } from "../transport/types.js";
import { errorObject, errorResponse, jsonResponse } from "./fake-errors.js";
import { type FakeMessaging, fakeIdentity } from "./fake-messaging.js";

export const FAKE_BLOCK_LIST_CAP = 64_000;

/** `/<PHONE_NUMBER_ID>/block_users` with Meta's rules. */
export class FakeBlockList {
  #version = 1;
  #order: string[] = [];

  constructor(
    private readonly messaging: FakeMessaging,
    private readonly businessNumber: string,
  ) {}

  /** Blocked identities in the order they were blocked. */
  list(): string[] {
    return [...this.#order];
  }

  has(user: string): boolean {
    const id = fakeIdentity(user);
    return id !== undefined && this.messaging.blocked.has(id);
  }

  handle(method: string, body: unknown, query: URLSearchParams): TransportResponse {
    if (method === "GET") return this.#list(query);
    if (method !== "POST" && method !== "DELETE")
      return errorResponse({ code: 100, details: `Unsupported method ${method}` });
    const b = (body ?? {}) as Record<string, unknown>;
    const users = b["block_users"];
    if (b["messaging_product"] !== "whatsapp" || !Array.isArray(users) || users.length === 0) {
      return errorResponse({ code: 100, details: "block_users must be a non-empty array of { user }" });
    }
    if (users.length > 1000) {
      return errorResponse({
        code: 130429,
        message: "Rate limit hit",
        details: "Too many numbers in the request: at most 1000",
      });
    }
    const done: Array<{ input: string; wa_id: string }> = [];
    const failed: Array<Record<string, unknown>> = [];
    for (const entry of users) {
      const input = String((entry as { user?: unknown } | null)?.user ?? "");
      const id = fakeIdentity(input);
      const fail = (code: number, message: string, details: string) => {
        const err = errorObject({ code, message, details });
        delete err["fbtrace_id"];
        delete err["type"];
        failed.push({ input, ...(id !== undefined && { wa_id: id }), errors: [{ ...err, message }] });
      };
      if (id === undefined) {
        fail(131047, "Re-engagement required", "Invalid user");
      } else if (method === "DELETE") {
        if (this.messaging.blocked.delete(id)) {
          this.#order = this.#order.filter((u) => u !== id);
          this.#version++;
        }
        done.push({ input, wa_id: id });
      } else if (id === this.businessNumber) {
        fail(131021, "Self block", "A business cannot block its own number");
      } else if (this.messaging.blocked.has(id)) {
        done.push({ input, wa_id: id });
      } else if (this.#lastInboundTooOld(id)) {
        fail(131047, "Re-engagement required", "User has not messaged in the last 24 hours");
      } else if (this.messaging.blocked.size >= FAKE_BLOCK_LIST_CAP) {
        fail(139101, "Blocklist limit reached", "The block list is at its 64,000-user limit");
      } else {
        this.messaging.blocked.add(id);
        this.#order.push(id);
        this.#version++;
        done.push({ input, wa_id: id });
      }
    }
    const key = method === "POST" ? "added_users" : "removed_users";
    const result: Record<string, unknown> = { messaging_product: "whatsapp", block_users: { [key]: done } };
    if (failed.length > 0) {
      (result["block_users"] as Record<string, unknown>)["failed_users"] = failed;
      result["error"] = errorObject({
        code: 139100,
        message: "Failed to block/unblock users",
        details: `Failed to ${method === "POST" ? "block" : "unblock"} some users, see the block_users response list for details`,
      });
    }
    return jsonResponse(result);
  }

  /** Meta only lets a business block users who wrote to it in the last 24 hours. */
  #lastInboundTooOld(id: string): boolean {
    return !this.messaging.windowOpen(id);
  }

  #list(query: URLSearchParams): TransportResponse {
    const limit = Math.min(Math.max(Number(query.get("limit") ?? 1000) || 1000, 1), 10_000);
    let offset = 0;
    const after = query.get("after");
    if (after) {
      try {
        const cursor = JSON.parse(atob(after)) as { o: number; v: number };
        if (cursor.v !== this.#version) {
          return errorResponse(
            {
              code: 139102,
              message: "Blocklist concurrent update",
              details: "Blocklist was updated during retrieval - retry with offset 0",
            },
            { messaging_product: "whatsapp" },
          );
        }
        offset = cursor.o;
      } catch {
        return errorResponse({ code: 100, details: "Invalid cursor" });
      }
    }
    const page = this.#order.slice(offset, offset + limit);
    const cursor = (o: number) => btoa(JSON.stringify({ o, v: this.#version }));
    const paging: Record<string, unknown> = {
      cursors: { before: cursor(offset), after: cursor(offset + page.length) },
    };
    if (offset + page.length < this.#order.length)
      paging["next"] = `block_users?after=${cursor(offset + page.length)}`;
    return jsonResponse({ data: page.map((wa_id) => ({ messaging_product: "whatsapp", wa_id })), paging });
  }
}
