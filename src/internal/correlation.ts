/**
 * Correlation ids: the `biz_opaque_callback_data` of a send, echoed back in its status webhooks.
 * A plain send gets `wag_<process>_<n>`; a campaign send names its campaign and recipient so the
 * webhook handler can settle a checkpoint entry whose outcome was unknown.
 */

let prefix: string | undefined;
let counter = 0;
/**
 * A correlation id, unique across processes: a prefix chosen once per process, then a counter.
 * Short, so it leaves room in the 512-character field.
 *
 * The prefix is the process id, 48 random bits from `Math.random()` (which V8 seeds from the
 * operating system's entropy in each process) and the low bits of the monotonic clock at the
 * first send: two processes alive on one host differ by their id, two hosts by the rest, even
 * where a test replaced `Math.random`. It need not be secret, only distinct: the id comes back
 * in a signed webhook. Not `node:crypto`: loading it made the first send of a fresh process ~3.5 ms
 * slower (docs/performance.md, "Where a cold start goes").
 */
export function newCorrelationId(): string {
  if (prefix === undefined) {
    const random = Math.floor(Math.random() * 2 ** 48);
    const clock = Number(process.hrtime.bigint() % 2_176_782_336n); // 36 ** 6
    prefix = `${process.pid.toString(36)}${random.toString(36).padStart(10, "0")}${clock.toString(36).padStart(6, "0")}`;
  }
  counter++;
  return `wag_${prefix}_${counter.toString(36)}`;
}

const CAMPAIGN_PREFIX = "wagc/";

/**
 * The `biz_opaque_callback_data` of a campaign send: it names the campaign and the recipient, so
 * the status webhook of a send whose outcome was unknown settles its checkpoint entry.
 * Campaign ids and recipient keys never contain `/`.
 */
export function campaignCorrelationId(campaign: string, key: string): string {
  return `${CAMPAIGN_PREFIX}${campaign}/${key}/${newCorrelationId()}`;
}

/** The campaign and recipient a correlation id names, when a campaign send made it. */
export function campaignOf(correlationId: string): { campaign: string; key: string } | undefined {
  if (!correlationId.startsWith(CAMPAIGN_PREFIX)) return undefined;
  const [campaign, key, rest, extra] = correlationId.slice(CAMPAIGN_PREFIX.length).split("/");
  return campaign && key && rest && extra === undefined ? { campaign, key } : undefined;
}
