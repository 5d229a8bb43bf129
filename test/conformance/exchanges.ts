/**
 * Recorded exchanges with Meta's Cloud API, paired with the request that produced them (as Meta's
 * page shows it) and the fake state the scenario needs. The responses are the fixtures in
 * test/fixtures/cloud-api/ (README.md there names each source page). Meta's pages do not show
 * HTTP statuses for their examples, so only success (2xx) versus error (≥ 400) is compared.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FakeCloudApi } from "../../src/testing/index.js";

export const FIXTURES = join(import.meta.dirname, "../fixtures/cloud-api");

export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, name), "utf8"));
}

export const USER = "+14165551234";
export const OTHER = "+16045559876";
export const BSUID = "US.13491208655302741918";

export interface ExchangeRequest {
  method: "GET" | "POST" | "DELETE";
  /** After `/v23.0`; `{phone}`, `{waba}`, `{template}` and `{media}` are filled in. */
  path: string;
  json?: unknown;
  /** Multipart fields (a media upload). */
  form?: Record<string, string | Blob>;
}

export interface Exchange {
  /** The recorded response (a fixture file). */
  fixture: string;
  /** What the recording shows. */
  title: string;
  /** The fake's state before the request; returns ids the path needs. */
  setup?: (
    fake: FakeCloudApi,
  ) => Promise<Record<string, string> | undefined> | Record<string, string> | undefined;
  request: ExchangeRequest;
  /**
   * Success (2xx) or an error (≥ 400). `"either"` where Meta's page shows the body but not how it
   * is sent: the fake's HTTP status is then not judged.
   */
  ok: boolean | "either";
}

/** A valid JPEG: the fake checks the magic bytes of what it is told is a JPEG. */
const jpeg = () =>
  new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46])], {
    type: "image/jpeg",
  });

/** The recorded template list, seeded into the fake as it is (same components, same formats). */
function seedRecordedTemplates(fake: FakeCloudApi) {
  const list = fixture("templates_list_full_fields.json") as {
    data: Array<{
      name: string;
      language: string;
      category: string;
      status: string;
      parameter_format: string;
      components: never;
    }>;
  };
  for (const t of list.data) {
    fake.templates.add({
      name: t.name,
      language: t.language,
      category: t.category as "MARKETING",
      status: t.status,
      parameterFormat: t.parameter_format as "NAMED",
      components: t.components,
    });
  }
}

const promo = (fake: FakeCloudApi) =>
  fake.templates.add({
    name: "summer_sale",
    language: "en_US",
    category: "MARKETING",
    components: [
      { type: "FOOTER", text: "Reply STOP to opt out" },
      { type: "BODY", text: "Summer sale" },
    ],
    qualityScore: "GREEN",
  });

