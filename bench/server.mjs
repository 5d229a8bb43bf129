// A minimal Graph-like HTTP server for the loopback benchmark, run in its own process so it
// does not share the event loop with the clients being measured. It answers every POST with
// a send response shaped like Meta's.
import { createServer } from "node:http";

let n = 0;
const server = createServer((req, res) => {
  let raw = "";
  req.setEncoding("utf8");
  req.on("data", (chunk) => {
    raw += chunk;
  });
  req.on("end", () => {
    n++;
    // Echo the recipient, as Meta does: a fixed contact would tell a client that every recipient
    // is one person (the identity store links `input` and `wa_id`).
    const to = /"to":"([^"]*)"/.exec(raw)?.[1] ?? "+14165551234";
    const body = JSON.stringify({
      messaging_product: "whatsapp",
      contacts: [{ input: to, wa_id: to.replace(/\D/g, "") }],
      messages: [{ id: `wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI${n}` }],
    });
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () => process.send?.({ port: server.address().port }));
process.on("message", (m) => {
  if (m === "stop") server.close(() => process.exit(0));
});
