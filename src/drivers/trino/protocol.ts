// Trino's client REST protocol, as every Trino client speaks it: POST the SQL to /v1/statement,
// then GET each `nextUri` until a response has none. The query runs only while the client follows:
// a POST alone does not finish it. The last response carries the query's final `stats` (what the
// server measured), which is why the driver keeps it.
//
// Our own loop over undici's `request` rather than npm trino-client (axios underneath): measured
// against the same server, it adds 17–23 ms over the server's elapsed time at p50 where trino-client
// adds 28–39 ms and global fetch 29–32 ms (docs/decisions.md, "Trino: our own REST loop").
import { Agent, request } from "undici";

/** What `stats` of the final response holds (the fields the driver reads; Trino sends more). */
export interface TrinoQueryStats {
  readonly state: string;
  readonly queued: boolean;
  readonly elapsedTimeMillis: number;
  readonly queuedTimeMillis: number;
  readonly cpuTimeMillis: number;
  readonly wallTimeMillis: number;
  readonly processedRows: number;
  readonly processedBytes: number;
  readonly peakMemoryBytes: number;
  readonly physicalInputBytes?: number;
  readonly spilledBytes?: number;
  readonly nodes: number;
}

export interface StatementResult {
  readonly id: string;
  /** Rows returned (each `data` page's length, summed); an INSERT returns one row, its count. */
  readonly rows: number;
  /** The first rows, when asked for with `keepRows`. */
  readonly data: readonly (readonly unknown[])[];
  readonly columns: readonly string[];
  readonly stats: TrinoQueryStats;
  /** Requests made: the POST and every nextUri followed. */
  readonly requests: number;
}

/** Session the requests carry: the X-Trino-* headers. */
export interface TrinoSession {
  readonly user: string;
  readonly source: string;
  readonly catalog?: string;
  readonly schema?: string;
  /** name → value, sent as X-Trino-Session (e.g. query_max_run_time=10m). */
  readonly properties: Readonly<Record<string, string>>;
}

/**
 * A query that Trino answered with an error. `code` is Trino's errorName (SYNTAX_ERROR,
 * TABLE_NOT_FOUND, EXCEEDED_LOCAL_MEMORY_LIMIT …), which the engine counts errors by; `errorType` is
 * its class (USER_ERROR, INTERNAL_ERROR, INSUFFICIENT_RESOURCES, EXTERNAL).
 */
export class TrinoQueryError extends Error {
  readonly code: string;
  readonly errorType: string;
  readonly queryId: string | undefined;
  constructor(message: string, code: string, errorType: string, queryId: string | undefined) {
    super(message);
    this.name = "TrinoQueryError";
    this.code = code;
    this.errorType = errorType;
    this.queryId = queryId;
  }
}

/** An HTTP answer that is not the protocol (a proxy's error page, a 401, a server starting up). */
export class TrinoHttpError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(status: number, body: string) {
    super(`HTTP ${status}: ${body.replace(/\s+/g, " ").trim().slice(0, 200)}`);
    this.name = "TrinoHttpError";
    this.status = status;
    this.code = `HTTP_${status}`;
  }
}

interface QueryResults {
  id?: string;
  nextUri?: string;
  columns?: { name: string }[];
  data?: unknown[][];
  stats?: Partial<TrinoQueryStats>;
  error?: { message?: string; errorName?: string; errorType?: string };
}

export interface TrinoClientOptions {
  /** Base URL, e.g. http://127.0.0.1:8080 (no path). */
  readonly url: string;
  readonly session: TrinoSession;
  /** Sockets kept to the coordinator: at least the concurrency the workload runs at. */
  readonly connections: number;
}

export class TrinoClient {
  readonly url: string;
  private readonly agent: Agent;
  private readonly headers: Record<string, string>;

  constructor(options: TrinoClientOptions) {
    this.url = options.url.replace(/\/+$/, "");
    this.agent = new Agent({ connections: options.connections, keepAliveTimeout: 60_000, connect: { timeout: 10_000 } });
    this.headers = sessionHeaders(options.session);
  }

