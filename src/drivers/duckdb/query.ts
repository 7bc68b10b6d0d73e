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
// The result is materialised inside DuckDB but not converted to JS values: converting costs about
// a microsecond per value in the binding, which would measure the binding rather than the database.
import type { DuckDBConnection, DuckDBInstance, DuckDBPreparedStatement } from "@duckdb/node-api";
import { TargetFailed, UsageError } from "../../errors.js";
import { didYouMean, listNames } from "../../suite/did-you-mean.js";
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
    throw new TargetFailed(target.name, `scenario ${scenario}: ${what} cannot be prepared: ${messageOf(error)}`, {
      hint: "run the statement in the DuckDB CLI against the same database; a statement that needs tables from `datasets:` or `setup:` must name them exactly",
      cause: error,
    });
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

/** A problem a person can fix in the suite: field path inside the workload, message and fix. */
export interface WorkloadProblem {
  path: string;
  message: string;
  fix: string;
}

/**
 * The cross-reference the workload schema alone cannot check: `query:` must name one of the
 * target's queries. Exported so that a suite validator can report it with file and line before
 * anything starts (the postgres driver exports the same check); `prepare` checks it again.
 */
export function unknownQueryProblem(
  workload: QueryWorkload,
  queries: Readonly<Record<string, string>>,
  target: string,
): WorkloadProblem | undefined {
  if (workload.query === undefined || Object.hasOwn(queries, workload.query)) return undefined;
  const names = Object.keys(queries);
  const suggestion = didYouMean(workload.query, names);
  return {
    path: "query",
    message: `query "${workload.query}" is not one of targets.${target}.queries${names.length > 0 ? ` (${listNames(names)})` : ", which has none"}`,
    fix: names.length > 0
      ? (suggestion ?? `use one of: ${listNames(names)}; or write the SQL inline with sql:`)
      : `add it under targets.${target}.queries, or write the SQL inline with sql:`,
  };
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
  const kind = /^([A-Za-z ]+?) Error:/.exec(error.message)?.[1];
  if (kind !== undefined) {
    Object.defineProperty(error, "code", { value: `DUCKDB_${kind.toUpperCase().replaceAll(" ", "_")}`, enumerable: true });
  }
  return error;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0] ?? error.message : String(error);
}
