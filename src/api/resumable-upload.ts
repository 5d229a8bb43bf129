/**
 * Meta's Resumable Upload API: a file uploaded to an app (`POST /<APP_ID>/uploads`, then the
 * bytes to the session) comes back as a handle (`h`) that other endpoints take — the business
 * profile's picture (`profile_picture_handle`) and a template's media header example
 * (`header_handle`). An upload cut off midway is resumed from the offset Meta reports
 * (`GET /<UPLOAD_SESSION_ID>`), not started again.
 */
import * as z from "zod/mini";
import { isTransportError } from "../errors/transport.js";
import { ValidationError } from "../errors/validation.js";
import { path } from "../internal/path.js";
import { lazy } from "../internal/validate.js";
import type { GraphHttp } from "./http.js";

/** The file types Meta's Resumable Upload API accepts. */
export type UploadFileType = "application/pdf" | "image/jpeg" | "image/jpg" | "image/png" | "video/mp4";

const FILE_TYPES: ReadonlySet<string> = new Set([
  "application/pdf",
  "image/jpeg",
  "image/jpg",
  "image/png",
  "video/mp4",
]);

/** What to upload, and to which app. */
export interface ResumableUploadOptions {
  /** The Meta app the file is uploaded to (the app whose token the client uses). */
  appId: string;
  /** The file's MIME type. */
  type: UploadFileType;
  /** The file's name, as Meta records it. @default "upload" */
  fileName?: string;
  /**
   * How many times an upload cut off midway is resumed before giving up. The error it then
   * throws carries `sessionId`, to finish later with `resume()`. @default 3
   */
  maxResumes?: number;
  signal?: AbortSignal;
}

/** A finished upload. */
export interface UploadedFile {
  /** The handle to pass on (`profilePictureHandle`, a template's `header_handle`). */
  handle: string;
  /** The upload session (`upload:…`): resume it with `resume()` if the process died midway. */
  sessionId: string;
}

const sessionResponse = lazy(() => z.looseObject({ id: z.string() }));
const handleResponse = lazy(() => z.looseObject({ h: z.string() }));
const offsetResponse = lazy(() =>
  z.looseObject({ id: z.optional(z.string()), file_offset: z.union([z.number(), z.string()]) }),
);

/** `wa.uploads`: Meta's Resumable Upload API. */
export class ResumableUploads {
  constructor(private readonly http: GraphHttp) {}

  /**
   * Upload a file and return its handle. The session is opened first; if sending the bytes is cut
   * off (a reset, a timeout), Meta is asked how much arrived and the rest is sent, up to
   * `maxResumes` times. Checked before anything is sent: the app id, the type, a non-empty file.
   */
  async upload(file: Uint8Array | Blob, options: ResumableUploadOptions): Promise<UploadedFile> {
    const bytes = await toBytes(file);
    const fileName = options.fileName ?? "upload";
    checkOptions(options, bytes, fileName);
    const session = await this.http.request({
      method: "POST",
      path: path`/${options.appId}/uploads`,
      query: { file_name: fileName, file_length: bytes.byteLength, file_type: options.type },
      schema: sessionResponse,
      // Opening a second session for the same file costs nothing: safe to retry.
      idempotent: true,
      ...(options.signal && { signal: options.signal }),
    });
    checkSession(session.id);
    return this.#send(session.id, bytes, 0, options);
  }

  /**
   * Finish an upload whose session was opened before (by `upload()` in a process that died, say):
   * asks Meta how much of the file arrived and sends the rest.
   */
  async resume(
    sessionId: string,
    file: Uint8Array | Blob,
    options: Pick<ResumableUploadOptions, "maxResumes" | "signal"> = {},
  ): Promise<UploadedFile> {
    const bytes = await toBytes(file);
    checkSession(sessionId);
    const bad = maxResumesProblem(options.maxResumes);
    if (bad) throw new ValidationError(`uploads: ${bad}`);
    const offset = await this.offset(sessionId, options.signal);
    return this.#send(sessionId, bytes, offset, options);
  }

