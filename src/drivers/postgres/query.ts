// `query` workloads: one operation runs one statement (named in the target's `queries`, or given
// inline) and reports the rows it returned or touched.
import type pg from "pg";
import type { PreparedWorkload } from "../driver.js";
import type { QueryWorkload } from "./schema.js";

export interface WorkloadProblem {
  /** Field path inside the workload, e.g. "query". */
  path: string;
  message: string;
  fix: string;
}

/**
 * The cross-reference the workload schema alone cannot check: a `query:` must name one of the
 * target's queries. Exported so a suite validator can report it with file and line before any
 * server starts; `prepare` checks it again.
 */
export function unknownQueryProblem(
  workload: QueryWorkload,
  queries: Readonly<Record<string, string>>,
  target: string,
): WorkloadProblem | undefined {
  if (workload.query === undefined || Object.hasOwn(queries, workload.query)) return undefined;
  const names = Object.keys(queries);
  return {
    path: "query",
    message: `query "${workload.query}" is not one of targets.${target}.queries${names.length > 0 ? ` (${names.join(", ")})` : ", which has none"}`,
    fix: names.length > 0 ? `use one of: ${names.join(", ")}; or write the SQL inline with sql:` : `add it under targets.${target}.queries, or write the SQL inline with sql:`,
  };
}

export function prepareQuery(
  pool: pg.Pool,
  workload: QueryWorkload,
  queries: Readonly<Record<string, string>>,
  poolSize: number,
): PreparedWorkload {
  const text = workload.sql ?? queries[workload.query ?? ""] ?? "";
  const values = workload.params;
  // Rows as arrays: the driver counts them and never reads them, so skip building objects.
  const config: pg.QueryArrayConfig = values === undefined ? { text, rowMode: "array" } : { text, values, rowMode: "array" };
  return {
    run: async () => {
      // Several statements without parameters go as one simple query and yield one result each.
      const result = (await pool.query(config)) as unknown as pg.QueryResult | pg.QueryResult[];
      const results = Array.isArray(result) ? result : [result];
      let records = 0;
      for (const r of results) records += r.rowCount ?? r.rows.length;
      return { records };
    },
    concurrencyHint: poolSize,
  };
}
