// The `ray-state` probe: what seed 000 Day 7 would ask of a slow Ray cluster, read from the head
// before, during and after a scenario:
//
//   - resources: GET /api/cluster_status (the autoscaler's load report, fresh from the GCS): CPUs,
//     GPUs, memory and object store, total and in use; the resource demand no node can meet yet
//     (tasks waiting for a CPU); alive nodes;
//   - tasks by state: each node's Prometheus endpoint (its metricsExportPort, found once through
//     GET /nodes?view=summary), ray_tasks on the owner side summed over user functions (pending,
//     running, finished, failed); spilled bytes; workers per node (the same summary): these two
//     cost the head CPU, so they are read at most every 5 s;
//
// Samples are gauges: the interval's metrics are the largest pending queue and CPU use seen between
// `before` and `after`, the failed tasks' growth, and the cluster's size at the end. The State API
// (slow: seconds with many tasks) is read once per scenario by the task workload, not here.
import { getMetricsFromIterator, type PromData, type PromMetrics } from "prom2javascript";
import type { JsonValue, Probe, ProbeReading, ProbeSnapshot } from "./probe.js";

export interface RayStateOptions {
  /** The head's dashboard (the target's url). */
  url: string;
  /** The load agent's job (hex), left out of nothing but named in the details. */
  agentJob?: string;
  sampleEveryMs?: number;
}

const MAX_HISTORY = 100_000;
/** How often the node summary and the nodes' metrics pages are read (the load report: every sample). */
const HEAVY_EVERY_MS = 5_000;
/** The Prometheus families the probe reads from each node. */
const FAMILIES = ["ray_tasks", "ray_spill_manager_objects_bytes"];
/** CPUs in use at or above this share: all busy; at or below IDLE_SHARE: mostly idle. */
const BUSY_SHARE = 0.9;
const IDLE_SHARE = 0.5;
const TIMEOUT_MS = 5_000;
/** The node summary gathers every worker's stats: seconds on a busy head. */
const SUMMARY_TIMEOUT_MS = 15_000;
/** Owner-side task states, grouped as the issue and Ray's dashboard group them. */
const PENDING = new Set(["PENDING_ARGS_AVAIL", "PENDING_NODE_ASSIGNMENT", "PENDING_OBJ_STORE_MEM_AVAIL", "PENDING_ARGS_FETCH"]);
const RUNNING = new Set(["SUBMITTED_TO_WORKER", "RUNNING", "RUNNING_IN_RAY_GET", "RUNNING_IN_RAY_WAIT", "GETTING_AND_PINNING_ARGS"]);

interface Sample {
  at: number;
  workers: number;
  pending: number;
  running: number;
  cpusUsed: number;
  objectStoreUsed: number;
  demand: number;
}