  /**
   * Runs one statement to its end. `onSent` is called when the POST is handed to the socket pool
   * (the engine's `sent`); `signal` cancels it, and the query is then cancelled on the server too.
   */
  async execute(sql: string, options: { signal?: AbortSignal; onSent?: () => void; keepRows?: number } = {}): Promise<StatementResult> {
    const keep = options.keepRows ?? 0;
    const data: unknown[][] = [];
    let rows = 0;
    let requests = 1;
    let columns: string[] = [];
    options.onSent?.();
    let body = await this.call("POST", `${this.url}/v1/statement`, sql, options.signal);
    try {
      for (;;) {
        if (body.columns !== undefined && columns.length === 0) columns = body.columns.map((c) => c.name);
        if (body.data !== undefined) {
          rows += body.data.length;
          // Only the first `keep` rows are kept (0 under load): no walk over every row of every page.
          if (data.length < keep) data.push(...body.data.slice(0, keep - data.length));
        }
        if (body.error !== undefined) {
          const e = body.error;
          throw new TrinoQueryError(e.message ?? "query failed", e.errorName ?? "TRINO_ERROR", e.errorType ?? "UNKNOWN", body.id);
        }
        if (body.nextUri === undefined) break;
        requests++;
        body = await this.call("GET", body.nextUri, undefined, options.signal);
      }
    } catch (error) {
      // Stopped half-way (aborted, the connection broke): tell the server to drop the query rather
      // than let it run on with nobody reading.
      if (!(error instanceof TrinoQueryError) && body.nextUri !== undefined) void this.cancel(body.nextUri);
      throw error;
    }
    return { id: body.id ?? "", rows, data, columns, stats: statsOf(body.stats), requests };
  }

  /** GET a JSON resource of the coordinator (e.g. /v1/info, /v1/status). */
  async getJson(path: string, signal?: AbortSignal): Promise<unknown> {
    const response = await request(`${this.url}${path}`, { method: "GET", headers: this.headers, dispatcher: this.agent, ...(signal ? { signal } : {}) });
    const text = await response.body.text();
    if (response.statusCode !== 200) throw new TrinoHttpError(response.statusCode, text);
    return JSON.parse(text) as unknown;
  }

  async close(): Promise<void> {
    await this.agent.close().catch(() => undefined);
  }

  private async call(method: "GET" | "POST", url: string, body: string | undefined, signal: AbortSignal | undefined): Promise<QueryResults> {
    const response = await request(url, {
      method,
      headers: this.headers,
      dispatcher: this.agent,
      ...(body === undefined ? {} : { body }),
      ...(signal ? { signal } : {}),
    });
    const text = await response.body.text();
    // 503 is the protocol's "busy, retry the same URI" for GETs; the server rarely sends it.
    if (response.statusCode === 503 && method === "GET") return { nextUri: url };
    if (response.statusCode !== 200) throw new TrinoHttpError(response.statusCode, text);
    return JSON.parse(text) as QueryResults;
  }

  private async cancel(nextUri: string): Promise<void> {
    try {
      const response = await request(nextUri, { method: "DELETE", headers: this.headers, dispatcher: this.agent });
      await response.body.dump();
    } catch {
      // the server is gone or the query already ended
    }
  }
}

function sessionHeaders(session: TrinoSession): Record<string, string> {
  const headers: Record<string, string> = { "X-Trino-User": session.user, "X-Trino-Source": session.source };
  if (session.catalog !== undefined) headers["X-Trino-Catalog"] = session.catalog;
  if (session.schema !== undefined) headers["X-Trino-Schema"] = session.schema;
  const props = Object.entries(session.properties);
  if (props.length > 0) headers["X-Trino-Session"] = props.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join(",");
  return headers;
}

function statsOf(s: Partial<TrinoQueryStats> | undefined): TrinoQueryStats {
  const n = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);
  return {
    state: typeof s?.state === "string" ? s.state : "UNKNOWN",
    queued: s?.queued === true,
    elapsedTimeMillis: n(s?.elapsedTimeMillis),
    queuedTimeMillis: n(s?.queuedTimeMillis),
    cpuTimeMillis: n(s?.cpuTimeMillis),
    wallTimeMillis: n(s?.wallTimeMillis),
    processedRows: n(s?.processedRows),
    processedBytes: n(s?.processedBytes),
    peakMemoryBytes: n(s?.peakMemoryBytes),
    physicalInputBytes: n(s?.physicalInputBytes),
    spilledBytes: n(s?.spilledBytes),
    nodes: n(s?.nodes),
  };
}
