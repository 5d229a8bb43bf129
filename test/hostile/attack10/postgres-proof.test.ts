/**
 * attack10 — the STOP's proof (Meta's message id, now stored with every inbound consent event)
 * does not survive PostgreSQL. (1) An id with a NUL character: PostgreSQL's `text` refuses it
 * (`invalid byte sequence for encoding "UTF8": 0x00`), the append fails as a
 * `StoreUnavailableError`, every delivery answers 500 and the STOP is never recorded — the
 * marketing template reaches Meta. Before the message id was the proof, the same STOP was
 * recorded. `processInbound({ messageId })` with such an id throws `StoreUnavailableError` (the
 * store is up; the input is bad), not `ValidationError`. (2) An id with a lone UTF-16 surrogate is
 * stored as U+FFFD, so the proof read back is not the id: `appendOnce` no longer recognises the
 * message, and a START without a timestamp redelivered after the de-duplication window lifts the
 * STOP the user sent after it (the replay attack9 closed, reopened on PostgreSQL; memory and Redis,
 * which stores JSON, hold). Storing the proof in a form every store round-trips (or checking the
 * id at the door) would hold.
 *
 * Fixed: see README.md, "Status".
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, postgresConsentStore } from "../../../src/postgres/index.js";
import { POSTGRES_URL, whenPostgres } from "../../contracts/services.js";
import { onSecond, textAt } from "../attack9/helpers.js";
import { DAY, sec, USER, world } from "../world.js";
import { deliver, inbound } from "./helpers.js";

const withPostgres = await whenPostgres("attack10 postgres-proof");
const schema = `attack10_proof_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
beforeAll(async () => {
  if (withPostgres === describe) await migrate(pool, { schema });
});
afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await pool.end();
});

withPostgres("PostgreSQL consent store", () => {
  it("a STOP whose message id holds a NUL is recorded", async () => {
    const w = world();
    const wa = w.client({ stores: { consent: postgresConsentStore(pool, { schema }) } });
    const to = "+14165550101";
    await wa.consent.grant(to, { scope: "marketing", source: "form" });
    w.clock.advance(5_000);
    const stop = inbound(
      w,
      {
        id: "wamid.a10\u0000nul",
        timestamp: String(sec(w.clock.now())),
        type: "text",
        text: { body: "STOP" },
      },
      to.slice(1),
    );
    for (let i = 0; i < 3; i++) await deliver(w, wa, stop); // today: 500 each time
    expect(await w.outcome(w.promo(wa, 1, to))).toBe("consent"); // today: "sent"
  });

  it("processInbound with such a messageId records the STOP or answers ValidationError", async () => {
    const w = world();
    const wa = w.client({ stores: { consent: postgresConsentStore(pool, { schema }) } });
    const outcome = await wa.consent
      .processInbound({ from: "+14165550102", text: "STOP", messageId: "wamid.\u0000" })
      .catch((error: Error) => error.name);
    expect(["opt-out", "ValidationError"]).toContain(outcome); // today: "StoreUnavailableError"
  });

  it("a START whose id holds a lone surrogate, replayed late, lifts no newer STOP", async () => {
    const w = onSecond(world());
    const wa = w.client({ stores: { consent: postgresConsentStore(pool, { schema }) } });
    await wa.consent.grant(USER, { scope: "marketing", source: "form" });
    w.clock.advance(1_000);
    const start = textAt(w, `wamid.a10-\ud800-${schema}`, undefined, "START");
    await deliver(w, wa, start);
    w.clock.advance(DAY);
    await deliver(w, wa, w.stop(`wamid.a10-stop-${schema}`, w.clock.now()));
    expect(await w.outcome(w.promo(wa, 1))).toBe("consent");
    w.clock.advance(8 * DAY);
    expect((await deliver(w, wa, start)).status).toBe(200);
    expect(await w.outcome(w.promo(wa, 2))).toBe("consent"); // today: "sent"
  });

  it("control: the same replay with a plain id lifts nothing", async () => {
    const w = onSecond(world());
    const wa = w.client({ stores: { consent: postgresConsentStore(pool, { schema }) } });
    const to = "+14165550103";
    await wa.consent.grant(to, { scope: "marketing", source: "form" });
    w.clock.advance(1_000);
    const start = inbound(
      w,
      { id: `wamid.a10-plain-${schema}`, type: "text", text: { body: "START" } },
      to.slice(1),
    );
    await deliver(w, wa, start);
    w.clock.advance(DAY);
    await deliver(
      w,
      wa,
      inbound(
        w,
        {
          id: `wamid.a10-plain-stop-${schema}`,
          timestamp: String(sec(w.clock.now())),
          type: "text",
          text: { body: "STOP" },
        },
        to.slice(1),
      ),
    );
    w.clock.advance(8 * DAY);
    await deliver(w, wa, start);
    expect(await w.outcome(w.promo(wa, 2, to))).toBe("consent");
  });
});
