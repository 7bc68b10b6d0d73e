// Ray: seed 000 Day 6 Task 3's two questions (are the CPU-bound tasks fast enough, are the I/O-bound
// ones), asked of what the ray driver and the ray-state probe kept: tasks pending beside the CPUs in
// use at the same moment, the object store, the tasks that failed with Ray's error class. Each
// finding quotes the numbers and names the setting to change; the runbooks (docs/runbooks/ray-*.md)
// say what they rest on and which seed section they answer.
import type { ProbeReading } from "../../probes/probe.js";
import { formatBytes, formatPercent } from "../../report/format.js";
import type { StoredScenario } from "../../store/results-store.js";
import { intervalReading, loadField, workloadField } from "../readings.js";
import { defineRule, type Subject } from "../rule.js";

const PROBE = "ray-state";
/** The object store at or above this share of its size is "near full". */
const STORE_NEAR = 0.8;
/** Samples with pending tasks and idle CPUs needed before the scheduler is blamed (start-up has one). */
const IDLE_SAMPLES_MIN = 2;

// Each names the section of the team's "Performance Baseline & Optimization" plan it answers (Day 6
// Task 3 benchmarks Ray, Day 7 Task 1 asks for its bottlenecks) by that document's own title, as the
// service rules name the team's Performance Troubleshooting Runbook: a user has that, not our seeds.
const PENDING_RUNBOOK = "docs/runbooks/ray-pending-tasks.md · Performance Baseline & Optimization Day 6 Task 3.1 CPU-Bound Workload, Day 7 Task 1 Bottleneck Analysis";
const RAY_DOCS_SCHED = "https://docs.ray.io/en/latest/ray-core/scheduling/resources.html";
const RAY_DOCS_ASYNC = "https://docs.ray.io/en/latest/ray-core/actors/async_api.html";
const RAY_DOCS_OBJECTS = "https://docs.ray.io/en/latest/ray-core/objects/object-spilling.html";
const RAY_DOCS_FAULTS = "https://docs.ray.io/en/latest/ray-core/fault_tolerance/tasks.html";

interface RayContext {
  scenario: StoredScenario;
  reading: ProbeReading;
  m: Readonly<Record<string, number>>;
  kind: string;
  numCpus: number;
  workers: number | undefined;
}

function rayContext({ scenario }: Subject): RayContext | undefined {
  if (scenario === null || scenario.targetKind !== "ray") return undefined;
  const reading = intervalReading(scenario, PROBE, scenario.target);
  if (reading === undefined) return undefined;
  const kind = workloadField(scenario, "kind");
  const numCpus = workloadField(scenario, "numCpus");
  const workers = loadField(scenario, "workers");
  return {
    scenario,
    reading,
    m: reading.metrics,
    kind: typeof kind === "string" ? kind : "cpu",
    numCpus: typeof numCpus === "number" ? numCpus : 1,
    workers: typeof workers === "number" ? workers : undefined,
  };
}

/** A wait that failed the scenario's thresholds matters more than one that did not. */
function highIfFailed(c: RayContext): "high" | "medium" {
  return c.scenario.thresholds.some((t) => !t.passed) ? "high" : "medium";
}

function inFlight(c: RayContext): string {
  return c.workers === undefined ? "" : `; the scenario kept up to ${c.workers} tasks in flight`;
}

interface FailedMatch {
  scenario: StoredScenario;
  classes: [string, number][];
  total: number;
  sample: string | undefined;
}

