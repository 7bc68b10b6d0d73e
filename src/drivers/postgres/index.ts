// The PostgreSQL driver: a target schema, a workload schema and `connect`. The pieces live next
// door: schema.ts (what a suite may write), connect.ts (pool, errors, setup), embedded.ts (a
// throwaway server), insert.ts and query.ts (the workloads).
import type { Driver } from "../driver.js";
import { connectPostgres } from "./connect.js";
import { PostgresTargetSchema, PostgresWorkloadSchema, type PostgresTarget, type PostgresWorkload } from "./schema.js";

export const postgres: Driver<PostgresTarget, PostgresWorkload> = {
  kind: "postgres",
  targetSchema: PostgresTargetSchema,
  workloadSchema: PostgresWorkloadSchema,
  probeKinds: ["postgres-stats"],
  connect: connectPostgres,
};

export { startEmbeddedPostgres, type EmbeddedPostgres, type EmbeddedPostgresOptions } from "./embedded.js";
export { unknownQueryProblem, type WorkloadProblem } from "./query.js";
export type { InsertWorkload, PostgresTarget, PostgresWorkload, QueryWorkload } from "./schema.js";
