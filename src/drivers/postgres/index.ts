// The PostgreSQL driver: a target schema, a workload schema and `connect`. The pieces live next
// door: schema.ts (what a suite may write), connect.ts (pool, errors, setup), embedded.ts (a
// throwaway server), insert.ts and query.ts (the workloads).
import type { Driver } from "../driver.js";
import { EMBEDDED, hostPort } from "../endpoint.js";
import { unknownQueryProblem } from "../named-query.js";
import { postgresErrorClass } from "./error-classes.js";
import { PostgresTargetSchema, PostgresWorkloadSchema, type PostgresTarget, type PostgresWorkload } from "./schema.js";

export const postgres: Driver<PostgresTarget, PostgresWorkload> = {
  kind: "postgres",
  targetSchema: PostgresTargetSchema,
  workloadSchema: PostgresWorkloadSchema,
  probeKinds: ["postgres-stats"],
  probeMetrics: { cache_hit_ratio: "ratio", connection_usage: "ratio", mean_query_time: "duration" },
  errorClasses: postgresErrorClass,
  describeEndpoint: (target) =>
    target.embedded !== undefined && target.embedded !== false ? EMBEDDED
    : target.url !== undefined ? hostPort(target.url)
    : "in-process",
  checkWorkload: (target, workload, name) =>
    workload.type === "query" ? unknownQueryProblem(workload, target.queries, name) : undefined,
  // The client is loaded on first use: a suite without PostgreSQL does not pay for it.
  connect: async (target, ctx) => (await import("./connect.js")).connectPostgres(target, ctx),
};

export { startEmbeddedPostgres, type EmbeddedPostgres, type EmbeddedPostgresOptions } from "./embedded.js";
export type { InsertWorkload, PostgresTarget, PostgresWorkload, QueryWorkload } from "./schema.js";
