// The `request` workload: one operation is one HTTP request whose response body is read to the end.
// This is the hot path that is compared with autocannon, so everything that does not depend on the
// operation is planned once in prepare: path, headers, the status table, a fixed body's bytes. The
// client that sends it (socket-client.ts for http://, undici-client.ts for https://) turns the plan
// into its own precomputed form.
import { generators } from "../../data/index.js";
import type { PreparedWorkload } from "../driver.js";
import type { RequestWorkload } from "./schema.js";

/** An unexpected status. `code` is `HTTP_<status>`, so the engine counts errors by status. */
export class HttpStatusError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(status: number, what: string, bodyStart: string) {
    super(`HTTP ${status} from ${what}${bodyStart.length > 0 ? `: ${bodyStart}` : ""}`);
    this.name = "HttpStatusError";
    this.code = `HTTP_${status}`;
    this.status = status;
  }
}

/** How much of an error response's body goes into the error message. */
export const ERROR_BODY_CHARS = 200;

/** The start of an error response's body, on one line, for HttpStatusError. */
export function errorBodyStart(text: string): string {
  return text.slice(0, ERROR_BODY_CHARS).replace(/\s+/g, " ").trim();
}

export interface RequestDefaults {
  /** The path of the target's url, prefixed to each request's path ("" for none). */
  basePath: string;
  /** The target's headers; the workload's override them. */
  headers: Readonly<Record<string, string>>;
  /** Requests the pool can have in flight (connections × pipelining). */
  concurrency: number;
  /** Requests in flight per connection. */
  pipelining: number;
}

/** Everything about a workload's requests that does not depend on the operation. */
export interface RequestPlan {
  readonly method: RequestWorkload["method"];
  /** Base path and workload path joined. */
  readonly path: string;
  /** "METHOD path", for error messages. */
  readonly what: string;
  /** 1 at the statuses that count as success (see statusTable). */
  readonly expected: Uint8Array;
  /** Target headers < workload headers, plus content-type for generated JSON. */
  readonly headers: Readonly<Record<string, string>>;
  /** A fixed body's bytes, or null (no body, or a generated one). */
  readonly fixedBody: Buffer | null;
  /** Operation `seq`'s generated body, or undefined. */
  readonly generated: ((seq: number) => Buffer) | undefined;
  readonly concurrency: number;
  readonly pipelining: number;
}

/** What sends a plan's requests: it returns the operation (and its concurrency hint). */
export interface RequestSender {
  prepare(plan: RequestPlan): PreparedWorkload;
}

export function prepareRequest(sender: RequestSender, workload: RequestWorkload, defaults: RequestDefaults): PreparedWorkload {
  return sender.prepare(planRequest(workload, defaults));
}

export function planRequest(workload: RequestWorkload, defaults: RequestDefaults): RequestPlan {
  const path = joinPath(defaults.basePath, workload.path);
  const headers: Record<string, string> = { ...defaults.headers, ...workload.headers };
  const body = workload.body;
  if (typeof body === "object" && !hasHeader(headers, "content-type")) headers["content-type"] = "application/json";
  return {
    method: workload.method,
    path,
    what: `${workload.method} ${path}`,
    expected: statusTable(workload.expect?.status),
    headers,
    fixedBody: typeof body === "string" ? Buffer.from(body) : null,
    generated: typeof body === "object" ? generatedBody(body) : undefined,
    concurrency: defaults.concurrency,
    pipelining: defaults.pipelining,
  };
}

/** Requests the client can have at the service at once, and the target settings that say so. */
export function clientSlots(plan: Pick<RequestPlan, "concurrency" | "pipelining">): { count: number; setting: string } {
  return { count: plan.concurrency, setting: plan.pipelining > 1 ? "connections × pipelining" : "connections" };
}

/** A lookup table indexed by status: 1 where the status counts as success (default: any 2xx). */
export function statusTable(expect: number | readonly number[] | undefined): Uint8Array {
  const table = new Uint8Array(600);
  if (expect === undefined) table.fill(1, 200, 300);
  else for (const status of typeof expect === "number" ? [expect] : expect) table[status] = 1;
  return table;
}

/**
 * Calls `cancel` with the abort reason when the scenario's signal aborts: one listener per signal,
 * not one per request. `observe` is called with each operation's signal (cheap when unchanged).
 */
export function abortWatcher(cancel: (reason: unknown) => void): (signal: AbortSignal) => void {
  let watched: AbortSignal | undefined;
  return (signal) => {
    if (signal === watched) return;
    watched = signal;
    signal.addEventListener("abort", () => cancel(signal.reason), { once: true });
  };
}

/** Operation `seq`'s body: the generator's record `seq` as JSON (seeded, so runs repeat). */
function generatedBody(body: Exclude<RequestWorkload["body"], string | undefined>): (seq: number) => Buffer {
  const source = generators[body.generator].create(body.seed ?? 1);
  return (seq) => Buffer.from(JSON.stringify(source.object(seq)));
}

function joinPath(base: string, path: string): string {
  const trimmed = base.endsWith("/") ? base.slice(0, -1) : base;
  return `${trimmed}${path}`;
}

export function hasHeader(headers: Readonly<Record<string, string>>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

/**
 * The first header a server could not read: a name that is not an HTTP token (RFC 9110: letters,
 * digits and !#$%&'*+-.^_`|~), or a value with a line break or NUL, which would end the header early.
 */
export function badHeader(headers: Readonly<Record<string, string>>): string | undefined {
  for (const [name, value] of Object.entries(headers)) {
    const problem = headerProblem(name, value);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** What is wrong with one header, if anything (see badHeader). */
export function headerProblem(name: string, value: string): string | undefined {
  if (!HEADER_NAME.test(name)) return `header name ${JSON.stringify(name)} is not a valid HTTP header name`;
  if (/[\r\n\0]/.test(value)) return `header ${name} has a line break or NUL in its value`;
  return undefined;
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
