/** A client on the fake with every guard but content relaxed: what the content guard lets through reaches the fake. */
import {
  type ClientOptions,
  isPolicyViolation,
  isValidationError,
  type OutboundMessage,
  WhatsAppClient,
} from "../../../src/index.js";
import { FakeClock, FakeCloudApi, fakeTransport } from "../../../src/testing/index.js";

export const U = "+14165550001";

export async function contentWorld(content: object = {}, extra: ClientOptions = {}) {
  const clock = new FakeClock();
  const fake = new FakeCloudApi({ clock });
  const wa = new WhatsAppClient({
    accessToken: fake.accessToken,
    phoneNumberId: fake.phoneNumberId,
    clock,
    transport: fakeTransport(fake),
    policy: { disable: ["template", "consent", "frequency", "pair-rate"], content },
    ...extra,
  });
  fake.messaging.receiveMessage(U);
  await wa.sessions.recordInbound(U);
  const sent = () => fake.messaging.sentTo(U).length;
  const outcome = async (m: OutboundMessage) => {
    const e = await wa.messages.send(m).catch((x: unknown) => x);
    if (isPolicyViolation(e)) return e.rule === "content" ? "refused" : `refused by ${e.rule}`;
    if (isValidationError(e)) return "invalid";
    if (e instanceof Error) return `error: ${e.name}: ${e.message}`;
    return "sent";
  };
  return { wa, fake, clock, sent, outcome };
}

export const CARD = "4111 1111 1111 1111";
