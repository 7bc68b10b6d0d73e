// Connecting an http target: start the service when asked to, open a client, and make one request
// so that an unreachable address fails now, with host and port, not as a wall of errors once the
// load starts.
import type { Connection, ConnectContext } from "../driver.js";
import { TargetUnreachable, UsageError } from "../../errors.js";
import type { ClientOptions, HttpClient } from "./client.js";
import { badHeader, prepareRequest } from "./request.js";
import type { HttpTarget, HttpWorkload } from "./schema.js";
import { startService, type StartedService } from "./service.js";
import { socketClient } from "./socket-client.js";

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
    const client = await openClient({
      origin: new URL(base.origin),
      connections: target.connections,
      pipelining: target.pipelining,
      timeout: target.timeout,
      connectTimeout: Math.min(target.timeout, CONNECT_TIMEOUT_MS),
    });
    // The URL as given, or the path the started service was polled on.
    const server = await checkReachable(client, base, target.start?.ready ?? base.pathname, ctx.name);
    return connection(client, base, target, server, service, ctx.name);
  } catch (error) {
    await service?.stop();
    throw error;
  }
}

/**
 * Which HTTP client carries the load.
 *
 * http:// — socket-client.ts: HTTP/1.1 on plain net sockets with request bytes precomputed and
 * responses parsed by http-parser-js, as autocannon is built. undici was the limit of the `max`
 * executor; on bench/http/clients.ts this client needs 38 CPU µs per request where undici's Pool
 * needs 65 (16.7k vs 12.2k requests/s, docs/decisions.md, "HTTP client"). Pipelining is the same
 * code: requests written back to back, responses matched in order.
 *
 * https:// — undici, for now. TLS itself would be a tls.connect in place of net.connect, but every
 * path of this client is tested against a real local server, and a TLS server needs a certificate:
 * Node 20 can make a key pair but not sign a certificate without openssl or a hand-written ASN.1
 * encoder, so https stays on the client whose TLS is already tested by its authors.
 */
async function openClient(options: ClientOptions): Promise<HttpClient> {
  if (options.origin.protocol === "https:") return (await import("./undici-client.js")).undiciClient(options);
  return socketClient(options);
}

function connection(
  client: HttpClient,
  base: URL,
  target: HttpTarget,
  server: string | undefined,
  service: StartedService | undefined,
  name: string,
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
    async prepare(workload, scenario) {
      // Headers a server could not read are the suite's to fix (the target's, then the workload's).
      for (const [field, headers] of [[`targets.${name}.headers`, target.headers], [`scenarios.${scenario}.workload.headers`, workload.headers]] as const) {
        const problem = headers === undefined ? undefined : badHeader(headers);
        if (problem !== undefined) {
          throw new UsageError(problem, { hint: `fix ${field}: a name is letters, digits and !#$%&'*+-.^_\`|~ (no spaces or colons); a value is one line` });
        }
      }
      return prepareRequest(client, workload, defaults);
    },
    async close() {
      await client.close(CLOSE_GRACE_MS);
      await service?.stop();
    },
  };
}

/** One GET; any status will do (a 404 on "/" still proves the server is there). Returns `Server`. */
async function checkReachable(client: HttpClient, base: URL, path: string, name: string): Promise<string | undefined> {
  try {
    return await client.check(path);
  } catch (error) {
    await client.destroy();
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
  // socket-client.ts
  CONNECT_TIMEOUT: "connect timed out",
  TIMEOUT: "connected, but no response came",
  SOCKET_CLOSED: "the connection closed before a response",
};

