import { ConfigError } from "../errors/validation.js";
import type { GraphHttp } from "./http.js";

/** The id a call needs, or a ConfigError saying how to give it. */
function required(id: string | undefined, message: string): string {
  if (id === undefined) throw new ConfigError(message);
  return id;
}

export function requirePhoneNumberId(http: GraphHttp): string {
  return required(
    http.options.phoneNumberId,
    "This call needs phoneNumberId: pass it to WhatsAppClient or set WHATSAPP_PHONE_NUMBER_ID",
  );
}

export function requireWabaId(http: GraphHttp): string {
  return required(
    http.options.wabaId,
    "The templates API needs wabaId: pass it to WhatsAppClient or set WHATSAPP_WABA_ID",
  );
}