  /** How many bytes of the session's file Meta has received. */
  async offset(sessionId: string, signal?: AbortSignal): Promise<number> {
    checkSession(sessionId);
    const res = await this.http.request({
      method: "GET",
      path: `/${sessionId}`,
      schema: offsetResponse,
      authScheme: "OAuth",
      idempotent: true,
      ...(signal && { signal }),
    });
    const offset = Number(res.file_offset);
    if (!Number.isInteger(offset) || offset < 0)
      throw new ValidationError(`uploads: Meta reported an unusable file_offset ${String(res.file_offset)}`);
    return offset;
  }

  async #send(
    sessionId: string,
    bytes: Uint8Array,
    from: number,
    options: Pick<ResumableUploadOptions, "maxResumes" | "signal">,
  ): Promise<UploadedFile> {
    const maxResumes = options.maxResumes ?? 3;
    let offset = from;
    for (let resumes = 0; ; resumes++) {
      if (offset > bytes.byteLength)
        throw new ValidationError(
          `uploads: Meta has ${offset} bytes of session ${sessionId}, the file has ${bytes.byteLength}: not the same file`,
        );
      try {
        options.signal?.throwIfAborted();
        const res = await this.http.request({
          method: "POST",
          path: `/${sessionId}`,
          headers: { file_offset: String(offset) },
          bytes: bytes.subarray(offset),
          schema: handleResponse,
          authScheme: "OAuth",
          ...(options.signal && { signal: options.signal }),
        });
        return { handle: res.h, sessionId };
      } catch (error) {
        // Cut off on the way: whatever arrived stays with Meta; ask how much and send the rest.
        if (!isTransportError(error) || error.outcome !== "unknown" || resumes >= maxResumes)
          throw withSession(error, sessionId);
        try {
          offset = await this.offset(sessionId, options.signal);
        } catch (asked) {
          throw withSession(asked, sessionId);
        }
      }
    }
  }
}

/**
 * The error of an upload that stopped midway, carrying `sessionId`: the session to finish with
 * `resume(sessionId, file)` (the bytes Meta has are kept there).
 */
function withSession(error: unknown, sessionId: string): unknown {
  if (error !== null && typeof error === "object" && !("sessionId" in error))
    Object.defineProperty(error, "sessionId", { value: sessionId, enumerable: true, configurable: true });
  return error;
}

function maxResumesProblem(maxResumes: unknown): string | undefined {
  if (
    maxResumes === undefined ||
    (typeof maxResumes === "number" && Number.isInteger(maxResumes) && maxResumes >= 0)
  )
    return undefined;
  return `maxResumes must be a whole number ≥ 0, got ${String(maxResumes)}`;
}

function checkOptions(options: ResumableUploadOptions, bytes: Uint8Array, fileName: string): void {
  const problems: string[] = [];
  const badResumes = maxResumesProblem(options.maxResumes);
  if (badResumes) problems.push(badResumes);
  if (typeof options.appId !== "string" || !/^\d+$/.test(options.appId))
    problems.push(`appId must be the Meta app's id (digits), got ${JSON.stringify(options.appId)}`);
  if (!FILE_TYPES.has(options.type))
    problems.push(`type must be one of ${[...FILE_TYPES].join(", ")}, got ${JSON.stringify(options.type)}`);
  if (bytes.byteLength === 0) problems.push("the file is empty");
  if (typeof fileName !== "string" || fileName === "") problems.push("fileName must not be empty");
  if (problems.length > 0)
    throw new ValidationError(
      `uploads: ${problems.join("; ")}`,
      problems.map((message) => ({ path: [], message, code: "invalid_upload" })),
    );
}

function checkSession(sessionId: string): void {
  // Meta's session ids carry their own query (`upload:<id>?sig=<signature>`): kept as given.
  if (typeof sessionId !== "string" || !/^upload:[^/#\s\\]+$/.test(sessionId))
    throw new ValidationError(`uploads: not an upload session id: ${JSON.stringify(sessionId)}`);
}

async function toBytes(file: Uint8Array | Blob): Promise<Uint8Array> {
  if (file instanceof Uint8Array) return file;
  if (typeof Blob !== "undefined" && file instanceof Blob) return new Uint8Array(await file.arrayBuffer());
  throw new ValidationError("uploads: the file must be a Uint8Array (a Buffer) or a Blob");
}
