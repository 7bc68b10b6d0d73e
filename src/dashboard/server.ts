// The live view's HTTP server, on 127.0.0.1 only (a load test's numbers and target names are
// nobody else's business, and nothing here asks for a password):
//   GET /             the page (one self-contained HTML document)
//   GET /events       Server-Sent Events: the history so far (or what follows Last-Event-ID), then
//                     each event as it happens
//   GET /events.json  the history so far, as one JSON array (scripts, tests)
// It never keeps the process alive on its own: `close` ends every stream and connection. Requests
// must name it by that address (or localhost) in their Host header.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { UsageError } from "../errors.js";
import type { DashboardFeed, FeedEntry } from "./events.js";
import { renderDashboardPage } from "./page.js";

export const DASHBOARD_HOST = "127.0.0.1";
/** A comment line this often keeps idle streams open through proxies and browser timeouts. */
const HEARTBEAT_MS = 15_000;
/** How long a browser waits before reconnecting a dropped stream. */
const RETRY_MS = 2_000;

export interface DashboardOptions {
  /** 0 or absent: a free port. */
  port?: number;
}

export interface DashboardServer {
  readonly url: string;
  readonly port: number;
  /** Ends every event stream and closes the server. Safe to call twice. */
  close(): Promise<void>;
}

function sseFrame(entry: FeedEntry): string {
  return `id: ${entry.id}\nevent: ${entry.type}\ndata: ${entry.json}\n\n`;
}

export async function startDashboard(feed: DashboardFeed, options: DashboardOptions = {}): Promise<DashboardServer> {
  const page = renderDashboardPage();
  const streams = new Set<ServerResponse>();

  const serveEvents = (req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    // A browser that reconnects says what it has seen; it gets the rest, not everything twice.
    const last = Number(req.headers["last-event-id"] ?? 0);
    const afterId = Number.isInteger(last) && last > 0 ? last : 0;
    res.write(`retry: ${RETRY_MS}\n\n`);
    for (const entry of feed.history(afterId)) res.write(sseFrame(entry));
    if (feed.isEnded) {
      res.end();
      return;
    }
    streams.add(res);
    const unsubscribe = feed.subscribe((entry) => {
      res.write(sseFrame(entry));
      if (entry.type === "run-end") res.end();
    });
    res.on("close", () => {
      unsubscribe();
      streams.delete(res);
    });
  };

  let port = 0;
  const server = createServer((req, res) => {
    // A page elsewhere that rebinds its own name to 127.0.0.1 would otherwise read the run.
    const host = req.headers.host ?? "";
    if (host !== `${DASHBOARD_HOST}:${port}` && host !== `localhost:${port}`) {
      res.writeHead(403, { "content-type": "text/plain; charset=utf-8" }).end("open the address pipebench printed\n");
      return;
    }
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/" || path === "/index.html") {
      res.writeHead(200, {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        // The page needs nothing from anywhere: say so, and let the browser enforce it.
        "content-security-policy":
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:",
      });
      res.end(req.method === "HEAD" ? undefined : page);
    } else if (path === "/events") {
      serveEvents(req, res);
    } else if (path === "/events.json") {
      res.writeHead(200, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
      res.end(`[${feed.history().map((e) => e.json).join(",")}]`);
    } else {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
    }
  });

  const heartbeat = setInterval(() => {
    for (const res of streams) res.write(": keep-alive\n\n");
  }, HEARTBEAT_MS);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      clearInterval(heartbeat);
      const port = options.port ?? 0;
      if (error.code === "EADDRINUSE") {
        reject(new UsageError(`--dashboard: port ${port} on ${DASHBOARD_HOST} is already in use`, {
          hint: "pick another port (--dashboard=8090), or give none (--dashboard) to take a free one",
        }));
      } else if (error.code === "EACCES") {
        reject(new UsageError(`--dashboard: not allowed to listen on port ${port}`, {
          hint: "ports below 1024 need privileges: pick a higher one, or give none to take a free one",
        }));
      } else reject(error);
    };
    server.once("error", onError);
    server.listen(options.port ?? 0, DASHBOARD_HOST, () => {
      server.off("error", onError);
      resolve();
    });
  });

  port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${DASHBOARD_HOST}:${port}/`,
    port,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(heartbeat);
        for (const res of streams) res.end();
        streams.clear();
        server.close(() => resolve());
        // Keep-alive sockets of page loads would otherwise hold the server open.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
