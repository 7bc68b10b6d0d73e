// A TCP port on 127.0.0.1 that was free a moment ago: the kernel picks it, we release it for a
// server pipebench starts (an embedded PostgreSQL, a service under test). Another process could
// take it in between; the callers retry or fail with a clear message.
import { createServer } from "node:net";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
