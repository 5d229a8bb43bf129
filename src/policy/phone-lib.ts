/**
 * The two functions of libphonenumber-js the policy uses, re-exported from one module so the
 * bundler keeps only them (and the metadata) in the lazily loaded chunk: importing the library's
 * whole namespace put its number finder and as-you-type formatter (which nothing here uses) into
 * the chunk that the first send waits for.
 */
export { parsePhoneNumberFromString, validatePhoneNumberLength } from "libphonenumber-js/min";