export function rayStateProbe(options: RayStateOptions): Probe {
  const base = options.url.replace(/\/$/, "");
  const samples: Sample[] = [];
  let metricsUrls: string[] | undefined;
  let heavy: { at: number; summary: JsonValue | undefined; metrics: (PromMetrics | undefined)[] } | undefined;
  return {
    kind: "ray-state",
    ...(options.sampleEveryMs === undefined ? {} : { sampleEveryMs: options.sampleEveryMs }),
    async read(): Promise<ProbeSnapshot> {
      const at = Date.now();
      const status = await getJson(`${base}/api/cluster_status`);
      // The node summary and the metrics pages cost the head's Python processes CPU the tasks
      // want (a 1 s sampler took ~30 % of seed 000's CPU-bound throughput on 2 busy cores): read
      // at most every HEAVY_EVERY_MS, their last values kept between.
      const fresh = heavy === undefined || at - heavy.at >= HEAVY_EVERY_MS;
      if (fresh) {
        // A summary that does not come (the dashboard busy) keeps the last one, and the metrics
        // pages are found again from the next that comes.
        const summary = (await getJson(`${base}/nodes?view=summary`, SUMMARY_TIMEOUT_MS).catch(() => undefined)) ?? heavy?.summary;
        if (metricsUrls === undefined || metricsUrls.length === 0) metricsUrls = metricsEndpoints(summary);
        heavy = { at, summary, metrics: await Promise.all(metricsUrls.map((u) => scrape(u))) };
      }
      const snapshot = snapshotOf(at, status, heavy!.summary, heavy!.metrics, options.agentJob);
      const v = snapshot.values;
      // Pending tasks pair with the CPUs in use at the same moment: a kept (older) count does not.
      samples.push({ at, workers: v.workers ?? 0, pending: fresh ? (v.tasks_pending ?? 0) : 0, running: v.tasks_running ?? 0, cpusUsed: v.cpus_used ?? 0, objectStoreUsed: v.object_store_used_bytes ?? 0, demand: v.cpu_demand ?? 0 });
      if (samples.length > MAX_HISTORY) samples.splice(0, samples.length - MAX_HISTORY);
      return snapshot;
    },
    summarize(before, after): ProbeReading {
      const seen = samples.filter((s) => s.at >= before.at && s.at <= after.at);
      const max = (pick: (s: Sample) => number): number => Math.max(0, ...seen.map(pick));
      const a = after.values;
      const cpus = a.cpus ?? 0;
      const store = a.object_store_bytes ?? 0;
      const cpusUsedMax = max((s) => s.cpusUsed);
      const storeUsedMax = max((s) => s.objectStoreUsed);
      // Pending tasks beside the CPUs in use at the same moment: all busy (CPU bound) or mostly idle
      // (the scheduler or the submitting driver is the bottleneck).
      const pendingOf = (x: Sample): number => Math.max(x.pending, x.demand);
      const busy = seen.filter((x) => pendingOf(x) > 0 && cpus > 0 && x.cpusUsed >= cpus * BUSY_SHARE);
      const idle = seen.filter((x) => pendingOf(x) > 0 && cpus > 0 && x.cpusUsed <= cpus * IDLE_SHARE);
      const notes: string[] = [];
      if (a.metrics_endpoints === 0) notes.push("no node's metrics endpoint answered: tasks by state are from the load report's demand only");
      return {
        metrics: {
          ray_nodes: a.nodes ?? 0,
          // The most seen: the node summary is read every 5 s, and lags the raylet by a few.
          ray_workers: Math.max(a.workers ?? 0, max((x) => x.workers)),
          ray_cpus: cpus,
          ray_gpus: a.gpus ?? 0,
          ray_memory_bytes: a.memory_bytes ?? 0,
          ray_object_store_bytes: store,
          ray_cpus_used_max: cpusUsedMax,
          ray_cpu_usage: cpus > 0 ? cpusUsedMax / cpus : 0,
          ray_tasks_pending_max: max(pendingOf),
          ray_samples: seen.length,
          ray_samples_pending_cpus_busy: busy.length,
          ray_samples_pending_cpus_idle: idle.length,
          ray_pending_cpus_busy_max: Math.max(0, ...busy.map(pendingOf)),
          ray_pending_cpus_idle_max: Math.max(0, ...idle.map(pendingOf)),
          ray_tasks_running_max: max((s) => s.running),
          ray_tasks_finished: Math.max(0, (a.tasks_finished ?? 0) - (before.values.tasks_finished ?? 0)),
          ray_tasks_failed: Math.max(0, (a.tasks_failed ?? 0) - (before.values.tasks_failed ?? 0)),
          ray_object_store_used_max_bytes: storeUsedMax,
          ray_object_store_usage: store > 0 ? storeUsedMax / store : 0,
          ray_spilled_bytes: Math.max(0, (a.spilled_bytes ?? 0) - (before.values.spilled_bytes ?? 0)),
        },
        ...(after.details === undefined ? {} : { details: after.details }),
        notes,
      };
    },
  };
}

async function getJson(url: string, timeoutMs = TIMEOUT_MS): Promise<JsonValue> {
  // GET through fetch is fine: only POST and DELETE are refused to "browsers".
  const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!r.ok) throw new Error(`HTTP ${r.status} from ${url}`);
  return (await r.json()) as JsonValue;
}

function obj(v: JsonValue | undefined): { [key: string]: JsonValue } | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? v : undefined;
}

function nodesOf(summary: JsonValue | undefined): { [key: string]: JsonValue }[] {
  const list = obj(obj(summary)?.data)?.summary;
  return Array.isArray(list) ? list.flatMap((n) => (obj(n) === undefined ? [] : [obj(n)!])) : [];
}

function metricsEndpoints(summary: JsonValue | undefined): string[] {
  const out: string[] = [];
  for (const node of nodesOf(summary)) {
    const raylet = obj(node.raylet);
    const host = raylet?.nodeManagerAddress;
    const port = raylet?.metricsExportPort;
    if (typeof host === "string" && typeof port === "number") out.push(`http://${host.includes(":") ? `[${host}]` : host}:${port}/metrics`);
  }
  return out;
}

