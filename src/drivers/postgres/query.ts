// `query` workloads: one operation runs one statement (named in the target's `queries`, or given
// inline) and reports the rows it returned or touched.
import type pg from "pg";
import type { PreparedWorkload } from "../driver.js";
import { checkout } from "./checkout.js";
import { withPgCode } from "./errors.js";
import type { QueryWorkload } from "./schema.js";

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
    run: async (ctx) => {
      // pool.query's own steps, with the moment the pool hands over a client told to the engine:
      // the wait before it is pipebench's pool, the time after it the server's.
      const out = await checkout(pool, ctx).catch((error: unknown) => Promise.reject(withPgCode(error)));
      let result: pg.QueryResult | pg.QueryResult[];
      try {
        // Several statements without parameters go as one simple query and yield one result each.
        result = (await out.client.query(config)) as unknown as pg.QueryResult | pg.QueryResult[];
        out.release();
      } catch (error) {
        // A client that saw an error is not handed out again, as pool.query does.
        out.release(error instanceof Error ? error : true);
        throw withPgCode(error);
      }
      const results = Array.isArray(result) ? result : [result];
      let records = 0;
      for (const r of results) records += r.rowCount ?? r.rows.length;
      return { records };
    },
    concurrencyHint: poolSize,
    clientSlots: { count: poolSize, setting: "pool" },
    signalsSent: true,
  };
}
