import { isBsuid, isParentBsuid } from "../internal/recipients.js";
import type { TransportResponse } from "../transport/types.js";
import { errorObject, blockUsersErrorResponse as errorResponse, jsonResponse } from "./fake-errors.js";
import { type FakeMessaging, fakeIdentity } from "./fake-messaging.js";

export const FAKE_BLOCK_LIST_CAP = 64_000;

/** A BSUID that is not a parent one: Meta's block API takes no parent BSUIDs. */
const BSUID = /^[A-Z]{2}\.[A-Za-z0-9]{1,128}$/;

/** `/<PHONE_NUMBER_ID>/block_users` with Meta's rules. */
export class FakeBlockList {
  #version = 1;
  #order: string[] = [];
  /** Phone digits ↔ BSUID, both ways, for users declared with {@link linkUser}. */
  readonly #peer = new Map<string, string>();
  /** Phone digits whose number Meta may not share: listed with `user_id` only. */
  readonly #withheld = new Set<string>();

  constructor(
    private readonly messaging: FakeMessaging,
    private readonly businessNumber: string,
  ) {}

  /** Blocked identities in the order they were blocked (one per user, as it was blocked). */
  list(): string[] {
    return [...this.#order];
  }

  /** Whether the user is blocked, under this identifier or one linked to it. */
  has(user: string): boolean {
    const id = fakeIdentity(user);
    return id !== undefined && this.#identities(id).some((i) => this.messaging.blocked.has(i));
  }

  /**
   * Declare that a phone number and a BSUID are one user, as Meta knows them: a block, unblock or
   * 24-hour check under either applies to the user, and the list shows both `wa_id` and
   * `user_id`. With `numberWithheld`, the list omits `wa_id` for them, as Meta does for a user
   * whose number cannot be shared (a username user).
   * @example fake.blocklist.linkUser("+16505551234", "US.13491208655302741918", { numberWithheld: true })
   */
  linkUser(phoneNumber: string, userId: string, options: { numberWithheld?: boolean } = {}): void {
    const phone = fakeIdentity(phoneNumber);
    if (phone === undefined || isBsuid(phone))
      throw new Error(`FakeBlockList.linkUser: ${JSON.stringify(phoneNumber)} is not a phone number`);
    if (!BSUID.test(userId))
      throw new Error(
        `FakeBlockList.linkUser: ${JSON.stringify(userId)} is not a BSUID (CC.<alphanumerics>)`,
      );
    for (const id of [phone, userId]) {
      const old = this.#peer.get(id);
      if (old !== undefined) this.#peer.delete(old);
    }
    this.#peer.set(phone, userId);
    this.#peer.set(userId, phone);
    if (options.numberWithheld) this.#withheld.add(phone);
    else this.#withheld.delete(phone);
    // Blocked under either identifier: the user is blocked, and listed once.
    if (this.messaging.blocked.has(phone) || this.messaging.blocked.has(userId)) {
      this.messaging.blocked.add(phone);
      this.messaging.blocked.add(userId);
      const first = this.#order.findIndex((u) => u === phone || u === userId);
      this.#order = this.#order.filter((u, i) => i <= first || (u !== phone && u !== userId));
    }
  }

  handle(method: string, body: unknown, query: URLSearchParams): TransportResponse {
    if (method === "GET") return this.#list(query);
    if (method !== "POST" && method !== "DELETE")
      return errorResponse({ code: 100, details: `Unsupported method ${method}` });
    const b = (body ?? {}) as Record<string, unknown>;
    const users = b["block_users"];
    if (b["messaging_product"] !== "whatsapp" || !Array.isArray(users) || users.length === 0) {
      return errorResponse({
        code: 100,
        details: "block_users must be a non-empty array of { user } or { user_id }",
      });
    }
    if (users.length > 1000) {
      return errorResponse({
        code: 130429,
        message: "Rate limit hit",
        details: "Too many numbers in the request: at most 1000",
      });
    }
    const done: Array<Record<string, string>> = [];
    const failed: Array<Record<string, unknown>> = [];
    let size = this.#size();
    for (const entry of users) {
      const item = (typeof entry === "object" && entry !== null ? entry : {}) as Record<string, unknown>;
      const byUserId = item["user_id"] !== undefined;
      const input = String((byUserId ? item["user_id"] : item["user"]) ?? "");
      const parsed = fakeIdentity(input);
      // A phone number goes as `user`, a BSUID as `user_id`; anything else names nobody.
      const id = parsed !== undefined && BSUID.test(parsed) === byUserId ? parsed : undefined;
      const ids = (i: string) => (BSUID.test(i) ? { user_id: i } : { wa_id: i });
      const fail = (code: number, message: string, details: string) => {
        const err = errorObject({ code, message, details }, { blockUsers: true });
        delete err["fbtrace_id"];
        delete err["type"];
        failed.push({ input, ...(id !== undefined && ids(id)), errors: [{ ...err, message }] });
      };
      if (isParentBsuid(input)) {
        // Meta: parent BSUIDs are not supported by the block API. It documents no code for it;
        // the fake answers 100 (invalid parameter) per user.
        fail(
          100,
          "Invalid parameter",
          "Parent business-scoped user IDs (parent_user_id) are not supported by the block API",
        );
      } else if (byUserId && item["user"] !== undefined) {
        fail(100, "Invalid parameter", "Give user (a phone number) or user_id (a BSUID), not both");
      } else if (byUserId && id === undefined) {
        fail(100, "Invalid parameter", "user_id must be a business-scoped user ID (CC.<alphanumerics>)");
      } else if (id === undefined) {
        fail(131047, "Re-engagement required", "Invalid user");
      } else if (method === "DELETE") {
        const all = this.#identities(id);
        let changed = false;
        for (const i of all) changed = this.messaging.blocked.delete(i) || changed;
        if (changed) {
          this.#order = this.#order.filter((u) => !all.includes(u));
          this.#version++;
          size--;
        }
        done.push({ input, ...ids(id) });
      } else if (id === this.businessNumber) {
        fail(131021, "Self block", "A business cannot block its own number");
      } else if (this.has(id)) {
        done.push({ input, ...ids(id) });
      } else if (this.#lastInboundTooOld(id)) {
        fail(131047, "Re-engagement required", "User has not messaged in the last 24 hours");
      } else if (size >= FAKE_BLOCK_LIST_CAP) {
        fail(139101, "Blocklist limit reached", "The block list is at its 64,000-user limit");
      } else {
        for (const i of this.#identities(id)) this.messaging.blocked.add(i);
        this.#order.push(id);
        this.#version++;
        size++;
        done.push({ input, ...ids(id) });
      }
    }
    const key = method === "POST" ? "added_users" : "removed_users";
    const result: Record<string, unknown> = { messaging_product: "whatsapp", block_users: { [key]: done } };
    if (failed.length > 0) {
      (result["block_users"] as Record<string, unknown>)["failed_users"] = failed;
      result["error"] = errorObject(
        {
          code: 139100,
          message: "Failed to block/unblock users",
          details: `Failed to ${method === "POST" ? "block" : "unblock"} some users, see the block_users response list for details`,
        },
        { blockUsers: true },
      );
    }
    return jsonResponse(result);
  }

  /** The identifiers of one user: the one given, and the one linked to it. */
  #identities(id: string): string[] {
    const peer = this.#peer.get(id);
    return peer === undefined ? [id] : [id, peer];
  }

  /** Users on the list: a linked user blocked under both identifiers counts once. */
  #size(): number {
    let twice = 0;
    for (const [a, b] of this.#peer)
      if (BSUID.test(a) && this.messaging.blocked.has(a) && this.messaging.blocked.has(b)) twice++;
    return this.messaging.blocked.size - twice;
  }

  /** Meta only lets a business block users who wrote to it in the last 24 hours. */
  #lastInboundTooOld(id: string): boolean {
    return !this.#identities(id).some((i) => this.messaging.windowOpen(i));
  }