async function scrape(url: string): Promise<PromMetrics | undefined> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!r.ok) return undefined;
    // Only the families read here go to the parser: one value it cannot read (NaN) fails a whole
    // page for prom2javascript, and Ray's page has ~1,300 lines of others.
    const lines = (await r.text()).split("\n").filter((line) => FAMILIES.some((f) => line.startsWith(`${f}{`) || line.startsWith(`${f} `) || line.startsWith(`# HELP ${f} `) || line.startsWith(`# TYPE ${f} `)));
    return await getMetricsFromIterator(lines[Symbol.iterator]());
  } catch {
    return undefined;
  }
}

function gauges(m: PromMetrics | undefined, name: string): PromData[] {
  const data = m?.[name]?.data;
  return Array.isArray(data) ? (data as PromData[]).filter((d) => typeof d.value === "number") : [];
}

/** A user's task, not Ray's own (the job supervisor, internal actors). */
function userTask(name: string | undefined): boolean {
  return name !== undefined && !name.startsWith("JobSupervisor") && !name.startsWith("_ray_internal");
}

function snapshotOf(at: number, status: JsonValue, summary: JsonValue | undefined, metrics: (PromMetrics | undefined)[], agentJob: string | undefined): ProbeSnapshot {
  const data = obj(obj(obj(status)?.data)?.clusterStatus);
  const load = obj(data?.loadMetricsReport);
  const usage = obj(load?.usage);
  const pair = (key: string): [number, number] => {
    const v = usage?.[key];
    return Array.isArray(v) && typeof v[0] === "number" && typeof v[1] === "number" ? [v[0], v[1]] : [0, 0];
  };
  const [cpusUsed, cpus] = pair("CPU");
  const [, gpus] = pair("GPU");
  const [memUsed, mem] = pair("memory");
  const [storeUsed, store] = pair("objectStoreMemory");
  // resourceDemand: [[{"CPU": 1.0}, count], …]: tasks (and actors) waiting for a node to fit them.
  let cpuDemand = 0;
  const demand = load?.resourceDemand;
  if (Array.isArray(demand)) {
    for (const d of demand) {
      if (Array.isArray(d) && typeof d[1] === "number" && obj(d[0])?.CPU !== undefined) cpuDemand += d[1];
    }
  }
  const active = obj(obj(data?.autoscalerReport)?.activeNodes);
  const nodes = nodesOf(summary);
  const alive = active === undefined ? nodes.length : Object.values(active).reduce<number>((n, c) => n + (typeof c === "number" ? c : 0), 0);
  const workers = nodes.reduce((n, node) => n + Number(obj(node.raylet)?.numWorkers ?? 0), 0);

  const byState: Record<string, number> = {};
  let spilled = 0;
  let answered = 0;
  for (const m of metrics) {
    if (m === undefined) continue;
    answered++;
    for (const d of gauges(m, "ray_tasks")) {
      if (d.labels.Source !== "owner" || !userTask(d.labels.Name)) continue;
      const state = d.labels.State ?? "UNKNOWN";
      byState[state] = (byState[state] ?? 0) + d.value;
    }
    for (const d of gauges(m, "ray_spill_manager_objects_bytes")) if (d.labels.State === "Spilled") spilled += d.value;
  }
  const sum = (set: ReadonlySet<string>): number => Object.entries(byState).reduce((n, [s, c]) => n + (set.has(s) ? c : 0), 0);
  const values: Record<string, number> = {
    nodes: alive,
    workers,
    cpus,
    cpus_used: cpusUsed,
    gpus,
    memory_bytes: mem,
    memory_used_bytes: memUsed,
    object_store_bytes: store,
    object_store_used_bytes: storeUsed,
    cpu_demand: cpuDemand,
    tasks_pending: sum(PENDING),
    tasks_running: sum(RUNNING),
    tasks_finished: byState.FINISHED ?? 0,
    tasks_failed: byState.FAILED ?? 0,
    spilled_bytes: spilled,
    metrics_endpoints: answered,
  };
  const details: { [key: string]: JsonValue } = {
    tasks_by_state: byState,
    resources: { CPU: [cpusUsed, cpus], GPU: gpus, memory: [memUsed, mem], object_store_memory: [storeUsed, store] },
    ...(agentJob === undefined ? {} : { agent_job: agentJob }),
  };
  return { at, values, details };
}
