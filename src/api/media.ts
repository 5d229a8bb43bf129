import { ValidationError } from "../errors/validation.js";
import { path } from "../internal/path.js";
import type { GraphHttp } from "./http.js";
import { requirePhoneNumberId } from "./ids.js";
import { MEDIA_HEAD_BYTES, mediaProblem } from "./media-limits.js";
import { mediaInfoResponse, mediaUploadResponse, successResponse } from "./schemas/responses.js";

/** Largest file Meta accepts (documents); type-specific limits are lower. */
export const MAX_MEDIA_BYTES = 100 * 1024 * 1024;

export interface MediaUpload {
  /** The bytes; at most the type's limit in {@link MEDIA_LIMITS} (100 MB for documents). */
  file: Blob | Uint8Array | ArrayBuffer;
  /**
   * MIME type, e.g. `image/jpeg`; one of {@link MEDIA_LIMITS}, and it must match the content or
   * sends fail with 131053.
   */
  mimeType: string;
  /** File name sent with the upload. */
  filename?: string;
}

export interface MediaInfo {
  /** The media id. */
  id: string;
  /** Download URL; expires after 5 minutes and needs the access token. */
  url: string;
  mimeType?: string;
  sha256?: string;
  fileSize?: number;
}

/** `wa.media`: upload, look up, download and delete media. */
export class Media {
  constructor(private readonly http: GraphHttp) {}

  /**
   * Upload a file; the returned id is valid for 30 days.
   * @throws ValidationError before anything is sent, when Meta does not accept the type or the
   * file is over the type's limit (image 5 MB, audio and video 16 MB, document 100 MB, sticker
   * 100 KB static / 500 KB animated).
   */
  async upload(input: MediaUpload, options: { signal?: AbortSignal } = {}): Promise<{ id: string }> {
    if (!input || typeof input.mimeType !== "string" || !/^[\w.+-]+\/[\w.+-]+$/.test(input.mimeType)) {
      throw new ValidationError('media.upload needs mimeType such as "image/jpeg"');
    }
    const blob =
      input.file instanceof Blob
        ? input.file
        : input.file instanceof Uint8Array || input.file instanceof ArrayBuffer
          ? new Blob([input.file as BlobPart], { type: input.mimeType })
          : undefined;
    if (!blob) throw new ValidationError("media.upload needs file as a Blob, Uint8Array or ArrayBuffer");
    if (blob.size === 0) throw new ValidationError("media.upload: file is empty");
    const head =
      input.mimeType.toLowerCase() === "image/webp"
        ? new Uint8Array(await blob.slice(0, MEDIA_HEAD_BYTES).arrayBuffer())
        : undefined;
    const problem = mediaProblem(input.mimeType, blob.size, head);
    if (problem) {
      const field = problem.reason === "too_big" ? "file" : "mimeType";
      throw new ValidationError(`media.upload: ${problem.message}`, [
        { path: [field], message: problem.message, code: problem.reason },
      ]);
    }
    const form = new FormData();
    form.set("messaging_product", "whatsapp");
    form.set("type", input.mimeType);
    form.set("file", blob, input.filename ?? "file");
    const res = await this.http.request({
      method: "POST",
      path: path`/${requirePhoneNumberId(this.http)}/media`,
      form,
      schema: mediaUploadResponse,
      ...(options.signal && { signal: options.signal }),
    });
    return { id: res.id };
  }

  /** Look up a media id: its short-lived download URL, type, hash and size. */
  async get(mediaId: string, options: { signal?: AbortSignal } = {}): Promise<MediaInfo> {
    const res = await this.http.request({
      method: "GET",
      path: path`/${mediaId}`,
      schema: mediaInfoResponse,
      idempotent: true,
      ...(options.signal && { signal: options.signal }),
    });
    const info: MediaInfo = { id: res.id, url: res.url };
    if (res.mime_type !== undefined) info.mimeType = res.mime_type;
    if (res.sha256 !== undefined) info.sha256 = res.sha256;
    if (res.file_size !== undefined) info.fileSize = Number(res.file_size);
    return info;
  }

  /** Download media by id (looks up a fresh URL) or by a URL from {@link get}. */
  async download(
    mediaIdOrUrl: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ data: Uint8Array; mimeType?: string }> {
    const url = /^https?:\/\//.test(mediaIdOrUrl)
      ? mediaIdOrUrl
      : (await this.get(mediaIdOrUrl, options)).url;
    if (!this.trustedMediaUrl(url)) {
      // The access token goes with the download: never hand it to a host Meta does not own.
      throw new ValidationError(
        "media.download: the URL is not on a Meta media host or the configured baseUrl; pass the media id instead",
      );
    }
    const res = await this.http.request({
      method: "GET",
      path: url,
      idempotent: true,
      ...(options.signal && { signal: options.signal }),
    });
    const out: { data: Uint8Array; mimeType?: string } = { data: res.body };
    const type = res.headers["content-type"];
    if (type !== undefined) out.mimeType = type;
    return out;
  }

  private trustedMediaUrl(url: string): boolean {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    if (parsed.origin === new URL(this.http.options.baseUrl).origin) return true;
    return (
      parsed.protocol === "https:" &&
      /(^|\.)(fbsbx\.com|facebook\.com|whatsapp\.net|fbcdn\.net)$/.test(parsed.hostname)
    );
  }

  /** Delete uploaded media. */
  async delete(mediaId: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.http.request({
      method: "DELETE",
      path: path`/${mediaId}`,
      schema: successResponse,
      idempotent: true,
      ...(options.signal && { signal: options.signal }),
    });
  }
}
