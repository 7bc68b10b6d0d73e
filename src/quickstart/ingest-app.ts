// The ingest service's request handling (see ingest-service.ts for the program around it):
//
//   GET  /health  200 when the database answers, else 503
//   POST /ingest  201 {"id": n}; 400 on bad JSON or a missing/invalid field; 503 when the database is down
//   GET  /metrics its own metrics in Prometheus's text format (prom-client): the request-duration
//                 histogram and request counter seed 002's runbook greps for, and process CPU/memory
//
// Deliberately ordinary (node:http, a pg Pool, one INSERT per request) so that the latency
// pipebench measures is that of a typical service, not of a tuned one.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import pg from "pg";
import promClient from "prom-client";
import { generators } from "../data/index.js";

const MAX_BODY_BYTES = 64 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CURRENCY = /^[A-Z]{3}$/;

/** A transaction as the table stores it; the columns are those of the `transactions` generator. */
interface Transaction {
  transaction_id: string;
  timestamp: string;
  customer_id: number | null;
  merchant_id: number | null;
  amount: number;
  currency: string;
  category: string | null;
  is_fraud: boolean;
}

type Parsed = { ok: true; value: Transaction } | { ok: false; error: string };

/** Checks the fields seed 001's validator cares about; fills in id, time and currency when absent. */
export function parseTransaction(body: unknown): Parsed {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { ok: false, error: "the body must be a JSON object" };
  const t = body as Record<string, unknown>;
  if (typeof t.amount !== "number" || !Number.isFinite(t.amount) || t.amount < 0) {
    return { ok: false, error: "amount is required and must be a number >= 0" };
  }
  if (t.transaction_id !== undefined && (typeof t.transaction_id !== "string" || !UUID.test(t.transaction_id))) {
    return { ok: false, error: "transaction_id must be a UUID" };
  }
  if (t.timestamp !== undefined && (typeof t.timestamp !== "string" || Number.isNaN(Date.parse(t.timestamp)))) {
    return { ok: false, error: "timestamp must be an ISO-8601 date-time" };
  }
  for (const key of ["customer_id", "merchant_id"] as const) {
    if (t[key] !== undefined && !Number.isSafeInteger(t[key])) return { ok: false, error: `${key} must be an integer` };
  }
  if (t.currency !== undefined && (typeof t.currency !== "string" || !CURRENCY.test(t.currency))) {
    return { ok: false, error: "currency must be a 3-letter ISO code, e.g. USD" };
  }
  if (t.category !== undefined && typeof t.category !== "string") return { ok: false, error: "category must be a string" };
  if (t.is_fraud !== undefined && typeof t.is_fraud !== "boolean") return { ok: false, error: "is_fraud must be true or false" };
  return {
    ok: true,
    value: {
      transaction_id: (t.transaction_id as string | undefined) ?? randomUUID(),
      timestamp: (t.timestamp as string | undefined) ?? new Date().toISOString(),
      customer_id: (t.customer_id as number | undefined) ?? null,
      merchant_id: (t.merchant_id as number | undefined) ?? null,
      amount: t.amount,
      currency: (t.currency as string | undefined) ?? "USD",
      category: (t.category as string | undefined) ?? null,
      is_fraud: (t.is_fraud as boolean | undefined) ?? false,
    },
  };
}

const COLUMNS = generators.transactions.columns;

/**
 * `id` is the service's own key: the generator's transaction ids repeat when a suite is run again
 * with the same seed, and an ingest endpoint must not turn that into errors.
 */
export const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS transactions (
  id bigserial PRIMARY KEY,
  ${COLUMNS.map((c) => `"${c.name}" ${c.sqlType}`).join(",\n  ")},
  ingested_at timestamptz NOT NULL DEFAULT now()
)`;

const INSERT = {
  // Named: parsed and planned once per connection, not once per request.
  name: "ingest-transaction",
  text: `INSERT INTO transactions (${COLUMNS.map((c) => `"${c.name}"`).join(", ")})
         VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(", ")}) RETURNING id`,
};

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Connection-level failures (server down, refused, too many clients) are 503, not 500. */
function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && (code.startsWith("08") || code === "57P01" || code === "53300" || code.startsWith("ECONN"));
}

/**
 * Bucket bounds in seconds: fine between 0.5 and 50 ms, where this service's requests take (an
 * INSERT each), so a percentile read from them is within a few ms; coarser up to 10 s.
 */
export const DURATION_BUCKETS = [0.0005, 0.001, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The service's own metrics, one registry per server (tests start several in one process). */
function ingestMetrics(): { registry: promClient.Registry; observe(method: string, route: string, status: number, seconds: number): void } {
  const registry = new promClient.Registry();
  promClient.collectDefaultMetrics({ register: registry });
  const labelNames = ["method", "route", "status"] as const;
  const duration = new promClient.Histogram({
    name: "http_request_duration_seconds",
    help: "Time from a request's arrival to the end of its response, in seconds.",
    labelNames,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const requests = new promClient.Counter({ name: "http_requests_total", help: "Requests answered.", labelNames, registers: [registry] });
  return {
    registry,
    observe(method, route, status, seconds) {
      const labels = { method, route, status: String(status) };
      duration.observe(labels, seconds);
      requests.inc(labels);
    },
  };
}

/** The route label: the known paths, everything else as one value (labels must stay few). */
function routeOf(path: string | undefined): string {
  return path === "/ingest" || path === "/health" ? path : "other";
}

export function createIngestServer(pool: pg.Pool): Server {
  const metrics = ingestMetrics();
  return createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/metrics") {
      void metrics.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": metrics.registry.contentType }).end(text),
        (error: unknown) => reply(res, 500, { error: (error as Error).message }),
      );
      return;
    }
    const started = process.hrtime.bigint();
    res.once("finish", () => {
      metrics.observe(req.method ?? "", routeOf(path), res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
    });
    void handle(pool, req, res).catch((error: unknown) => {
      if (!res.headersSent) reply(res, isUnavailable(error) ? 503 : 500, { error: (error as Error).message });
    });
  });
}

async function handle(pool: pg.Pool, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method === "GET" && path === "/health") {
    try {
      await pool.query("SELECT 1");
      reply(res, 200, { status: "ok" });
    } catch (error) {
      reply(res, 503, { status: "database unavailable", error: (error as Error).message });
    }
    return;
  }
  if (path === "/ingest") {
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      reply(res, 405, { error: "use POST" });
      return;
    }
    const text = await readBody(req);
    if (text === undefined) return reply(res, 413, { error: `the body is larger than ${MAX_BODY_BYTES} bytes` });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return reply(res, 400, { error: "the body is not valid JSON" });
    }
    const parsed = parseTransaction(body);
    if (!parsed.ok) return reply(res, 400, { error: parsed.error });
    const t = parsed.value;
    const result = await pool.query<{ id: string }>({
      ...INSERT,
      values: [t.transaction_id, t.timestamp, t.customer_id, t.merchant_id, t.amount, t.currency, t.category, t.is_fraud],
    });
    reply(res, 201, { id: Number(result.rows[0]?.id) });
    return;
  }
  reply(res, 404, { error: "not found: try POST /ingest, GET /health or GET /metrics" });
}
