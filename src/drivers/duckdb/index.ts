// The `duckdb` driver: queries against an in-process DuckDB database, optionally filled with
// generated datasets first.
import type { Driver } from "../driver.js";
import { unknownQueryProblem } from "../named-query.js";
import { DuckDbTargetSchema, DuckDbWorkloadSchema, type DuckDbTarget, type DuckDbWorkload } from "./schema.js";

export const duckdb: Driver<DuckDbTarget, DuckDbWorkload> = {
  kind: "duckdb",
  targetSchema: DuckDbTargetSchema,
  workloadSchema: DuckDbWorkloadSchema,
  probeKinds: [],
  describeEndpoint: (target) => (target.path === ":memory:" ? "in-process (in memory)" : `in-process (${target.path})`),
  checkWorkload: (target, workload, name) => unknownQueryProblem(workload, target.queries, name),
  // DuckDB's native binding is loaded on first use: a suite without DuckDB does not pay for it.
  connect: async (target, ctx) => (await import("./connect.js")).connectDuckDb(target, ctx),
};

export { DuckDbDatasetSchema, DuckDbTargetSchema, DuckDbWorkloadSchema, QueryWorkloadSchema } from "./schema.js";
export type { DuckDbDataset, DuckDbTarget, DuckDbWorkload, QueryWorkload } from "./schema.js";
