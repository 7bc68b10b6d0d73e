// Trino: seed 000 Day 7's three questions of a slow Trino, over what the trino driver kept of each
// query (Trino's own final stats: counters server_queued_ms, server_cpu_ms, peak_memory_bytes and
// the `server` elapsed-time histogram) and the trino-stats probe (nodes, queued queries, memory
// pools). Each finding quotes the numbers and names the setting to change; the runbooks are
// docs/runbooks/trino-*.md.
import type { ProbeReading } from "../../probes/probe.js";
import { formatBytes, formatMs, formatPercent } from "../../format/numbers.js";
import type { StoredScenario } from "../../store/results-store.js";
import { intervalReading } from "../readings.js";
import { defineRule, type Subject } from "../rule.js";

const PROBE = "trino-stats";
/** Queued time worth a finding: this share of the server's elapsed time, and at least this long. */
const QUEUED_SHARE = 0.2;
const QUEUED_MIN_MS = 50;
/** Peak memory per node at or above this share of the node's pool is "near the limit". */
const MEMORY_NEAR = 0.8;
/** Trino's error names for a query over its memory limit (the driver prefixes them with TRINO_). */
const MEMORY_ERRORS = ["TRINO_EXCEEDED_LOCAL_MEMORY_LIMIT", "TRINO_EXCEEDED_GLOBAL_MEMORY_LIMIT", "TRINO_EXCEEDED_USER_MEMORY_LIMIT", "TRINO_CLUSTER_OUT_OF_MEMORY"];

interface TrinoContext {
  scenario: StoredScenario;
  /** Measured operations that reported Trino's stats (the `server` histogram's count). */
  queries: number;
  meanServerMs: number;
  counters: Record<string, number>;
  reading: ProbeReading | undefined;
}

function trinoContext({ scenario }: Subject): TrinoContext | undefined {
  if (scenario === null || scenario.targetKind !== "trino") return undefined;
  const server = scenario.result.observed;
  const queries = server?.name === "server" ? server.latency.count : 0;
  return {
    scenario,
    queries,
    meanServerMs: server?.latency.mean ?? 0,
    counters: scenario.result.counters ?? {},
    reading: intervalReading(scenario, PROBE, scenario.target),
  };
}

interface QueuedMatch extends TrinoContext {
  meanQueuedMs: number;
  maxQueuedQueries: number;
  workers: number;
}

interface MemoryMatch extends TrinoContext {
  peakBytes: number;
  nodes: number;
  poolPerNode: number | undefined;
  limitText: string | undefined;
  memoryErrors: number;
}

interface SingleMatch extends TrinoContext {
  nodes: number;
  cpuPerElapsed: number;
  failed: string[];
}

const QUEUED_RUNBOOK =
  "docs/runbooks/trino-queued.md · resource groups https://trino.io/docs/current/admin/resource-groups.html · " +
  "query management properties https://trino.io/docs/current/admin/properties-query-management.html";
const MEMORY_RUNBOOK =
  "docs/runbooks/trino-memory.md · memory properties https://trino.io/docs/current/admin/properties-resource-management.html · " +
  "spilling https://trino.io/docs/current/admin/spill.html";
const WORKERS_RUNBOOK =
  "docs/runbooks/trino-workers.md · deployment https://trino.io/docs/current/installation/deployment.html · " +
  "node scheduler https://trino.io/docs/current/admin/properties-node-scheduler.html";

