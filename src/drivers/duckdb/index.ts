// The `duckdb` driver: queries against an in-process DuckDB database, optionally filled with
// generated datasets first.
import type { Driver } from "../driver.js";
import { connectDuckDb } from "./connect.js";
import { DuckDbTargetSchema, DuckDbWorkloadSchema, type DuckDbTarget, type DuckDbWorkload } from "./schema.js";

export const duckdb: Driver<DuckDbTarget, DuckDbWorkload> = {
  kind: "duckdb",
  targetSchema: DuckDbTargetSchema,
  workloadSchema: DuckDbWorkloadSchema,
  probeKinds: [],
  connect: connectDuckDb,
};

export { DuckDbDatasetSchema, DuckDbTargetSchema, DuckDbWorkloadSchema, QueryWorkloadSchema } from "./schema.js";
export type { DuckDbDataset, DuckDbTarget, DuckDbWorkload, QueryWorkload } from "./schema.js";
export { createDataset, type DatasetCreated } from "./datasets.js";
export { unknownQueryProblem, type WorkloadProblem } from "./query.js";
