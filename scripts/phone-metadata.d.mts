// Types for scripts/phone-metadata.mjs (read by tsup.config.ts and a test).
export interface PhoneMetadata {
  version: number;
  country_calling_codes: Record<string, string[]>;
  countries: Record<string, unknown[]>;
  nonGeographic?: Record<string, unknown[]>;
}
export function withoutFormats<M extends PhoneMetadata>(metadata: M): M;
export const slimPhoneMetadata: { name: string; setup(build: unknown): void };