  /**
   * @internal How Meta names a user in payloads: `wa_id` unless the number is withheld, `user_id`
   * when the user has a BSUID (declared with {@link linkUser}, or the id itself).
   */
  identityOf(id: string): { waId?: string; userId?: string } {
    const bsuid = isBsuid(id);
    const phone = bsuid ? this.#peer.get(id) : id;
    const userId = bsuid ? id : this.#peer.get(id);
    return {
      ...(phone !== undefined && !this.#withheld.has(phone) && { waId: phone }),
      ...(userId !== undefined && { userId }),
    };
  }

  /** A list entry as Meta shows it: `wa_id` unless the number is withheld, `user_id` when known. */
  #entry(id: string): Record<string, string> {
    const { waId, userId } = this.identityOf(id);
    return {
      messaging_product: "whatsapp",
      ...(waId !== undefined && { wa_id: waId }),
      ...(userId !== undefined && { user_id: userId }),
    };
  }

  #list(query: URLSearchParams): TransportResponse {
    const limit = Math.min(Math.max(Number(query.get("limit") ?? 1000) || 1000, 1), 10_000);
    let offset = 0;
    const after = query.get("after");
    if (after) {
      try {
        const cursor = JSON.parse(atob(after)) as { o: number; v: number };
        if (cursor.v !== this.#version) {
          return errorResponse({
            code: 139102,
            message: "Blocklist concurrent update",
            details: "Blocklist was updated during retrieval - retry with offset 0",
          });
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
    return jsonResponse({ data: page.map((id) => this.#entry(id)), paging });
  }
}