export const EXCHANGES: Exchange[] = [
  {
    fixture: "send_message_response_phone.json",
    title: "a free-form text inside the customer service window",
    setup: (fake) => {
      fake.messaging.receiveMessage(USER, { text: "hi" });
      return undefined;
    },
    request: {
      method: "POST",
      path: "{phone}/messages",
      json: {
        messaging_product: "whatsapp",
        recipient_type: "individual",
        to: USER,
        type: "text",
        text: { body: "Hello" },
      },
    },
    ok: true,
  },
  {
    fixture: "send_message_response_bsuid.json",
    title: "a message to a business-scoped user id",
    setup: (fake) => {
      fake.blocklist.linkUser(USER, BSUID);
      fake.messaging.receiveMessage(BSUID, { text: "hi" });
      return undefined;
    },
    request: {
      method: "POST",
      path: "{phone}/messages",
      json: { messaging_product: "whatsapp", recipient: BSUID, type: "text", text: { body: "Hello" } },
    },
    ok: true,
  },
  {
    fixture: "send_template_response_with_message_status_accepted.json",
    title: "a template send (message_status accepted)",
    setup: (fake) => {
      promo(fake);
      return undefined;
    },
    request: {
      method: "POST",
      path: "{phone}/messages",
      json: {
        messaging_product: "whatsapp",
        to: USER,
        type: "template",
        template: { name: "summer_sale", language: { code: "en_US" } },
      },
    },
    ok: true,
  },
  {
    fixture: "error_130429_rate_limit_hit.json",
    title: "the throughput limit (130429)",
    setup: (fake) => {
      fake.messaging.receiveMessage(USER, { text: "hi" });
      fake.failNext(1, 130429);
      return undefined;
    },
    request: {
      method: "POST",
      path: "{phone}/messages",
      json: { messaging_product: "whatsapp", to: USER, type: "text", text: { body: "Hello" } },
    },
    ok: false,
  },
  {
    fixture: "error_100_invalid_parameter_mm_api.json",
    title: "an invalid parameter (100)",
    setup: (fake) => {
      fake.failNext(1, { code: 100, details: "Message must be a template message." });
      return undefined;
    },
    request: {
      method: "POST",
      path: "{phone}/messages",
      json: { messaging_product: "whatsapp", to: USER, type: "text", text: { body: "Hello" } },
    },
    ok: false,
  },
  {
    fixture: "error_139102_blocklist_concurrent_update.json",
    title: "the block list changed while it was paged (139102)",
    setup: (fake) => {
      fake.failNext(1, 139102, { operation: "block_users" });
      return undefined;
    },
    request: { method: "GET", path: "{phone}/block_users" },
    ok: false,
  },
  {
    fixture: "block_users_post_all_blocked.json",
    title: "blocking two users who wrote in",
    setup: (fake) => {
      fake.messaging.receiveMessage(USER, { text: "hi" });
      fake.messaging.receiveMessage(OTHER, { text: "hi" });
      return undefined;
    },
    request: {
      method: "POST",
      path: "{phone}/block_users",
      json: { messaging_product: "whatsapp", block_users: [{ user: USER }, { user: OTHER }] },
    },
    ok: true,
  },
  {
    fixture: "block_users_post_partial_failure_139100.json",
    title: "blocking a user who has not written in 24 hours (partial failure, 139100)",
    setup: (fake) => {
      fake.messaging.receiveMessage(USER, { text: "hi" });
      return undefined;
    },
    request: {
      method: "POST",
      path: "{phone}/block_users",
      json: { messaging_product: "whatsapp", block_users: [{ user: USER }, { user: OTHER }] },
    },
    // A body with both `block_users` and `error`; the page does not say its HTTP status (the fake
    // answers 200, and wa-guard reads the body either way).
    ok: "either",
  },
  {
    fixture: "block_users_delete_all_unblocked.json",
    title: "unblocking two users",
    setup: async (fake) => {
      fake.messaging.receiveMessage(USER, { text: "hi" });
      fake.messaging.receiveMessage(OTHER, { text: "hi" });
      await fake.handle(
        request(
          fake,
          {},
          {
            method: "POST",
            path: "{phone}/block_users",
            json: { messaging_product: "whatsapp", block_users: [{ user: USER }, { user: OTHER }] },
          },
        ),
      );
      return undefined;
    },
    request: {
      method: "DELETE",
      path: "{phone}/block_users",
      json: { messaging_product: "whatsapp", block_users: [{ user: USER }, { user: OTHER }] },
    },
    ok: true,
  },
  {
    fixture: "block_users_get_list.json",
    title: "the block list",
    setup: async (fake) => {
      fake.messaging.receiveMessage(USER, { text: "hi" });
      fake.messaging.receiveMessage(OTHER, { text: "hi" });
      await fake.handle(
        request(
          fake,
          {},
          {
            method: "POST",
            path: "{phone}/block_users",
            json: { messaging_product: "whatsapp", block_users: [{ user: USER }, { user: OTHER }] },
          },
        ),
      );
      return undefined;
    },
    request: { method: "GET", path: "{phone}/block_users" },
    ok: true,
  },
  {
    fixture: "templates_list_full_fields.json",
    title: "the template list with the fields Meta's page asks for",
    setup: (fake) => {
      seedRecordedTemplates(fake);
      return undefined;
    },
    request: {
      method: "GET",
      path: "{waba}/message_templates?fields=name,parameter_format,components,language,status,category,sub_category,id&limit=1",
    },
    ok: true,
  },
  {
    fixture: "template_status_field_response.json",
    title: "one template's status field",
    setup: (fake) => ({ template: promo(fake).id }),
    request: { method: "GET", path: "{template}?fields=status" },
    ok: true,
  },
  {
    fixture: "template_get_by_id_response.json",
    title: "one template, every default field",
    setup: (fake) => ({
      template: fake.templates.add({
        name: "shiptest",
        language: "en_US",
        category: "UTILITY",
        status: "REJECTED",
        components: [{ type: "BODY", text: "testing" }],
      }).id,
    }),
    request: { method: "GET", path: "{template}" },
    ok: true,
  },
  {
    fixture: "template_quality_score_response.json",
    title: "one template's quality score",
    setup: (fake) => ({ template: promo(fake).id }),
    request: { method: "GET", path: "{template}?fields=quality_score" },
    ok: true,
  },
  {
    fixture: "success_true_response.json",
    title: "marking an inbound message read",
    setup: (fake) => ({ message: fake.messaging.receiveMessage(USER, { text: "hi" }).id }),
    request: {
      method: "POST",
      path: "{phone}/messages",
      json: { messaging_product: "whatsapp", status: "read", message_id: "{message}" },
    },
    ok: true,
  },
  {
    fixture: "phone_number_metadata_response.json",
    title: "the phone number's metadata",
    request: {
      method: "GET",
      path: "{phone}?fields=verified_name,code_verification_status,display_phone_number,quality_rating,platform_type,throughput,webhook_configuration",
    },
    ok: true,
  },
  {
    fixture: "phone_number_messaging_limit_response.json",
    title: "the messaging limit",
    request: { method: "GET", path: "{phone}?fields=whatsapp_business_manager_messaging_limit" },
    ok: true,
  },
  {
    fixture: "phone_number_status_response.json",
    title: "the phone number's status",
    request: { method: "GET", path: "{phone}?fields=status" },
    ok: true,
  },
  {
    fixture: "media_upload_response.json",
    title: "a media upload",
    request: {
      method: "POST",
      path: "{phone}/media",
      form: { messaging_product: "whatsapp", type: "image/jpeg" },
    },
    ok: true,
  },
  {
    fixture: "media_retrieve_url_response.json",
    title: "a media URL (GET /<MEDIA_ID>)",
    setup: async (fake) => ({ media: await upload(fake) }),
    request: { method: "GET", path: "{media}" },
    ok: true,
  },
  {
    fixture: "success_true_response.json",
    title: "deleting media (DELETE /<MEDIA_ID>)",
    setup: async (fake) => ({ media: await upload(fake) }),
    request: { method: "DELETE", path: "{media}" },
    ok: true,
  },
];

