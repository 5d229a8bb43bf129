import type { WhatsAppError } from "../errors/base.js";
import type { GraphApiError, GraphErrorBody } from "../errors/graph.js";
import { isTransportError } from "../errors/transport.js";
import { ValidationError } from "../errors/validation.js";
import { path } from "../internal/path.js";
import { isParentBsuid, parseRecipient, recipientKey } from "../internal/recipients.js";
import { BLOCK_LIST_CAP, type BlockMirror } from "../state/block-mirror.js";
import { windowOpen } from "../state/session-windows.js";
import type { GraphHttp } from "./http.js";
import { requirePhoneNumberId } from "./ids.js";
import { isRecipient } from "./schemas/outbound.js";
import { blockListResponse, blockUsersResponse } from "./schemas/responses.js";

/** Meta's per-request cap for block and unblock. */
export const MAX_BLOCK_USERS_PER_REQUEST = 1000;

/** Why an item was not sent to Meta. */
export type BlockSkipReason =
  /** Not a phone number or BSUID. */
  | "invalid_number"
  /** A parent BSUID (`US.ENT.…`): Meta's block API does not support them. */
  | "parent_bsuid_unsupported"
  /** The same person appears earlier in the input (see that item's result). */
  | "duplicate"
  /** Already in the block mirror (block) — nothing to do. */
  | "already_blocked"
  /** Meta only blocks users who wrote in the last 24 hours (it would answer 131047). */
  | "no_recent_message"
  /** The block list would pass Meta's 64,000 cap (it would answer 139101). */
  | "block_list_full";

/** One result per input user, in input order. */
export interface BlockUserResult {
  /** The user exactly as given. */
  user: string;
  /**
   * `added` / `removed`: done. `skipped`: checked locally and not sent (see `reason`).
   * `failed`: Meta refused this user, or the request for its chunk failed (see `error`).
   * `unreported`: Meta's answer did not mention this user, or the request's outcome is
   * unknown, so its state is unknown.
   */
  status: "added" | "removed" | "skipped" | "failed" | "unreported";
  reason?: BlockSkipReason;
  /** The wa_id Meta returned (phone numbers; absent for a BSUID). */
  waId?: string;
  /** The BSUID (`user_id`) Meta returned, when it did (BSUIDs). */
  userId?: string;
  error?: WhatsAppError;
}

/**
 * A blocked user as Meta lists them: the wa_id, the BSUID (`user_id`), or both. `waId` is absent
 * only for a user whose number cannot be shared (then `userId` is there).
 */
export type BlockedUser = { waId: string; userId?: string } | { waId?: undefined; userId: string };

export interface BlockUsersResult {
  /** Exactly one per input, in input order. */
  results: BlockUserResult[];
  /** Top-level errors Meta sent beside partial results (139100), one per chunk that had one. */
  errors: GraphApiError[];
  /** How many requests were made (chunks of at most 1,000). */
  requests: number;
}

export interface BlockOptions {
  signal?: AbortSignal;
  /**
   * Skip users with no recorded message in the last 24 hours instead of letting Meta refuse
   * them. Needs inbound messages recorded (webhooks, or `wa.sessions.recordInbound`).
   * @default true
   */
  checkRecentMessage?: boolean;
}

/** What the block list needs from the policy state. */
export interface BlockListState {
  mirror: BlockMirror;
  /** The person's last message, under any of their identifiers. */
  lastInbound: (key: string) => Promise<number | undefined>;
  now: () => number;
  /** Every identifier of the person `key` names (phone number, BSUIDs), `key` first. */
  aliases: (key: string) => Promise<readonly string[]>;
  /** Record that Meta named one person by these identifiers. */
  link: (ids: ReadonlyArray<string | undefined>, at: number, source: string) => Promise<void>;
}

/** `wa.blocklist`: block, unblock and list users blocked by the business phone number. */
export class BlockList {
  private readonly mirror: BlockMirror | undefined;

  constructor(
    private readonly http: GraphHttp,
    private readonly state?: BlockListState,
  ) {
    this.mirror = state?.mirror;
  }

  /**
   * Replace the local block mirror with the full list from Meta: one entry per user (as Meta
   * counts them toward the 64,000 cap), with a user's wa_id and BSUID linked as one person, so a
   * send under either is refused. Returns the number of users listed.
   */
  async sync(options: { signal?: AbortSignal } = {}): Promise<number> {
    const keys = new Set<string>();
    let users = 0;
    const at = this.state?.now() ?? 0;
    const state = this.state;
    // Links go out a page (up to 1,000) at a time: a shared store takes them in one round trip.
    let links: Array<Promise<void>> = [];
    for await (const user of this.list(options)) {
      users++;
      keys.add(recipientKey(user.waId ?? (user.userId as string)));
      if (user.waId !== undefined && user.userId !== undefined && state) {
        const userId = user.userId;
        // Not linked (the store failed): mirror both, the stricter state.
        links.push(
          state.link([user.waId, userId], at, "block:list").catch(() => void keys.add(recipientKey(userId))),
        );
        if (links.length >= 1_000) {
          await Promise.all(links);
          links = [];
        }
      }
    }
    await Promise.all(links);
    await this.mirror?.replace([...keys]);
    return users;
  }

