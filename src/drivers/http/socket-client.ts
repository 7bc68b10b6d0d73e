// The http:// client: the `request` workload's requests as bytes, computed once per workload (head
// and fixed body) or, with a generated body, once per request; sent through socket-pool.ts.
import type { OpContext, OpOutcome, PreparedWorkload } from "../driver.js";
import type { ClientOptions, HttpClient } from "./client.js";
import { abortWatcher, clientSlots, hasHeader, headerProblem, type RequestPlan } from "./request.js";
import { Exchange, SocketPool, type ExchangeKind } from "./socket-pool.js";

/** Any status is an answer to a reachability check. */
const ANY_STATUS: ExchangeKind = { expected: new Uint8Array(600).fill(1), what: "GET", headOnly: false };

export function socketClient(options: ClientOptions): HttpClient {
  const { origin } = options;
  const pool = new SocketPool({
    // URL keeps the brackets of an IPv6 address ("[::1]"); net.connect wants it without.
    host: origin.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: Number(origin.port || 80),
    connections: options.connections,
    pipelining: options.pipelining,
    timeout: options.timeout,
    connectTimeout: options.connectTimeout,
  });
  const host = origin.host;

  return {
    async check(path) {
      const kind: ExchangeKind = { ...ANY_STATUS, what: `GET ${path}` };
      const bytes = requestBytes(requestHead("GET", path, {}, host), "GET", null);
      const exchange = await new Promise<Exchange>((resolve, reject) => {
        const sent: Exchange = new Exchange(kind, bytes, 0, () => resolve(sent), reject);
        pool.send(sent);
      });
      return header(exchange.headers ?? [], "server");
    },
    prepare: (plan) => prepareSocket(pool, plan, host),
    close: (graceMs) => pool.close(graceMs),
    async destroy() {
      pool.destroy();
    },
  };
}

function prepareSocket(pool: SocketPool, plan: RequestPlan, host: string): PreparedWorkload {
  const { method, generated } = plan;
  const kind: ExchangeKind = { expected: plan.expected, what: plan.what, headOnly: method === "HEAD" };
  const head = requestHead(method, plan.path, plan.headers, host);
  // Without a generated body every request is the same bytes.
  const fixed = generated === undefined ? requestBytes(head, method, plan.fixedBody) : undefined;
  const fixedBodyBytes = plan.fixedBody?.length ?? 0;
  const watch = abortWatcher((reason) => pool.cancel(kind, reason));

  const run = (ctx: OpContext): Promise<OpOutcome> => {
    watch(ctx.signal);
    if (ctx.signal.aborted) return Promise.reject(ctx.signal.reason);
    let bytes = fixed;
    let bodyBytes = fixedBodyBytes;
    if (bytes === undefined) {
      const body = (generated as (seq: number) => Buffer)(ctx.seq);
      bytes = requestBytes(head, method, body);
      bodyBytes = body.length;
    }
    const request = bytes;
    return new Promise<OpOutcome>((resolve, reject) => {
      pool.send(new Exchange(kind, request, bodyBytes, resolve, reject, ctx));
    });
  };

  return { run, concurrencyHint: plan.concurrency, clientSlots: clientSlots(plan), signalsSent: true };
}

/** Methods whose requests carry `content-length: 0` when they have no body (as undici sends them). */
const PAYLOAD_METHODS = new Set(["POST", "PUT", "PATCH"]);

/** Request line and headers, without content-length and the blank line that ends the head. */
export function requestHead(method: string, path: string, headers: Readonly<Record<string, string>>, host: string): string {
  let head = `${method} ${path} HTTP/1.1\r\n`;
  if (!hasHeader(headers, "host")) head += `host: ${host}\r\n`;
  if (!hasHeader(headers, "connection")) head += "connection: keep-alive\r\n";
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    // The body's length is ours to state; a second, different one would corrupt the stream.
    if (lower === "content-length" || lower === "transfer-encoding") continue;
    // connect.ts refuses these at prepare (UsageError); this guards the raw bytes all the same.
    const problem = headerProblem(name, value);
    if (problem !== undefined) throw new Error(problem);
    head += `${name}: ${value}\r\n`;
  }
  return head;
}

/** The whole request: head, content-length, blank line, body. */
export function requestBytes(head: string, method: string, body: Buffer | null): Buffer {
  if (body === null) {
    return Buffer.from(`${head}${PAYLOAD_METHODS.has(method) ? "content-length: 0\r\n" : ""}\r\n`);
  }
  const start = Buffer.from(`${head}content-length: ${body.length}\r\n\r\n`);
  return Buffer.concat([start, body], start.length + body.length);
}

/** The first value of header `name` in raw [name, value, …] headers. */
function header(raw: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]?.toLowerCase() === name) return raw[i + 1];
  }
  return undefined;
}
