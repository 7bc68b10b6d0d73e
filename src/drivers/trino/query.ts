// The `query` workload: one operation runs one statement through Trino's REST protocol to its end
// (`records` = rows returned). Beside the client's latency, which the engine times, each operation
// keeps what Trino itself measured, from the final response's stats:
//
//   - the server's elapsed time, as an observed latency named `server` (histogram, percentiles,
//     thresholds such as `server.p50 < 1s`): the engine records now − (now − elapsed) = elapsed;
//   - counters over the measured operations: server_cpu_ms, server_queued_ms, processed_rows,
//     processed_bytes, spilled_bytes (sums) and peak_memory_bytes (the largest query's peak).
//
// Warm-up operations are left out of both, as the engine leaves them out of its own numbers.
import { TargetFailed, UsageError } from "../../errors.js";
import type { Observer, OpContext, OpOutcome, PreparedWorkload } from "../driver.js";
import { unknownQueryProblem } from "../named-query.js";
import { TrinoQueryError, type TrinoClient, type TrinoQueryStats } from "./protocol.js";
import type { TrinoQueryWorkload } from "./schema.js";

export interface QueryTarget {
  readonly name: string;
  readonly client: TrinoClient;
  readonly queries: Readonly<Record<string, string>>;
  readonly connections: number;
}

/** The observed latency's name: Trino's elapsed time for each query. */
export const SERVER_TIME = "server";

/** Trino's error names for SQL that does not fit the catalog: the suite's to fix, not the server's. */
const SUITE_SQL_ERRORS: ReadonlySet<string> = new Set([
  "SYNTAX_ERROR", "TABLE_NOT_FOUND", "COLUMN_NOT_FOUND", "CATALOG_NOT_FOUND", "SCHEMA_NOT_FOUND", "FUNCTION_NOT_FOUND",
  "MISSING_CATALOG_NAME", "MISSING_SCHEMA_NAME", "TYPE_MISMATCH", "AMBIGUOUS_NAME", "INVALID_SESSION_PROPERTY", "MISSING_GROUP_BY",
  "EXPRESSION_NOT_AGGREGATE", "INVALID_COLUMN_REFERENCE", "NOT_SUPPORTED",
]);

export async function prepareQuery(target: QueryTarget, workload: TrinoQueryWorkload, scenario: string): Promise<PreparedWorkload> {
  const problem = unknownQueryProblem(workload, target.queries, target.name);
  if (problem !== undefined) throw new UsageError(`scenario ${scenario}: ${problem.message}`, { hint: problem.fix });
  const sql = workload.sql ?? target.queries[workload.query ?? ""] ?? "";
  await validate(target, workload, sql, scenario);

  const totals = { server_cpu_ms: 0, server_queued_ms: 0, processed_rows: 0, processed_bytes: 0, spilled_bytes: 0, peak_memory_bytes: 0 };
  let observer: Observer | undefined;
  const keep = (ctx: OpContext, stats: TrinoQueryStats): void => {
    if (observer !== undefined) observer.arrived(observer.wallNow(ctx) - stats.elapsedTimeMillis);
    if (ctx.warmup === true) return;
    totals.server_cpu_ms += stats.cpuTimeMillis;
    totals.server_queued_ms += stats.queuedTimeMillis;
    totals.processed_rows += stats.processedRows;
    totals.processed_bytes += stats.processedBytes;
    totals.spilled_bytes += stats.spilledBytes ?? 0;
    totals.peak_memory_bytes = Math.max(totals.peak_memory_bytes, stats.peakMemoryBytes);
  };

  const run = async (ctx: OpContext): Promise<OpOutcome> => {
    try {
      const result = await target.client.execute(sql, { signal: ctx.signal, onSent: () => ctx.sent() });
      keep(ctx, result.stats);
      return { records: result.rows };
    } catch (error) {
      throw classified(error);
    }
  };

  return {
    run,
    concurrencyHint: target.connections,
    clientSlots: { count: target.connections, setting: "connections" },
    signalsSent: true,
    observes: SERVER_TIME,
    attach(o) {
      observer = o;
    },
    settle: () => Promise.resolve({ ...totals }),
  };
}

/**
 * Plans the statement once before any load (EXPLAIN (TYPE VALIDATE): analysed, not run), so SQL
 * naming what is not there stops the run with the field to fix instead of failing every operation.
 * Only queries can be explained this way; other statements are left to run.
 */
async function validate(target: QueryTarget, workload: TrinoQueryWorkload, sql: string, scenario: string): Promise<void> {
  if (!/^\s*(select|with|values|table)\b/i.test(sql)) return;
  try {
    await target.client.execute(`EXPLAIN (TYPE VALIDATE) ${sql.replace(/;\s*$/, "")}`);
  } catch (error) {
    const field = workload.query === undefined ? `scenarios.${scenario}.workload.sql` : `targets.${target.name}.queries.${workload.query}`;
    const what = workload.query === undefined ? "its sql" : `query "${workload.query}"`;
    const message = `scenario ${scenario}: ${what} cannot be planned by Trino: ${error instanceof Error ? error.message : String(error)}`;
    const hint = `fix ${field}: unqualified names resolve in the target's catalog and schema; tables from \`datasets:\` are in memory.default unless the dataset says otherwise`;
    if (error instanceof TrinoQueryError && (error.errorType === "USER_ERROR" || SUITE_SQL_ERRORS.has(error.code))) {
      throw new UsageError(message, { hint, cause: error });
    }
    throw new TargetFailed(target.name, message, { hint, cause: error });
  }
}

/**
 * The engine counts errors by `code`: Trino's own error name, prefixed (TRINO_EXCEEDED_LOCAL_MEMORY_LIMIT,
 * TRINO_QUERY_QUEUE_FULL …); network errors keep theirs (ECONNREFUSED, UND_ERR_SOCKET).
 */
function classified(error: unknown): unknown {
  if (error instanceof TrinoQueryError) {
    const coded = new Error(error.message, { cause: error });
    Object.defineProperty(coded, "code", { value: `TRINO_${error.code}`, enumerable: true });
    return coded;
  }
  return error;
}
