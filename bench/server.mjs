// A minimal Graph-like HTTP server for the loopback benchmark, run in its own process so it
// does not share the event loop with the clients being measured. It answers every POST with
// a send response shaped like Meta's.
import { createServer } from "node:http";

let n = 0;
const server = createServer((req, res) => {
  req.on("data", () => {});
  req.on("end", () => {
    n++;
    const body = JSON.stringify({
      messaging_product: "whatsapp",
      contacts: [{ input: "+14165551234", wa_id: "14165551234" }],
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
