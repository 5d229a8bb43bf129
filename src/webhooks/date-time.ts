/**
 * Date-times in webhooks. Meta's reference writes instants as Unix seconds; integrators report
 * date-times such as `"2026-04-19T13:59:20+0000"` in some fields. Both are read, strictly: a
 * date that does not exist, an offset no zone has (beyond ±14:00, or 60 minutes and more) or a
 * year before 2000 (a "zero" date such as `0001-01-01`) is not a date-time.
 */

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

export interface DateTime {
  /** The instant written (ms), the start of the day for a date alone. */
  ms: number;
  /** Whether it names its offset (`Z`, `+0000`, `-05:00`); without one it could be any zone. */
  zoned: boolean;
  /** A date without a time of day. */
  dateOnly: boolean;
  /** Whether the seconds had a fraction finer than a millisecond (rounded down in `ms`). */
  finer: boolean;
}

/** A date-time as written, or undefined when it is not one (see the module comment). */
export function parseDateTime(text: string): DateTime | undefined {
  const m = DATE_TIME.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zone] = m;
  const year = Number(y);
  if (year < 2000) return undefined;
  const parts = [year, Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0)] as const;
  if (parts[3] > 23 || parts[4] > 59 || parts[5] > 59) return undefined;
  let ms = Date.UTC(...parts);
  // Date.UTC rolls 2026-02-30 over to March: a date that does not exist is not read.
  const back = new Date(ms);
  if (back.getUTCMonth() !== parts[1] || back.getUTCDate() !== parts[2]) return undefined;
  let finer = false;
  if (fraction !== undefined) {
    const digits = fraction.slice(1);
    ms += Number(digits.slice(0, 3).padEnd(3, "0"));
    finer = /[1-9]/.test(digits.slice(3));
  }
  if (zone !== undefined && zone.toUpperCase() !== "Z") {
    const digits = zone.slice(1).replace(":", "");
    const hours = Number(digits.slice(0, 2));
    const minutes = Number(digits.slice(2) || 0);
    if (hours > 14 || minutes > 59 || (hours === 14 && minutes > 0)) return undefined;
    ms -= (zone[0] === "-" ? -1 : 1) * (hours * 60 + minutes) * 60_000;
  }
  return { ms, zoned: zone !== undefined, dateOnly: h === undefined, finer };
}

/** An instant: Unix seconds (a number or digits), or a date-time that names its offset. */
export function instantMs(value: unknown): number | undefined {
  // Seconds with a fraction (`1767225604.123456`) are read to the whole millisecond: the stores
  // keep whole milliseconds. Beyond what a Date can hold is unreadable.
  if (typeof value === "number") return fromSeconds(value);
  if (typeof value !== "string") return undefined;
  if (/^\d+(?:\.\d+)?$/.test(value)) return fromSeconds(Number(value));
  const t = parseDateTime(value);
  return t?.zoned && !t.dateOnly ? t.ms : undefined;
}

const MAX_SECONDS = 8.64e12; // the last second a Date holds

function fromSeconds(seconds: number): number | undefined {
  return Number.isFinite(seconds) && seconds >= 0 && seconds <= MAX_SECONDS
    ? Math.floor(seconds * 1000)
    : undefined;
}

/** Whether `value` is an instant `instantMs` reads (the shape check of timestamps). */
export const isInstant = (value: unknown): boolean => instantMs(value) !== undefined;

const HOUR = 60 * 60 * 1000;

/**
 * The end of something Meta time-limits (a restriction's `expiration`), in ms; undefined when it
 * cannot be read. Read as late as what is written allows, so a restriction never ends early: a
 * fraction of a millisecond rounds up, a date alone is the end of that day, and a date-time
 * without an offset is its latest instant in any zone (UTC−12).
 */
export function endMs(value: unknown): number | undefined {
  if (typeof value === "number" || (typeof value === "string" && /^\d+$/.test(value.trim()))) {
    const ms = instantMs(typeof value === "string" ? value.trim() : value);
    // instantMs reads to the whole millisecond below; an end rounds up.
    return ms === undefined ? undefined : ms + (Number(value) * 1000 > ms ? 1 : 0);
  }
  if (typeof value !== "string") return undefined;
  const t = parseDateTime(value);
  if (!t) return undefined;
  let ms = t.ms + (t.finer ? 1 : 0);
  if (t.dateOnly) ms += 24 * HOUR;
  if (!t.zoned) ms += 12 * HOUR;
  return ms;
}
