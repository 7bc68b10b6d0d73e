// The `query` workload: one operation runs one statement to completion and materialises its whole
// result (`records` = its row count).
//
// Concurrency: a DuckDB connection runs one statement at a time, so each operation in flight gets
// its own connection to the shared database (a pool that grows to the executor's concurrency and
// is reused after). Concurrent operations therefore really run concurrently inside DuckDB, as
// concurrent analysts' queries would. The concurrency hint is 1 because a single DuckDB query
// already uses every one of the database's threads; running more at once trades latency for
// throughput, which a suite should ask for explicitly (`concurrency:` / `workers:`).
//
// The result is materialised inside DuckDB but not converted to JS values: converting costs 1–2 µs
// per value in the binding (1M rows × 3 columns: ~50 ms to materialise, 3–5 s to convert), which
// would measure the binding rather than the database.
import type { DuckDBConnection, DuckDBInstance, DuckDBPreparedStatement } from "@duckdb/node-api";
import { firstLine, TargetFailed, UsageError } from "../../errors.js";
import { unknownQueryProblem } from "../named-query.js";
import type { OpContext, OpOutcome, PreparedWorkload } from "../driver.js";
import type { QueryWorkload } from "./schema.js";

interface Session {
  readonly connection: DuckDBConnection;
  readonly statement: DuckDBPreparedStatement;
}

export interface QueryTarget {
  /** The target's name in the suite, for messages. */
  readonly name: string;
  readonly instance: DuckDBInstance;
  readonly queries: Readonly<Record<string, string>>;
}

export async function prepareQuery(
  target: QueryTarget,
  workload: QueryWorkload,
  scenario: string,
): Promise<PreparedWorkload> {
  const sql = resolveSql(target, workload, scenario);
  const what = workload.query === undefined ? "its sql" : `query "${workload.query}"`;
  const params = workload.params ?? [];

  const open = async (): Promise<Session> => {
    const connection = await target.instance.connect();
    try {
      const statement = await connection.prepare(sql);
      // Bound values stay with a prepared statement across executions: bind once.
      if (params.length > 0) statement.bind(params);
      return { connection, statement };
    } catch (error) {
      connection.closeSync();
      throw error;
    }
  };

  // The first session proves the SQL prepares (and the params fit) before any load starts.
  let first: Session;
  try {
    first = await open();
  } catch (error) {
    // SQL that does not parse, or names a table or column the database does not have, is the
    // suite's to fix; anything else (out of memory, I/O) is the target's.
    const field = workload.query === undefined ? `scenarios.${scenario}.workload.sql` : `targets.${target.name}.queries.${workload.query}`;
    const hint = `fix ${field}: run it in the DuckDB CLI against the same database; a statement that needs tables from \`datasets:\` or \`setup:\` must name them exactly`;
    const message = `scenario ${scenario}: ${what} cannot be prepared: ${firstLine(error)}`;
    if (SUITE_SQL_ERRORS.has(errorType(firstLine(error)) ?? "")) throw new UsageError(message, { hint, cause: error });
    throw new TargetFailed(target.name, message, { hint, cause: error });
  }

  const idle: Session[] = [first];
  const all: Session[] = [first];
  const running = new Set<Session>();
  let watched: AbortSignal | undefined;
  // One listener per scenario signal: on abort, interrupt the statements that are running.
  const watch = (signal: AbortSignal): void => {
    watched = signal;
    signal.addEventListener("abort", () => running.forEach((s) => s.connection.interrupt()), { once: true });
  };

  // Grows the pool on first use at a new level of concurrency (a warm-up absorbs the cost).
  const acquire = async (): Promise<Session> => {
    const session = idle.pop();
    if (session !== undefined) return session;
    const opened = await open();
    all.push(opened);
    return opened;
  };

  const run = async (ctx: OpContext): Promise<OpOutcome> => {
    if (ctx.signal !== watched) watch(ctx.signal);
    const session = await acquire();
    running.add(session);
    try {
      const result = await session.statement.run();
      return { records: result.rowCount };
    } catch (error) {
      throw classified(error);
    } finally {
      running.delete(session);
      idle.push(session);
    }
  };

  return {
    run,
    concurrencyHint: 1,
    inProcess: true,
    async close() {
      for (const session of all) {
        session.statement.destroySync();
        session.connection.closeSync();
      }
      all.length = 0;
      idle.length = 0;
    },
  };
}

/** DuckDB's error types for SQL that does not fit the database: it does not parse, or names what is not there. */
const SUITE_SQL_ERRORS: ReadonlySet<string> = new Set(["Parser", "Catalog", "Binder"]);

/** The error type a DuckDB message starts with ("Catalog Error: …" → "Catalog"), if any. */
function errorType(message: string): string | undefined {
  return /^([A-Za-z ]+?) Error:/.exec(message)?.[1];
}

function resolveSql(target: QueryTarget, workload: QueryWorkload, scenario: string): string {
  const problem = unknownQueryProblem(workload, target.queries, target.name);
  if (problem !== undefined) throw new UsageError(`scenario ${scenario}: ${problem.message}`, { hint: problem.fix });
  return workload.sql ?? target.queries[workload.query ?? ""] ?? "";
}

/**
 * DuckDB errors are plain Errors whose message starts with the error type ("Catalog Error: …",
 * "Out of Memory Error: …"); give them a code from it so the engine counts them by kind.
 */
function classified(error: unknown): unknown {
  if (!(error instanceof Error) || (error as { code?: unknown }).code !== undefined) return error;
  const kind = errorType(error.message);
  if (kind !== undefined) {
    Object.defineProperty(error, "code", { value: `DUCKDB_${kind.toUpperCase().replaceAll(" ", "_")}`, enumerable: true });
  }
  return error;
}
