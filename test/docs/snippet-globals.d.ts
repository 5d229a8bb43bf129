// What the prose around the snippets in README.md and docs/ says is in scope without showing it:
// the client, its settings, a recipient and a text. A snippet that defines one of these names
// itself shadows it (each snippet is a module).
declare const WhatsAppClient: typeof import("wa-guard").WhatsAppClient;
type WhatsAppClient = import("wa-guard").WhatsAppClient;
/** A client built as the page shows. */
declare const wa: WhatsAppClient;
declare const accessToken: string;
declare const phoneNumberId: string;
declare const wabaId: string;
/** A recipient: a phone number in international format, or a BSUID. */
declare const to: string;
declare const body: string;

// The application's own code the snippets call (its database, its CRM, its logs).
declare function customers(): AsyncIterable<string>;
declare const db: {
  cursor(sql: string): AsyncIterable<{ to: string }>;
  markSent(to: string, messageId: string): Promise<void>;
};
declare const names: { get(to: string): Promise<string> };
declare const numbers: string[];
declare const inboundWamid: string;
declare const crm: { unsubscribe(recipient: string, scope: string, source: string): Promise<void> };
declare function log(...values: unknown[]): void;
/** An ioredis client, connected as docs/deployment.md shows. */
declare const redis: import("ioredis").Redis;
declare function deliveredAccordingToYourLogs(correlationId: string): Promise<boolean>;