  /**
   * Block any number of users, by phone number or BSUID. Each is checked locally first
   * (invalid, parent BSUID, duplicate, already blocked, no message in the last 24 hours, 64,000
   * cap); the rest go to Meta in chunks of at most 1,000 — a phone number as `{ user }`, a BSUID
   * as `{ user_id }`. Exactly one result per input, in order — nothing is dropped.
   */
  block(users: readonly string[], options: BlockOptions = {}): Promise<BlockUsersResult> {
    return this.bulk("POST", users, options);
  }

  /** Unblock any number of users (checked for validity, parent BSUIDs and duplicates, chunked by 1,000). */
  unblock(users: readonly string[], options: { signal?: AbortSignal } = {}): Promise<BlockUsersResult> {
    return this.bulk("DELETE", users, options);
  }

  #queue: Promise<unknown> = Promise.resolve();

  /** One bulk operation at a time, so two calls cannot both use the last free places. */
  private bulk(
    method: "POST" | "DELETE",
    users: readonly string[],
    options: BlockOptions,
  ): Promise<BlockUsersResult> {
    const run = () => this.bulkNow(method, users, options);
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  private async bulkNow(
    method: "POST" | "DELETE",
    users: readonly string[],
    options: BlockOptions,
  ): Promise<BlockUsersResult> {
    if (!Array.isArray(users)) throw new ValidationError("users must be an array of phone numbers");
    const results: BlockUserResult[] = new Array(users.length);
    const firstIndex = new Map<string, number>();
    const eligible: number[] = [];
    const now = this.state?.now() ?? 0;
    let room =
      method === "POST" && this.mirror
        ? BLOCK_LIST_CAP - (await this.mirror.size())
        : Number.POSITIVE_INFINITY;
    for (let i = 0; i < users.length; i++) {
      const user = users[i];
      const skip = (reason: BlockSkipReason) => {
        results[i] = { user: String(user), status: "skipped", reason };
      };
      const parsed = typeof user === "string" && isRecipient(user) ? parseRecipient(user) : undefined;
      if (!parsed) {
        skip("invalid_number");
        continue;
      }
      if (parsed.kind === "bsuid" && isParentBsuid(parsed.key)) {
        skip("parent_bsuid_unsupported");
        continue;
      }
      if (firstIndex.has(parsed.key)) {
        skip("duplicate");
        continue;
      }
      firstIndex.set(parsed.key, i);
      if (method === "POST" && this.state) {
        const person = await this.state.aliases(parsed.key);
        if ((await Promise.all(person.map((k) => this.state?.mirror.has(k)))).includes(true)) {
          skip("already_blocked");
          continue;
        }
        if (options.checkRecentMessage !== false) {
          const last = await this.state.lastInbound(parsed.key);
          if (!windowOpen(last, now)) {
            skip("no_recent_message");
            continue;
          }
        }
        if (room <= 0) {
          skip("block_list_full");
          continue;
        }
        room--;
      }
      eligible.push(i);
    }
    const out: BlockUsersResult = { results, errors: [], requests: 0 };
    let fatal: WhatsAppError | undefined;
    for (let start = 0; start < eligible.length; start += MAX_BLOCK_USERS_PER_REQUEST) {
      const chunk = eligible.slice(start, start + MAX_BLOCK_USERS_PER_REQUEST);
      const chunkUsers = chunk.map((i) => users[i] as string);
      if (fatal) {
        for (const i of chunk) results[i] = { user: users[i] as string, status: "failed", error: fatal };
        continue;
      }
      try {
        out.requests++;
        const res = await this.change(method, chunkUsers, options.signal);
        chunk.forEach((i, k) => {
          results[i] = res.results[k] as BlockUserResult;
        });
        if (res.error) out.errors.push(res.error);
      } catch (error) {
        const e = error as WhatsAppError;
        const unknown = isTransportError(e) && e.outcome === "unknown";
        // Meta certainly did not block them: they leave the mirror again (an unknown outcome
        // keeps them in — the block may have happened).
        if (method === "POST" && !unknown && this.mirror)
          await this.mirror.remove(chunkUsers.map(recipientKey)).catch(() => undefined);
        for (const i of chunk)
          results[i] = { user: users[i] as string, status: unknown ? "unreported" : "failed", error: e };
        // Credentials, permissions or a restricted account fail every chunk the same way.
        const category = (e as { category?: string }).category;
        if (category === "authentication" || category === "permission" || category === "account_restricted")
          fatal = e;
      }
    }
    return out;
  }

  /** Iterate over every blocked user: their wa_id, their BSUID, or both (see {@link BlockedUser}). */
  async *list(
    params: { limit?: number; signal?: AbortSignal } = {},
  ): AsyncGenerator<BlockedUser, void, undefined> {
    let after: string | undefined;
    do {
      const res = await this.http.request({
        method: "GET",
        path: path`/${requirePhoneNumberId(this.http)}/block_users`,
        query: { limit: params.limit ?? 1000, after },
        schema: blockListResponse,
        idempotent: true,
        ...(params.signal && { signal: params.signal }),
      });
      for (const entry of res.data) {
        // The schema guarantees at least one of the two.
        if (entry.wa_id === undefined) yield { userId: entry.user_id as string };
        else
          yield entry.user_id === undefined
            ? { waId: entry.wa_id }
            : { waId: entry.wa_id, userId: entry.user_id };
      }
      const next = res.paging?.cursors?.after;
      after = res.data.length > 0 && next !== undefined && next !== after ? next : undefined;
    } while (after !== undefined);
  }

  /** One request of at most 1,000 valid users. */
  private async change(
    method: "POST" | "DELETE",
    users: string[],
    signal?: AbortSignal,
  ): Promise<{ results: BlockUserResult[]; error?: GraphApiError }> {
    const where = path`/${requirePhoneNumberId(this.http)}/block_users`;
    // Mirrored before Meta is asked: if the answer is lost (the block may have happened) or the
    // store fails afterwards, the stricter state stays. A mirror that cannot take them fails the
    // chunk before anything is sent.
    if (method === "POST") await this.mirror?.add(users.map(recipientKey));
    const res = await this.http.request({
      method,
      path: where,
      json: {
        messaging_product: "whatsapp",
        // Meta takes a phone number as `user` and a BSUID as `user_id`.
        block_users: users.map((user) =>
          parseRecipient(user)?.kind === "bsuid" ? { user_id: user } : { user },
        ),
      },
      schema: blockUsersResponse,
      partialResultKey: "block_users",
      idempotent: true,
      ...(signal && { signal }),
    });
    const done = method === "POST" ? res.block_users.added_users : res.block_users.removed_users;
    const byInput = new Map<string, BlockUserResult>();
    for (const entry of done ?? []) {
      const r: BlockUserResult = { user: entry.input, status: method === "POST" ? "added" : "removed" };
      if (entry.wa_id !== undefined) r.waId = entry.wa_id;
      if (entry.user_id !== undefined) r.userId = entry.user_id;
      byInput.set(entry.input, r);
    }
    for (const entry of res.block_users.failed_users ?? []) {
      const first = entry.errors?.[0] ?? { code: 139100, message: "Failed to block/unblock this user" };
      const r: BlockUserResult = {
        user: entry.input,
        status: "failed",
        error: this.http.graphError(first as GraphErrorBody, undefined, method, where),
      };
      if (entry.wa_id !== undefined) r.waId = entry.wa_id;
      if (entry.user_id !== undefined) r.userId = entry.user_id;
      byInput.set(entry.input, r);
    }
    const out: { results: BlockUserResult[]; error?: GraphApiError } = {
      results: users.map((user) => {
        const found = byInput.get(user);
        return found ? { ...found, user } : { user, status: "unreported" as const };
      }),
    };
    if (res.error) out.error = this.http.graphError(res.error as GraphErrorBody, undefined, method, where);
    const state = this.state;
    if (state && method === "POST") {
      // The ids Meta resolved (wa_id, user_id) are linked to the input: the person is blocked
      // under each of them, while the mirror holds one entry per user (as Meta counts the cap).
      // Where the link fails, the resolved ids join the mirror instead (stricter). Users Meta
      // reports as not blocked leave it. A store failing does not hide Meta's answer.
      const at = state.now();
      const unlinked: string[] = [];
      await Promise.all(
        out.results
          .filter((r) => r.status === "added")
          .map((r) =>
            state
              .link([r.user, r.waId, r.userId], at, "block:contacts")
              .catch(() => void unlinked.push(...resolvedKeys(r))),
          ),
      );
      const failed = out.results.filter((r) => r.status === "failed");
      if (unlinked.length > 0) await state.mirror.add(unlinked).catch(() => undefined);
      if (failed.length > 0)
        await state.mirror.remove(failed.map((r) => recipientKey(r.user))).catch(() => undefined);
    } else if (state) {
      // Meta unblocked the person: they leave the mirror under every identifier of theirs.
      const removed = out.results.filter((r) => r.status === "removed");
      const people = await Promise.all(
        removed.map(async (r) => [
          recipientKey(r.user),
          ...resolvedKeys(r),
          ...(await state.aliases(recipientKey(r.user)).catch(() => [])),
        ]),
      );
      await state.mirror.remove([...new Set(people.flat())]);
    }
    return out;
  }
}

/** The canonical ids Meta reported for a user: its wa_id and its BSUID, when given. */
function resolvedKeys(r: BlockUserResult): string[] {
  const keys: string[] = [];
  if (r.waId !== undefined) keys.push(recipientKey(r.waId));
  if (r.userId !== undefined) keys.push(recipientKey(r.userId));
  return keys;
}
