// The ClickHouse driver: a target schema, a workload schema and `connect`, over ClickHouse's HTTP
// interface with the official @clickhouse/client. The pieces live next door: schema.ts (what a
// suite may write), connect.ts (client, version, errors, setup), server-features.ts (what the
// server in front of us supports), insert.ts and query.ts (the workloads), encode.ts (the wire
// formats), table.ts (the generator's MergeTree), errors.ts (the server's error codes).
import type { Driver } from "../driver.js";
import { hostPort } from "../endpoint.js";
import { clickhouseErrorClass } from "./error-classes.js";
import { unknownQueryProblem } from "../named-query.js";
import { ClickHouseTargetSchema, ClickHouseWorkloadSchema, type ClickHouseTarget, type ClickHouseWorkload } from "./schema.js";

export const clickhouse: Driver<ClickHouseTarget, ClickHouseWorkload> = {
  kind: "clickhouse",
  targetSchema: ClickHouseTargetSchema,
  workloadSchema: ClickHouseWorkloadSchema,
  probeKinds: ["clickhouse-stats"],
  probeMetrics: {
    max_parts_per_partition: "count",
    rejected_inserts: "count",
    delayed_inserts: "count",
    compression_ratio: "number",
    inserted_rows_per_second: "rate",
    slowest_query_mean_ms: "duration",
  },
  errorClasses: clickhouseErrorClass,
  describeEndpoint: (target) => hostPort(target.url),
  checkWorkload: (target, workload, name) =>
    workload.type === "query" ? unknownQueryProblem(workload, target.queries, name) : undefined,
  // The client is loaded on first use: a suite without ClickHouse does not pay for it.
  connect: async (target, ctx) => (await import("./connect.js")).connectClickHouse(target, ctx),
};

export type { ClickHouseTarget, ClickHouseWorkload, InsertWorkload, QueryWorkload } from "./schema.js";
