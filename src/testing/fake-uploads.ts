/**
 * The fake's Resumable Upload API: `POST /<APP_ID>/uploads` opens a session, `POST
 * /<UPLOAD_SESSION_ID>` (with `Authorization: OAuth <token>` and `file_offset`) takes the bytes
 * and answers the handle `h`, `GET /<UPLOAD_SESSION_ID>` says how many bytes arrived. Session ids
 * carry a `?sig=` query as Meta's do.
 */
import type { TransportResponse } from "../transport/types.js";
import { errorResponse, jsonResponse } from "./fake-errors.js";

const FILE_TYPES = new Set(["application/pdf", "image/jpeg", "image/jpg", "image/png", "video/mp4"]);

interface Session {
  fileName: string;
  length: number;
  type: string;
  sig: string;
  chunks: Uint8Array[];
  received: number;
}

/** An uploaded file, by its handle. */
export interface FakeUploadedFile {
  fileName: string;
  type: string;
  data: Uint8Array;
}

const invalid = (details: string) => errorResponse({ code: 100, message: "Invalid parameter", details });

export class FakeUploads {
  readonly #sessions = new Map<string, Session>();
  readonly #files = new Map<string, FakeUploadedFile>();
  #seq = 0;

  constructor(
    /** The app uploads go to (`/<APP_ID>/uploads`). */
    readonly appId: string,
  ) {}

  /** The file behind a handle the fake gave out, or undefined. */
  file(handle: string): FakeUploadedFile | undefined {
    return this.#files.get(handle);
  }

  /** `POST /<APP_ID>/uploads?file_name&file_length&file_type`. */
  open(query: URLSearchParams): TransportResponse {
    const fileName = query.get("file_name") ?? "";
    const length = Number(query.get("file_length"));
    const type = query.get("file_type") ?? "";
    if (fileName === "") return invalid("The parameter file_name is required.");
    if (!Number.isInteger(length) || length <= 0)
      return invalid("Param file_length must be a positive integer");
    if (!FILE_TYPES.has(type)) return invalid(`Param file_type must be one of ${[...FILE_TYPES].join(", ")}`);
    const key = `upload:${Buffer.from(`fake-attachment:${++this.#seq}`).toString("base64url")}`;
    const sig = `ARfake${this.#seq}`;
    this.#sessions.set(key, { fileName, length, type, sig, chunks: [], received: 0 });
    return jsonResponse({ id: `${key}?sig=${sig}` });
  }

  /** `GET` or `POST /<UPLOAD_SESSION_ID>`. */
  handle(
    method: string,
    key: string,
    query: URLSearchParams,
    headers: Record<string, string>,
    body: unknown,
  ): TransportResponse {
    const session = this.#sessions.get(key);
    if (!session || query.get("sig") !== session.sig)
      return errorResponse({ code: 100, message: "Invalid parameter", details: "Unknown upload session" });
    if (method === "GET") return jsonResponse({ id: key, file_offset: session.received });
    if (method !== "POST") return errorResponse({ code: 100, details: `Unsupported method ${method}` });
    const offset = Number(headers["file_offset"]);
    if (headers["file_offset"] === undefined || !Number.isInteger(offset))
      return invalid("The header file_offset is required.");
    if (offset !== session.received)
      return invalid(`file_offset ${offset} does not match the ${session.received} bytes received`);
    // No body at all is an empty rest (the HTTP server leaves an empty body out).
    const bytes =
      body === undefined
        ? new Uint8Array(0)
        : body instanceof Uint8Array
          ? body
          : typeof body === "string"
            ? new TextEncoder().encode(body)
            : undefined;
    if (!bytes) return invalid("The request body must be the file's bytes.");
    if (session.received + bytes.byteLength > session.length)
      return invalid(`The file is longer than the ${session.length} bytes announced`);
    if (bytes.byteLength > 0) session.chunks.push(bytes.slice());
    session.received += bytes.byteLength;
    if (session.received < session.length)
      // A body shorter than the rest is what a connection cut midway leaves: kept, not finished.
      return invalid(`The upload is incomplete: ${session.received} of ${session.length} bytes`);
    const data = new Uint8Array(session.length);
    let at = 0;
    for (const c of session.chunks) {
      data.set(c, at);
      at += c.byteLength;
    }
    const handle = `4:${Buffer.from(session.fileName).toString("base64")}:${session.type}:${key.slice(7)}`;
    this.#files.set(handle, { fileName: session.fileName, type: session.type, data });
    return jsonResponse({ h: handle });
  }
}
