// The `ray` driver: compute tasks on a Ray cluster, one Ray task per operation, through a load agent
// pipebench submits as a Ray job (Jobs REST API) that connects back over one socket. The pieces:
// schema.ts (what a suite may write), jobs.ts (the dashboard's REST APIs), agent.ts (the agent's
// Python), agent-client.ts (pipebench's side of it), connect.ts (version, agent, calibration),
// task.ts (the workload), unreachable.ts (one-line connection errors).
import type { Driver } from "../driver.js";
import { hostPort } from "../endpoint.js";
import { rayErrorClass } from "./error-classes.js";
import { RayTargetSchema, RayWorkloadSchema, type RayTarget, type RayWorkload } from "./schema.js";

export const ray: Driver<RayTarget, RayWorkload> = {
  kind: "ray",
  targetSchema: RayTargetSchema,
  workloadSchema: RayWorkloadSchema,
  probeKinds: ["ray-state"],
  probeMetrics: {
    ray_cpus: "count",
    ray_cpus_used_max: "number",
    ray_cpu_usage: "ratio",
    ray_tasks_pending_max: "count",
    ray_tasks_running_max: "count",
    ray_object_store_usage: "ratio",
    ray_spilled_bytes: "count",
    ray_nodes: "count",
    ray_workers: "count",
  },
  errorClasses: rayErrorClass,
  describeEndpoint: (target) => hostPort(target.url),
  connect: async (target, ctx) => (await import("./connect.js")).connectRay(target, ctx),
};

export { RayTargetSchema, RayWorkloadSchema } from "./schema.js";
export type { RayTarget, RayTaskWorkload, RayWorkload } from "./schema.js";