export const RAY_RULES = [
  defineRule<RayContext>({
    id: "ray.cpu-bound",
    area: "ray",
    culprit: "target",
    scope: "scenario",
    title: "The Ray cluster is CPU bound: tasks wait for a free CPU",
    impact: highIfFailed,
    rank: (c) => c.m.ray_pending_cpus_busy_max ?? 0,
    runbook: `${PENDING_RUNBOOK} · Ray resources ${RAY_DOCS_SCHED}`,
    when: (subject) => {
      const c = rayContext(subject);
      if (c === undefined || c.kind === "io" || c.numCpus === 0) return undefined;
      return (c.m.ray_samples_pending_cpus_busy ?? 0) > 0 && (c.m.ray_pending_cpus_busy_max ?? 0) > 0 ? c : undefined;
    },
    evidence: (c) => [
      `ray-state: up to ${c.m.ray_pending_cpus_busy_max} tasks pending while ${c.m.ray_cpus_used_max} of ${c.m.ray_cpus} CPUs were in use (${c.m.ray_samples_pending_cpus_busy} of ${c.m.ray_samples} samples)${inFlight(c)}`,
      `each task reserves num_cpus=${c.numCpus}: at most ${Math.floor((c.m.ray_cpus ?? 0) / Math.max(c.numCpus, 1e-9))} run at once on ${c.m.ray_nodes} node(s)`,
    ],
    recommendation: (c) =>
      `add CPUs: more worker nodes (ray start --address=<head>:6379 --num-cpus=N on each; on Kubernetes raise the RayCluster's workerGroupSpecs replicas), ` +
      `or a larger --num-cpus where the machine has idle cores; if a task does not keep a whole core busy, reserve less per task ` +
      `(@ray.remote(num_cpus=0.5), here workload.numCpus) so more run at once`,
  }),

  defineRule<RayContext>({
    id: "ray.scheduling-bound",
    area: "ray",
    culprit: "target",
    scope: "scenario",
    title: "Ray tasks wait while CPUs are idle: the scheduler or the submitting driver is the bottleneck",
    impact: "medium",
    rank: (c) => c.m.ray_pending_cpus_idle_max ?? 0,
    runbook: `${PENDING_RUNBOOK} · Ray resources ${RAY_DOCS_SCHED}`,
    when: (subject) => {
      const c = rayContext(subject);
      if (c === undefined) return undefined;
      const idle = c.m.ray_samples_pending_cpus_idle ?? 0;
      return idle >= IDLE_SAMPLES_MIN && idle >= (c.m.ray_samples_pending_cpus_busy ?? 0) ? c : undefined;
    },
    evidence: (c) => [
      `ray-state: up to ${c.m.ray_pending_cpus_idle_max} tasks pending while at most half of ${c.m.ray_cpus} CPUs were in use (${c.m.ray_samples_pending_cpus_idle} of ${c.m.ray_samples} samples)${inFlight(c)}`,
      `${c.m.ray_workers} worker processes on ${c.m.ray_nodes} node(s)`,
    ],
    recommendation: () =>
      "the tasks are too short for Ray's per-task cost (scheduling, worker lease, result transfer: about 1–3 ms each): batch several items into one task, " +
      "or keep state in an actor and call its methods; if workers are still starting, warm the cluster first (a warm-up) or keep idle workers " +
      "(RAY_num_prestart_python_workers); a driver that submits one task at a time should submit many before it waits (ray.get on a list)",
  }),

  defineRule<RayContext>({
    id: "ray.io-concurrency",
    area: "ray",
    culprit: "target",
    scope: "scenario",
    title: "I/O-bound Ray tasks are limited by CPU slots, not by I/O",
    impact: highIfFailed,
    rank: (c) => c.m.ray_tasks_pending_max ?? 0,
    runbook: `docs/runbooks/ray-io-concurrency.md · Performance Baseline & Optimization Day 6 Task 3.2 I/O-Bound Workload · AsyncIO actors ${RAY_DOCS_ASYNC}`,
    when: (subject) => {
      const c = rayContext(subject);
      if (c === undefined || c.kind !== "io" || c.numCpus === 0) return undefined;
      return (c.m.ray_tasks_pending_max ?? 0) > 0 && (c.m.ray_cpu_usage ?? 0) >= 0.9 ? c : undefined;
    },
    evidence: (c) => [
      `ray-state: up to ${c.m.ray_tasks_pending_max} tasks pending while all ${c.m.ray_cpus} CPUs were reserved${inFlight(c)}`,
      `each sleeping task holds num_cpus=${c.numCpus}: ${c.m.ray_cpus} CPUs run at most ${Math.floor((c.m.ray_cpus ?? 0) / Math.max(c.numCpus, 1e-9))} waits at once, whatever the I/O could take`,
    ],
    recommendation: () =>
      "run the I/O in an async actor (a class with async def methods: @ray.remote(max_concurrency=1000) class Fetcher, awaited calls overlap inside it), " +
      "or let each task reserve less (@ray.remote(num_cpus=0.1), here workload.numCpus) so waits overlap; note the seed's `@ray.remote async def` is " +
      "refused by Ray 2.x ('async def' should not be used for remote tasks)",
  }),

  defineRule<RayContext>({
    id: "ray.object-store",
    area: "ray",
    culprit: "target",
    scope: "scenario",
    title: (c) => ((c.m.ray_spilled_bytes ?? 0) > 0 ? "Ray spilled objects to disk: the object store was full" : "The Ray object store was near full"),
    impact: (c) => ((c.m.ray_spilled_bytes ?? 0) > 0 ? "high" : "medium"),
    rank: (c) => (c.m.ray_spilled_bytes ?? 0) + (c.m.ray_object_store_usage ?? 0),
    runbook: `docs/runbooks/ray-object-store.md · Performance Baseline & Optimization Day 7 Task 1 Bottleneck Analysis · object spilling ${RAY_DOCS_OBJECTS}`,
    when: (subject) => {
      const c = rayContext(subject);
      if (c === undefined) return undefined;
      return (c.m.ray_spilled_bytes ?? 0) > 0 || (c.m.ray_object_store_usage ?? 0) >= STORE_NEAR ? c : undefined;
    },
    evidence: (c) => [
      `ray-state: object store used up to ${formatBytes(c.m.ray_object_store_used_max_bytes ?? 0)} of ${formatBytes(c.m.ray_object_store_bytes ?? 0)} (${formatPercent(c.m.ray_object_store_usage ?? 0)})`,
      ...((c.m.ray_spilled_bytes ?? 0) > 0 ? [`${formatBytes(c.m.ray_spilled_bytes ?? 0)} spilled to disk during the scenario`] : []),
    ],
    recommendation: () =>
      "give the object store more memory (ray start --object-store-memory=BYTES, up to ~30 % of the node's RAM by default) or add nodes; " +
      "return smaller results, or drop references (del ref) to objects no longer needed so they can be freed; point spilling at a fast local disk " +
      "(object_spilling_config) if spilling cannot be avoided",
  }),

  defineRule<FailedMatch>({
    id: "ray.failed-tasks",
    area: "ray",
    culprit: "target",
    scope: "scenario",
    title: "Ray tasks failed",
    impact: "high",
    rank: (m) => m.total,
    runbook: `docs/runbooks/ray-failed-tasks.md · Performance Baseline & Optimization Day 6 Task 3 Ray Distributed Computing · task fault tolerance ${RAY_DOCS_FAULTS}`,
    when: ({ scenario }) => {
      if (scenario === null || scenario.targetKind !== "ray") return undefined;
      const classes = Object.entries(scenario.result.errorsByClass).filter(([cls]) => cls.startsWith("RAY_"));
      const total = classes.reduce((n, [, c]) => n + c, 0);
      if (total === 0) return undefined;
      classes.sort((a, b) => b[1] - a[1]);
      return { scenario, classes, total, sample: scenario.result.errorSamples.find((s) => /Error|Exception/.test(s)) };
    },
    evidence: (m) => [
      `${m.total} of ${m.scenario.result.ops} tasks failed: ${m.classes.map(([cls, n]) => `${cls.slice(4)} ×${n}`).join(", ")}`,
      ...(m.sample === undefined ? [] : [`e.g. ${m.sample.length > 200 ? `${m.sample.slice(0, 200)}…` : m.sample}`]),
    ],
    recommendation: (m) =>
      m.classes.some(([cls]) => cls.startsWith("RAY_RayTaskError"))
        ? "the task's own code raised (the class in parentheses): fix it, or catch what is expected inside the task; for transient failures retry them " +
          "with @ray.remote(max_retries=N, retry_exceptions=True)"
        : "Ray lost the task (a worker or node died, memory ran out): look at the raylet and worker logs in the session's logs/ folder, give the node more memory, " +
          "and let Ray retry system failures with @ray.remote(max_retries=N)",
  }),
];
