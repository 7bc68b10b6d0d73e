// What a `ray` target and its `task` workload accept. Strict objects: an unknown key is a mistake the
// suite loader reports with its line.
import { z } from "zod";
import { baseUrl } from "../base-url.js";
import { Duration } from "../../suite/units.js";

const DashboardUrl = baseUrl("Ray dashboard", "write the head's dashboard (Jobs API) address, e.g. http://ray-head.example.com:8265 (no path), or ${RAY_URL:-http://127.0.0.1:8265}");

export const RayTargetSchema = z.strictObject({
  kind: z.literal("ray"),
  /** The head's dashboard, where the Jobs REST API and the State API answer (port 8265 by default). */
  url: DashboardUrl,
  /** The Python the load agent's job runs with, on the cluster (the job's entrypoint command). */
  python: z.string().min(1).default("python"),
  /**
   * The address the agent connects back to, on this machine: where the cluster can reach
   * pipebench. 127.0.0.1 for a local head; this machine's address for a remote cluster.
   */
  callbackHost: z.string().min(1).default("127.0.0.1"),
  /** How long the agent's job may take to start and connect (a first job creates its supervisor). */
  agentTimeout: Duration.default(120_000),
});

const TaskKind = z.enum(["cpu", "io", "python", "noop"]);

export const RayTaskWorkloadSchema = z
  .strictObject({
    type: z.literal("task"),
    /**
     * cpu: seed 000's numpy loop of `iterations` sqrt·sin·cos; io: an async task sleeping `sleep`;
     * python: `function` of the module file `module`, called with `args`; noop: returns at once.
     */
    kind: TaskKind,
    iterations: z.number().int().min(0).default(50_000),
    sleep: Duration.default(100),
    /** A Python file (relative to the suite), shipped to the cluster with the job. */
    module: z.string().min(1).optional(),
    function: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "not a Python function name").optional(),
    /** The function's positional arguments (JSON values). */
    args: z.array(z.json()).default([]),
    /** CPUs each task reserves (Ray's num_cpus); 0 lets tasks run beyond the cluster's CPU count. */
    numCpus: z.number().min(0).default(1),
  })
  .superRefine((w, ctx) => {
    if (w.kind === "python" && (w.module === undefined || w.function === undefined)) {
      ctx.addIssue({ code: "custom", message: "a python task needs `module` and `function`", params: { fix: "name the file and the function, e.g. module: tasks/score.py, function: score" } });
    }
    if (w.kind !== "python" && (w.module !== undefined || w.function !== undefined)) {
      ctx.addIssue({ code: "custom", message: `\`module\` and \`function\` are for kind: python, not kind: ${w.kind}`, params: { fix: "set kind: python, or drop module and function" } });
    }
  });

export const RayWorkloadSchema = z.discriminatedUnion("type", [RayTaskWorkloadSchema]);

export type RayTarget = z.output<typeof RayTargetSchema>;
export type RayWorkload = z.output<typeof RayWorkloadSchema>;
export type RayTaskWorkload = z.output<typeof RayTaskWorkloadSchema>;
