/** A levelled logger; `console` fits. Without one wa-guard prints only listener failures (console.warn). */
export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

const noop = () => {};
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/** `String(value)` that never throws (a thrown `{ toString: 0 }` cannot be converted). */
export function describeError(value: unknown): string {
  try {
    return value instanceof Error ? `${value.name}: ${value.message}` : String(value);
  } catch {
    return "[an error that cannot be printed]";
  }
}
