import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as schemas from "../../src/api/schemas/responses.js";
import {
  BlockListError,
  InvalidRequestError,
  RateLimitError,
  RecipientError,
  type Transport,
  WhatsAppClient,
} from "../../src/index.js";
import { check } from "../../src/internal/validate.js";

// Real payloads from Meta's documentation (see test/fixtures/cloud-api/README.md).
const DIR = join(import.meta.dirname, "../fixtures/cloud-api");
const load = (name: string): unknown => JSON.parse(readFileSync(join(DIR, name), "utf8"));

/** A client whose transport answers every request with one fixture. */
function clientAnswering(name: string, status = 200) {
  const body = readFileSync(join(DIR, name), "utf8");
  const transport: Transport = async () => ({
    status,
    headers: { "content-type": "application/json" },
    body,
  });
  return new WhatsAppClient({
    accessToken: "t",
    phoneNumberId: "106540352242922",
    wabaId: "102290129340398",
    transport,
    maxRetries: 0,
    policy: false,
  });
}

const PARSERS: Record<string, unknown> = {
  "send_message_response_phone.json": schemas.sendMessageResponse,
  "send_message_response_bsuid.json": schemas.sendMessageResponse,
  "send_template_response_with_message_status_accepted.json": schemas.sendMessageResponse,
  "success_true_response.json": schemas.successResponse,
  "block_users_post_all_blocked.json": schemas.blockUsersResponse,
  "block_users_delete_all_unblocked.json": schemas.blockUsersResponse,
  "block_users_post_partial_failure_139100.json": schemas.blockUsersResponse,
  "block_users_get_list.json": schemas.blockListResponse,
  "templates_list_full_fields.json": schemas.templateListResponse,
  "template_status_field_response.json": schemas.templateObject,
  "template_quality_score_response.json": schemas.templateObject,
  "template_get_by_id_response.json": schemas.templateObject,
  "phone_number_metadata_response.json": schemas.phoneNumberResponse,
  "phone_number_messaging_limit_response.json": schemas.phoneNumberResponse,
  "phone_number_status_response.json": schemas.phoneNumberResponse,
  "media_upload_response.json": schemas.mediaUploadResponse,
  "media_retrieve_url_response.json": schemas.mediaInfoResponse,
  "error_130429_rate_limit_hit.json": schemas.graphErrorEnvelope,
  "error_100_invalid_parameter_mm_api.json": schemas.graphErrorEnvelope,
  "error_139102_blocklist_concurrent_update.json": schemas.graphErrorEnvelope,
};

