// The `trino` driver: queries against a Trino coordinator over its REST protocol, optionally after
// loading generated datasets into a catalog that can create tables (the memory connector). The
// pieces: schema.ts (what a suite may write), protocol.ts (POST /v1/statement, follow nextUri),
// connect.ts (ready check, datasets, setup), query.ts (the workload, with Trino's own stats),
// datasets.ts (generated rows as SQL), unreachable.ts (one-line connection errors).
import type { Driver } from "../driver.js";
import { hostPort } from "../endpoint.js";
import { trinoErrorClass } from "./error-classes.js";
import { unknownQueryProblem } from "../named-query.js";
import { TrinoTargetSchema, TrinoWorkloadSchema, type TrinoTarget, type TrinoWorkload } from "./schema.js";

export const trino: Driver<TrinoTarget, TrinoWorkload> = {
  kind: "trino",
  targetSchema: TrinoTargetSchema,
  workloadSchema: TrinoWorkloadSchema,
  probeKinds: ["trino-stats"],
  probeMetrics: { trino_memory_usage: "ratio", trino_queued_queries: "count", trino_active_nodes: "count" },
  errorClasses: trinoErrorClass,
  describeEndpoint: (target) => hostPort(target.url),
  checkWorkload: (target, workload, name) => unknownQueryProblem(workload, target.queries, name),
  connect: async (target, ctx) => (await import("./connect.js")).connectTrino(target, ctx),
};

export { TrinoDatasetSchema, TrinoTargetSchema, TrinoWorkloadSchema } from "./schema.js";
export type { TrinoDataset, TrinoQueryWorkload, TrinoTarget, TrinoWorkload } from "./schema.js";
