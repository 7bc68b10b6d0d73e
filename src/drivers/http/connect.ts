// Connecting an http target: start the service when asked to, open an undici Pool, and make one
// request so that an unreachable address fails now, with host and port, not as a wall of errors
// once the load starts.
import { Pool } from "undici";
import type { Connection, ConnectContext } from "../driver.js";
import { TargetUnreachable } from "../../errors.js";
import { prepareRequest } from "./request.js";
import type { HttpTarget, HttpWorkload } from "./schema.js";
import { startService, type StartedService } from "./service.js";

/** The reachability check must not hang on a black-holed address for the full request timeout. */
const CONNECT_TIMEOUT_MS = 10_000;
/** How long close() lets in-flight requests finish before cutting them off. */
const CLOSE_GRACE_MS = 2_000;

export async function connectHttp(target: HttpTarget, ctx: ConnectContext): Promise<Connection<HttpWorkload>> {
  const service = target.start === undefined
    ? undefined
    : await startService(target.start, ctx, target.url === undefined ? {} : { url: target.url });
  try {
    const base = new URL(target.url ?? service?.url ?? "");
    const pool = new Pool(base.origin, {
      connections: target.connections,
      pipelining: target.pipelining,
      headersTimeout: target.timeout,
      bodyTimeout: target.timeout,
      connectTimeout: Math.min(target.timeout, CONNECT_TIMEOUT_MS),
    });
    // The URL as given, or the path the started service was polled on.
    const server = await checkReachable(pool, base, target.start?.ready ?? base.pathname, ctx.name);
    return connection(pool, base, target, server, service);
  } catch (error) {
    await service?.stop();
    throw error;
  }
}

function connection(
  pool: Pool,
  base: URL,
  target: HttpTarget,
  server: string | undefined,
  service: StartedService | undefined,
): Connection<HttpWorkload> {
  const defaults = {
    basePath: base.pathname === "/" ? "" : base.pathname,
    headers: { ...target.headers },
    concurrency: target.connections * target.pipelining,
    pipelining: target.pipelining,
  };
  return {
    // Only a `Server` header says what the service is; most application servers send none.
    info: { url: target.url ?? service?.url ?? base.origin, ...(server === undefined ? {} : { version: server }) },
    async prepare(workload) {
      return prepareRequest(pool, workload, defaults);
    },
    async close() {
      const grace = new Promise<"late">((done) => setTimeout(done, CLOSE_GRACE_MS, "late").unref());
      if ((await Promise.race([pool.close().then(() => "closed" as const), grace])) === "late") {
        await pool.destroy();
      }
      await service?.stop();
    },
  };
}

/** One GET; any status will do (a 404 on "/" still proves the server is there). Returns `Server`. */
async function checkReachable(pool: Pool, base: URL, path: string, name: string): Promise<string | undefined> {
  try {
    const response = await pool.request({ method: "GET", path });
    await response.body.dump();
    const server = response.headers.server;
    return Array.isArray(server) ? server[0] : server;
  } catch (error) {
    await pool.destroy().catch(() => undefined);
    throw unreachable(name, base, error);
  }
}

function unreachable(name: string, base: URL, error: unknown): TargetUnreachable {
  const code = (error as { code?: unknown }).code;
  const port = base.port || (base.protocol === "https:" ? "443" : "80");
  const where = `${base.hostname}:${port}`;
  const why = REASONS[String(code)] ?? (error as Error).message;
  const hint = code === "ENOTFOUND" || code === "EAI_AGAIN"
    ? `check the host name in the target's url (${base.origin})`
    : `check that the service is running and listening on ${where}` +
      " (or give the target a `start:` command so pipebench starts it)";
  return new TargetUnreachable(name, `cannot reach http target "${name}" at ${where}: ${why}`, { hint, cause: error });
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  EHOSTUNREACH: "no route to host",
  ENETUNREACH: "network unreachable",
  ECONNRESET: "connection reset",
  UND_ERR_CONNECT_TIMEOUT: "connect timed out",
  UND_ERR_HEADERS_TIMEOUT: "connected, but no response came",
  UND_ERR_SOCKET: "the connection closed before a response",
};