/** Upload a small JPEG to the fake; its media id. */
async function upload(fake: FakeCloudApi): Promise<string> {
  const res = await fake.handle(
    request(
      fake,
      {},
      { method: "POST", path: "{phone}/media", form: { messaging_product: "whatsapp", type: "image/jpeg" } },
    ),
  );
  return (JSON.parse(String(res.body)) as { id: string }).id;
}

/** The path with its placeholders filled in. */
export function pathOf(fake: FakeCloudApi, ids: Record<string, string>, path: string): string {
  const values: Record<string, string> = { phone: fake.phoneNumberId, waba: fake.wabaId, ...ids };
  return `/v23.0/${path.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? `{${k}}`)}`;
}

function fill(value: unknown, ids: Record<string, string>): unknown {
  return JSON.parse(JSON.stringify(value).replace(/\{(\w+)\}/g, (m, k: string) => ids[k] ?? m));
}

/** The form of an exchange: its fields, and a JPEG as `file`. */
export function formOf(fields: Record<string, string | Blob>): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set("file", jpeg(), "photo.jpg");
  return form;
}

/** The exchange's request as the fake's in-process `handle()` takes it. */
export function request(fake: FakeCloudApi, ids: Record<string, string>, r: ExchangeRequest) {
  const headers: Record<string, string> = { authorization: `Bearer ${fake.accessToken}` };
  let body: string | FormData | undefined;
  if (r.form) body = formOf(r.form);
  else if (r.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(fill(r.json, ids));
  }
  return {
    method: r.method,
    url: `https://graph.facebook.com${pathOf(fake, ids, r.path)}`,
    headers,
    ...(body !== undefined && { body }),
    timeouts: { connectMs: 1000, headersMs: 1000, bodyMs: 1000 },
  } as Parameters<FakeCloudApi["handle"]>[0];
}

/** The exchange's request as `fetch` init, for the fake server. */
export function fetchInit(fake: FakeCloudApi, ids: Record<string, string>, r: ExchangeRequest): RequestInit {
  const headers: Record<string, string> = { authorization: `Bearer ${fake.accessToken}` };
  let body: string | FormData | undefined;
  if (r.form) body = formOf(r.form);
  else if (r.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(fill(r.json, ids));
  }
  return { method: r.method, headers, ...(body !== undefined && { body }) };
}
