// The server the HTTP clients are measured against: as little work per request as Node allows,
// so the clients, not the server, are what differs between rows. Prints its port, then serves
// until killed.
import { createServer } from "node:http";

const body = Buffer.from("hello pipebench\n");
const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { "content-type": "text/plain", "content-length": body.length });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (address !== null && typeof address === "object") process.stdout.write(`${address.port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