describe("Meta's payload fixtures", () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith(".json"));

  it("covers every non-webhook fixture with a parser (webhooks belong to the webhook layer)", () => {
    const unparsed = files.filter((f) => !f.startsWith("webhook_") && !(f in PARSERS));
    expect(unparsed).toEqual([]);
  });

  it.each(Object.keys(PARSERS))("%s parses, keeping unknown fields", (file) => {
    const result = check(PARSERS[file] as Parameters<typeof check>[0], load(file));
    expect(result.ok, JSON.stringify(result)).toBe(true);
    if (result.ok) expect(result.value).toEqual(load(file));
  });

  it("send responses become SendResults", async () => {
    const wa = clientAnswering("send_message_response_phone.json");
    const r = await wa.messages.sendText({ to: "+16505551234", body: "hi" });
    expect(r).toMatchObject({
      messageId: expect.stringMatching(/^wamid\./),
      input: "+16505551234",
      waId: "16505551234",
    });
    const bsuid = await clientAnswering("send_message_response_bsuid.json").messages.sendText({
      to: "US.13491208655302741918",
      body: "hi",
    });
    expect(bsuid).toMatchObject({ userId: "US.13491208655302741918" });
    expect(bsuid.waId).toBeUndefined();
    const paced = await clientAnswering(
      "send_template_response_with_message_status_accepted.json",
    ).messages.sendTemplate({ to: "+16505551234", name: "t", language: "en" });
    expect(paced.messageStatus).toBe("accepted");
  });

  it("error fixtures become typed errors", async () => {
    const send = (file: string) =>
      clientAnswering(file, 400)
        .messages.sendText({ to: "+16505551234", body: "hi" })
        .catch((e: unknown) => e);
    const rate = await send("error_130429_rate_limit_hit.json");
    expect(rate).toBeInstanceOf(RateLimitError);
    expect(rate).toMatchObject({
      graphCode: 130429,
      graphSubcode: 2494055,
      details: "Cloud API message throughput has been reached.",
      fbtraceId: "Az8or2yhqkZfEZ-_4Qn_Bam",
    });
    expect(await send("error_100_invalid_parameter_mm_api.json")).toBeInstanceOf(InvalidRequestError);
    const list = await (async () => {
      for await (const _ of clientAnswering(
        "error_139102_blocklist_concurrent_update.json",
        400,
      ).blocklist.list())
        void _;
    })().catch((e: unknown) => e);
    expect(list).toBeInstanceOf(BlockListError);
    expect(list).toMatchObject({ graphCode: 139102 });
  });

  it("block-user fixtures give one result per input, partial failure included", async () => {
    const partial = await clientAnswering("block_users_post_partial_failure_139100.json").blocklist.block([
      "+16505551234",
      "+14155559876",
    ]);
    expect(partial.results).toHaveLength(2);
    expect(partial.results[0]).toEqual({ user: "+16505551234", status: "added", waId: "16505551234" });
    expect(partial.results[1]).toMatchObject({ user: "+14155559876", status: "failed", waId: "14155559876" });
    expect(partial.results[1]!.error).toBeInstanceOf(RecipientError);
    expect(partial.results[1]!.error).toMatchObject({
      graphCode: 131047,
      details: "User has not messaged in the last 24 hours",
    });
    expect(partial.errors).toMatchObject([{ graphCode: 139100 }]);

    const all = await clientAnswering("block_users_post_all_blocked.json").blocklist.block([
      "+16505551234",
      "+14155559876",
    ]);
    expect(all.results.map((r) => r.status)).toEqual(["added", "added"]);
    expect(all.errors).toEqual([]);
    const removed = await clientAnswering("block_users_delete_all_unblocked.json").blocklist.unblock([
      "+16505551234",
      "+14155559876",
    ]);
    expect(removed.results.map((r) => r.status)).toEqual(["removed", "removed"]);
    const unreported = await clientAnswering("block_users_post_all_blocked.json").blocklist.block([
      "+19995550000",
    ]);
    expect(unreported.results).toEqual([{ user: "+19995550000", status: "unreported" }]);
    // The fixture is one page whose `after` cursor the canned transport would answer again: read it once.
    const listed = [];
    for await (const user of clientAnswering("block_users_get_list.json").blocklist.list()) {
      listed.push(user);
      if (listed.length === 2) break;
    }
    expect(listed).toEqual([{ waId: "16505551234" }, { waId: "14155559876" }]);
  });

  it("template, phone-number and media fixtures map to typed results", async () => {
    const page = await clientAnswering("templates_list_full_fields.json").templates.listPage();
    expect(page.templates.map((t) => [t.name, t.parameterFormat, t.category])).toEqual([
      ["reservation_confirmation", "NAMED", "UTILITY"],
      ["coupon_expiration_reminder_number_vars", "POSITIONAL", "MARKETING"],
    ]);
    expect(page.after).toBe("QVFIU...");
    const quality = await clientAnswering("template_quality_score_response.json").templates.get(
      "1387372356726668",
    );
    expect(quality.qualityScore).toEqual({ score: "GREEN", date: 1758754645 });
    const meta = await clientAnswering("phone_number_metadata_response.json").account.phoneNumber();
    expect(meta).toMatchObject({
      verifiedName: "Lucky Shrub",
      qualityRating: "GREEN",
      throughputLevel: "STANDARD",
      platformType: "CLOUD_API",
    });
    expect((meta.raw as Record<string, unknown>)["webhook_configuration"]).toEqual({
      application: "https://www.luckyshrub.com/webhooks",
    });
    expect(
      (await clientAnswering("phone_number_messaging_limit_response.json").account.phoneNumber())
        .messagingLimit,
    ).toBe("TIER_250");
    expect((await clientAnswering("phone_number_status_response.json").account.phoneNumber()).status).toBe(
      "CONNECTED",
    );
    expect(
      await clientAnswering("media_upload_response.json").media.upload({
        file: new Uint8Array([1]),
        mimeType: "image/png",
      }),
    ).toEqual({ id: "1037543291543636" });
  });
});
