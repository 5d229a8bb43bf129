import { ConfigError } from "../errors/validation.js";
import type { GraphHttp } from "./http.js";

export function requirePhoneNumberId(http: GraphHttp): string {
  const id = http.options.phoneNumberId;
  if (id === undefined) {
    throw new ConfigError(
      "This call needs phoneNumberId: pass it to WhatsAppClient or set WHATSAPP_PHONE_NUMBER_ID",
    );
  }
  return id;
}

export function requireWabaId(http: GraphHttp): string {
  const id = http.options.wabaId;
  if (id === undefined) {
    throw new ConfigError(
      "The templates API needs wabaId: pass it to WhatsAppClient or set WHATSAPP_WABA_ID",
    );
  }
  return id;
}
