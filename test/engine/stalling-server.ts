// A real HTTP server on 127.0.0.1 that answers at once, except that it stalls exactly once: when
// request number `stallAtRequest` arrives it stops answering for `stallMs`, as a server in a long GC
// pause or a failover would, and then answers everything it held.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Pool } from "undici";
import type { Operation } from "../../src/drivers/driver.js";

export interface StallingServer {
  readonly url: string;
  /** Requests answered so far. */
  readonly answered: number;
  /** Re-arms the single stall, optionally at another request number (for a second run). */
  rearm(stallAtRequest?: number): void;
  close(): Promise<void>;
}

export async function startStallingServer(options: {
  stallAtRequest: number;
  stallMs: number;
}): Promise<StallingServer> {
  let received = 0;
  let answered = 0;
  let stallAt = options.stallAtRequest;
  let stallUntil = 0;
  let stalled = false;
  const server: Server = createServer((req, res) => {
    received++;
    if (!stalled && received === stallAt) {
      stalled = true;
      stallUntil = performance.now() + options.stallMs;
    }
    const answer = (): void => {
      answered++;
      res.writeHead(200, { "content-type": "text/plain", "content-length": "2" }).end("ok");
    };
    const wait = stallUntil - performance.now();
    req.resume();
    if (wait > 0) setTimeout(answer, wait);
    else answer();
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get answered() {
      return answered;
    },
    rearm(stallAtRequest = options.stallAtRequest) {
      stallAt = stallAtRequest;
      received = 0;
      stalled = false;
      stallUntil = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A GET / through an undici Pool: what an HTTP driver's operation does, minus configuration. */
export function httpGet(pool: Pool): Operation {
  return async (ctx) => {
    const { statusCode, body } = await pool.request({ path: "/", method: "GET", signal: ctx.signal });
    const text = await body.text();
    if (statusCode !== 200) throw new Error(`HTTP ${statusCode}`);
    return { bytes: text.length };
  };
}

export { Pool };
