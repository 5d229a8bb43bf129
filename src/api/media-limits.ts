/**
 * Meta's media limits per MIME type (Cloud API media page, fact sheet §11). The client checks
 * them before an upload; the fake refuses what breaks them, as Meta does.
 */

const KB = 1024;
const MB = 1024 * 1024;

/** What Meta accepts for one MIME type. */
export interface MediaLimit {
  /** The message type the file can be sent as. */
  kind: "image" | "audio" | "video" | "document" | "sticker";
  /** Largest file, in bytes. For stickers: a static one (animated: {@link animatedMaxBytes}). */
  maxBytes: number;
  /** Stickers only: the largest animated WebP. */
  animatedMaxBytes?: number;
}

const limit = (kind: MediaLimit["kind"], maxBytes: number): MediaLimit => ({ kind, maxBytes });

/**
 * Every MIME type Meta accepts, with its largest size: images (JPEG, PNG) 5 MB; audio (AAC, AMR,
 * MP3, M4A, OGG/Opus) and video (MP4, 3GPP; H.264 + AAC) 16 MB; documents (text, PDF, Word, Excel,
 * PowerPoint) 100 MB; stickers (WebP) 100 KB static, 500 KB animated. MB here is 1024 × 1024 bytes.
 */
export const MEDIA_LIMITS: Readonly<Record<string, MediaLimit>> = {
  "image/jpeg": limit("image", 5 * MB),
  "image/png": limit("image", 5 * MB),
  "audio/aac": limit("audio", 16 * MB),
  "audio/amr": limit("audio", 16 * MB),
  "audio/mpeg": limit("audio", 16 * MB),
  "audio/mp4": limit("audio", 16 * MB),
  "audio/ogg": limit("audio", 16 * MB),
  "video/mp4": limit("video", 16 * MB),
  "video/3gpp": limit("video", 16 * MB),
  "text/plain": limit("document", 100 * MB),
  "application/pdf": limit("document", 100 * MB),
  "application/msword": limit("document", 100 * MB),
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": limit("document", 100 * MB),
  "application/vnd.ms-excel": limit("document", 100 * MB),
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": limit("document", 100 * MB),
  "application/vnd.ms-powerpoint": limit("document", 100 * MB),
  "application/vnd.openxmlformats-officedocument.presentationml.presentation": limit("document", 100 * MB),
  "image/webp": { kind: "sticker", maxBytes: 100 * KB, animatedMaxBytes: 500 * KB },
};

/** How many leading bytes {@link mediaProblem} reads (enough for a WebP's VP8X flags). */
export const MEDIA_HEAD_BYTES = 32;

/**
 * Whether a WebP is animated: a `VP8X` chunk with the animation flag. Anything unreadable counts
 * as static, the stricter limit.
 */
function animatedWebp(head: Uint8Array): boolean {
  const tag = (at: number) => String.fromCharCode(...head.subarray(at, at + 4));
  return head.length > 20 && tag(0) === "RIFF" && tag(8) === "WEBP" && tag(12) === "VP8X"
    ? ((head[20] as number) & 0x02) !== 0
    : false;
}

/** A readable size: `5 MB`, `100 KB`, or bytes. */
export function formatBytes(bytes: number): string {
  if (bytes % MB === 0) return `${bytes / MB} MB`;
  if (bytes % KB === 0) return `${bytes / KB} KB`;
  return `${bytes} bytes`;
}

export interface MediaProblem {
  reason: "unsupported_type" | "too_big";
  /** One sentence naming the type, and for sizes the size and the limit. */
  message: string;
  /** The limit broken, in bytes (too_big). */
  maxBytes?: number;
}

/**
 * Why Meta would refuse this file, or undefined. `head` is the file's first bytes (at least
 * {@link MEDIA_HEAD_BYTES}), used to tell an animated sticker from a static one.
 */
export function mediaProblem(mimeType: string, size: number, head?: Uint8Array): MediaProblem | undefined {
  const type = mimeType.toLowerCase();
  const rule = Object.hasOwn(MEDIA_LIMITS, type) ? MEDIA_LIMITS[type] : undefined;
  if (!rule) {
    return {
      reason: "unsupported_type",
      message: `${mimeType} is not a media type WhatsApp accepts; accepted: ${Object.keys(MEDIA_LIMITS).join(", ")}`,
    };
  }
  const animated = rule.animatedMaxBytes !== undefined && head !== undefined && animatedWebp(head);
  const max = animated ? (rule.animatedMaxBytes as number) : rule.maxBytes;
  if (size <= max) return undefined;
  const what = rule.kind === "sticker" ? `${animated ? "an animated" : "a static"} sticker` : rule.kind;
  return {
    reason: "too_big",
    maxBytes: max,
    message: `${mimeType} file is ${size} bytes; WhatsApp accepts at most ${max} bytes (${formatBytes(max)}) for ${what}`,
  };
}