export const TRINO_RULES = [
  defineRule<QueuedMatch>({
    id: "trino.queued",
    area: "trino",
    culprit: "target",
    scope: "scenario",
    title: "Trino queries wait in the queue before they run",
    impact: (m) => (m.meanQueuedMs >= m.meanServerMs * 0.5 ? "high" : "medium"),
    rank: (m) => m.meanQueuedMs,
    runbook: QUEUED_RUNBOOK,
    when: (subject) => {
      const c = trinoContext(subject);
      if (c === undefined || c.queries === 0) return undefined;
      const meanQueuedMs = (c.counters.server_queued_ms ?? 0) / c.queries;
      const maxQueuedQueries = c.reading?.metrics.trino_queued_queries ?? 0;
      const queuedLong = meanQueuedMs >= QUEUED_MIN_MS && meanQueuedMs >= c.meanServerMs * QUEUED_SHARE;
      // Long against the query itself, or long enough while the probe saw a queue.
      if (!queuedLong && !(maxQueuedQueries > 0 && meanQueuedMs >= QUEUED_MIN_MS)) return undefined;
      return { ...c, meanQueuedMs, maxQueuedQueries, workers: c.reading?.metrics.trino_workers ?? 0 };
    },
    evidence: (m) => [
      `queued ${formatMs(m.meanQueuedMs)} per query on average, of ${formatMs(m.meanServerMs)} Trino elapsed (${formatPercent(m.meanQueuedMs / Math.max(1, m.meanServerMs))}), over ${m.queries} queries`,
      ...(m.reading === undefined ? [] : [`trino-stats: up to ${m.maxQueuedQueries} queries queued at once; ${m.reading.metrics.trino_running_queries ?? 0} running; ${m.workers} worker(s) besides the coordinator`]),
    ],
    recommendation: () =>
      "queries wait for a slot or for memory: run fewer at once (the scenario's workers:) to match what the cluster runs; if a resource group holds them, raise its " +
      "hardConcurrencyLimit (and maxQueued) in etc/resource-groups.json; if they wait for memory, add workers (each adds its query.max-memory-per-node to the cluster)",
  }),

  defineRule<MemoryMatch>({
    id: "trino.memory-near-limit",
    area: "trino",
    culprit: "target",
    scope: "scenario",
    title: (m) => (m.memoryErrors > 0 ? "Trino queries failed on their memory limit" : "Trino queries come close to query.max-memory-per-node"),
    impact: (m) => (m.memoryErrors > 0 ? "high" : "medium"),
    rank: (m) => m.memoryErrors * 1e12 + m.peakBytes,
    runbook: MEMORY_RUNBOOK,
    when: (subject) => {
      const c = trinoContext(subject);
      if (c === undefined) return undefined;
      const errors = c.scenario.result.errorsByClass;
      const memoryErrors = MEMORY_ERRORS.reduce((n, code) => n + (errors[code] ?? 0), 0);
      const nodes = Math.max(1, c.reading?.metrics.trino_active_nodes ?? 1);
      const pool = c.reading?.metrics.trino_memory_pool_bytes;
      const poolPerNode = pool === undefined || pool === 0 ? undefined : pool / nodes;
      const peakBytes = c.counters.peak_memory_bytes ?? 0;
      const near = poolPerNode !== undefined && peakBytes / nodes >= poolPerNode * MEMORY_NEAR;
      if (memoryErrors === 0 && !near) return undefined;
      const limitText = c.scenario.result.errorSamples.map((s) => /memory limit of (\S+)/.exec(s)?.[1]).find((x) => x !== undefined);
      return { ...c, peakBytes, nodes, poolPerNode, limitText, memoryErrors };
    },
    evidence: (m) => [
      ...(m.memoryErrors > 0 ? [`${m.memoryErrors} queries failed with EXCEEDED_*_MEMORY_LIMIT${m.limitText === undefined ? "" : ` (limit ${m.limitText})`}`] : []),
      // Failed queries report no stats: the peak is of the ones that finished, when any did.
      ...(m.peakBytes === 0
        ? []
        : [
            `largest query's peak memory ${formatBytes(m.peakBytes)} over ${m.nodes} node(s)` +
              (m.poolPerNode === undefined ? "" : `, against a memory pool of ${formatBytes(m.poolPerNode)} per node (${formatPercent(m.peakBytes / m.nodes / m.poolPerNode)})`),
          ]),
    ],
    recommendation: (m) => {
      const limit = m.limitText === undefined ? 0 : sizeBytes(m.limitText);
      const want = Math.max((m.peakBytes / m.nodes) * 2, limit * 2, 512 * 1024 * 1024);
      return (
        `raise query.max-memory-per-node (etc/config.properties on every node) to about ${Math.ceil(want / (1024 * 1024 * 1024))}GB and query.max-memory with it, ` +
        "keeping query.max-memory-per-node + memory.heap-headroom-per-node under the JVM's -Xmx; or let the query spill: spill-enabled=true with spiller-spill-path=/a/local/disk"
      );
    },
  }),

  defineRule<SingleMatch>({
    id: "trino.single-worker",
    area: "trino",
    culprit: "target",
    scope: "scenario",
    title: "One Trino node does all the work",
    impact: (m) => (m.failed.length > 0 ? "medium" : "low"),
    rank: (m) => m.cpuPerElapsed,
    runbook: WORKERS_RUNBOOK,
    when: (subject) => {
      const c = trinoContext(subject);
      if (c === undefined || c.reading === undefined || c.queries === 0) return undefined;
      const nodes = c.reading.metrics.trino_active_nodes ?? 0;
      if (nodes > 1 || nodes === 0) return undefined;
      const cpuPerElapsed = (c.counters.server_cpu_ms ?? 0) / Math.max(1, c.meanServerMs * c.queries);
      const failed = c.scenario.thresholds.filter((t) => !t.passed).map((t) => t.expr);
      // A query that keeps more than one core busy is split across threads: more nodes would
      // split it further. One that is mostly idle would not gain.
      if (failed.length === 0 && cpuPerElapsed < 1) return undefined;
      return { ...c, nodes, cpuPerElapsed, failed };
    },
    evidence: (m) => [
      `trino-stats: ${m.nodes} active node (the coordinator schedules work on itself: node-scheduler.include-coordinator=true)`,
      `Trino CPU ${formatMs(m.counters.server_cpu_ms ?? 0)} over ${formatMs(m.meanServerMs * m.queries)} elapsed: ${m.cpuPerElapsed.toFixed(1)} cores busy per query`,
      ...(m.failed.length > 0 ? [`failed: ${m.failed.join(", ")}`] : []),
    ],
    recommendation: () =>
      "add worker nodes (coordinator=false, discovery.uri pointing at the coordinator; on Kubernetes: kubectl scale deployment trino-worker --replicas=3) " +
      "and set node-scheduler.include-coordinator=false on the coordinator once workers are there, so it plans and schedules instead of scanning",
  }),
];

/** Bytes of a size as Trino prints it ("768MB", "1.50GB", "512kB"); 0 when it is not one. */
function sizeBytes(text: string): number {
  const m = /^([\d.]+)\s*([kMGT]?)B$/.exec(text);
  if (m === null) return 0;
  const power = ["", "k", "M", "G", "T"].indexOf(m[2] ?? "");
  return Number(m[1]) * 1024 ** Math.max(0, power);
}
