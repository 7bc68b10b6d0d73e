// What the service said about itself during the run: its own /metrics (the metrics-endpoint probe)
// and the suite's PromQL readings (the prometheus probe). Seed 002's runbook: §2 "High CPU Usage"
// (> 70 % sustained), §3 "High Memory Usage" (> 80 % of the limit), and its first latency step —
// read the service's own duration histogram — which tells a slow service from a slow path to it:
// when the service's own p99 is small and pipebench's is large, the time was spent outside the
// service (the network, a queue in front of its handler, or the client).
import type { ProbeReading } from "../../probes/probe.js";
import { formatBytes, formatMs, formatPercent } from "../../report/format.js";
import type { StoredScenario } from "../../store/results-store.js";
import { cpuUnit, memoryUnit } from "../promql-unit.js";
import { arrayAt, intervalReading, numberAt } from "../readings.js";
import { defineRule, type Subject } from "../rule.js";
import { notTheTarget } from "./culprit.js";

/** Seed 002's targets: CPU < 70 % average, memory < 80 % (of the limit). */
export const SERVER_CPU_MAX = 0.7;
export const SERVER_MEMORY_MAX = 0.8;
/** pipebench's p99 at least this many times the service's own (bucket-bounded) p99, and this much more. */
export const OUTSIDE_RATIO = 3;
export const OUTSIDE_MIN_MS = 10;
/** Fewer requests than this and a p99 is too close to the maximum to compare. */
const MIN_REQUESTS = 100;

// Each cites the data-platform runbook's section (seed 002) inside its docs/runbooks file.
const RUNBOOK_CPU = "docs/runbooks/service-cpu.md · Performance Troubleshooting Runbook §2 High CPU Usage";
const RUNBOOK_MEMORY = "docs/runbooks/service-memory.md · Performance Troubleshooting Runbook §3 High Memory Usage";
const RUNBOOK_LATENCY = "docs/runbooks/latency-outside-service.md · Performance Troubleshooting Runbook §1 High Latency Issues";

interface UsageMatch {
  scenario: StoredScenario;
  /** Where the share came from: "promql.cpu" or "ingest /metrics process_cpu_usage". */
  source: string;
  /** The share (0–1) judged against the runbook's target. */
  usage: number;
  detail: string | undefined;
  /** PromQL readings that were not judged, and why (a counter, a unit nobody said). */
  skipped: string[];
}

/** A reading as read, to three significant digits. */
const formatNumber = (v: number): string => Number(v.toPrecision(3)).toLocaleString("en-US", { maximumFractionDigits: 6 });

/** How a PromQL reading of this name becomes a share: its value × factor, and what was read. */
type PromqlShare = (name: string, value: number, query: string | undefined) => { usage: number; read: string } | { skipped: string } | undefined;

/**
 * A PromQL reading whose name matches `names` is judged only when its query (or name) says its unit:
 * a counter of CPU seconds, memory in bytes, or a number nobody said the unit of is not a share.
 */
function promqlShare(names: RegExp, unitOf: typeof cpuUnit): PromqlShare {
  return (name, value, query) => {
    if (!names.test(name)) return undefined;
    const unit = unitOf(name, query);
    if (unit.kind === "not-a-share") return { skipped: `promql.${name} (${formatNumber(value)}) not judged: ${unit.unit}` };
    const read = `read ${formatNumber(value)} in ${unit.unit}${query === undefined ? "" : ` from ${query}`}`;
    return { usage: value * unit.factor, read };
  };
}

const cpuShare = promqlShare(/cpu/, cpuUnit);
const memoryShare = promqlShare(/mem/, memoryUnit);

/** The largest share among the readings a rule knows: the endpoint's own, or PromQL readings by name. */
function usage(scenario: StoredScenario, endpointMetric: string, promqlShare: PromqlShare, max: number): UsageMatch | undefined {
  const found: Omit<UsageMatch, "skipped">[] = [];
  const skipped: string[] = [];
  const endpoint = intervalReading(scenario, "metrics-endpoint", scenario.target);
  const own = endpoint?.metrics[endpointMetric];
  if (own !== undefined) found.push({ scenario, source: `${scenario.target}'s /metrics ${endpointMetric}`, usage: own, detail: endpointDetail(endpoint!, endpointMetric) });
  const promql = intervalReading(scenario, "prometheus", "promql");
  for (const [name, value] of Object.entries(promql?.metrics ?? {})) {
    const share = promqlShare(name, value, queryOf(promql!, name));
    if (share === undefined) continue;
    if ("skipped" in share) skipped.push(share.skipped);
    else found.push({ scenario, source: `promql.${name}`, usage: share.usage, detail: share.read === "" ? undefined : share.read });
  }
  const worst = found.sort((a, b) => b.usage - a.usage)[0];
  return worst !== undefined && worst.usage > max ? { ...worst, skipped } : undefined;
}

function endpointDetail(reading: ProbeReading, metric: string): string | undefined {
  const m = reading.metrics;
  if (metric === "process_cpu_usage" && m.process_cpu_cores !== undefined) {
    const limit = numberAt(reading.details, "cpuLimit");
    return `${m.process_cpu_cores.toFixed(2)} cores of ${limit ?? 1}${limit === undefined ? " (no cpuLimit given: one core assumed)" : ""}`;
  }
  if (metric === "process_memory_usage" && m.process_resident_memory_bytes !== undefined) {
    const limit = numberAt(reading.details, "memoryLimitBytes");
    return `resident ${formatBytes(m.process_resident_memory_bytes)}${limit === undefined ? "" : ` of ${formatBytes(limit)}`}`;
  }
  return undefined;
}

function queryOf(reading: ProbeReading, name: string): string | undefined {
  const d = reading.details;
  if (d === undefined || d === null || typeof d !== "object" || Array.isArray(d)) return undefined;
  const q = (d as Record<string, unknown>)[name];
  return q !== null && typeof q === "object" && typeof (q as { query?: unknown }).query === "string" ? (q as { query: string }).query : undefined;
}

interface OutsideMatch {
  scenario: StoredScenario;
  /** The service's own p99 and the upper edge of the bucket it lies in (its true p99 is at most that). */
  serverP99: number;
  serverBound: number;
  requests: number;
}

/** The edge (ms) of the first bucket at or above `ms`, from the reading's details; `ms` when unknown. */
function bucketEdge(reading: ProbeReading, ms: number): number {
  const edges = arrayAt(reading.details, "buckets").flatMap((b) => {
    const le = numberAt(b, "le");
    return le === undefined ? [] : [le];
  });
  return edges.find((le) => le >= ms - 1e-9) ?? ms;
}

export const SERVER_METRICS_RULES = [
  defineRule<UsageMatch>({
    id: "server.cpu-high",
    area: "target",
    culprit: "target",
    scope: "scenario",
    title: "The service's CPU was above 70 % under this load",
    impact: "high",
    rank: (m) => m.usage,
    runbook: RUNBOOK_CPU,
    when: ({ scenario }: Subject) => (scenario === null || notTheTarget(scenario) ? undefined : usage(scenario, "process_cpu_usage", cpuShare, SERVER_CPU_MAX)),
    evidence: (m) => [
      `${m.source}: ${formatPercent(m.usage, 0)} at its peak over the scenario (the runbook's target: below ${formatPercent(SERVER_CPU_MAX, 0)})${m.detail === undefined ? "" : ` — ${m.detail}`}`,
      `pipebench's p99 ${formatMs(m.scenario.result.latency.p99)} at ${Math.round(m.scenario.result.opsPerSec)} ops/s`,
      ...m.skipped,
    ],
    recommendation: () =>
      "give the service more CPU or more replicas before this load reaches production: raise resources.limits.cpu (the runbook: 2000m, " +
      "requests 1000m), or scale out (kubectl scale deployment <service> --replicas=6); then profile the hot path " +
      "(python -m cProfile, node --cpu-prof) if CPU per request is what grew",
  }),
  defineRule<UsageMatch>({
    id: "server.memory-high",
    area: "target",
    culprit: "target",
    scope: "scenario",
    title: "The service's memory was above 80 % of its limit under this load",
    impact: "high",
    rank: (m) => m.usage,
    runbook: RUNBOOK_MEMORY,
    when: ({ scenario }: Subject) => (scenario === null ? undefined : usage(scenario, "process_memory_usage", memoryShare, SERVER_MEMORY_MAX)),
    evidence: (m) => [
      `${m.source}: ${formatPercent(m.usage, 0)} at its peak over the scenario (the runbook's target: below ${formatPercent(SERVER_MEMORY_MAX, 0)})${m.detail === undefined ? "" : ` — ${m.detail}`}`,
      ...m.skipped,
    ],
    recommendation: () =>
      "raise resources.limits.memory (the runbook: 4Gi, requests 2Gi) before an OOMKill does it for you, process data in " +
      "batches instead of whole, and watch resident memory over a longer run for a leak (it should level off, not climb)",
  }),
  defineRule<OutsideMatch>({
    id: "server.latency-outside-service",
    area: "target",
    scope: "scenario",
    title: "The service's own latency is small but pipebench's is large: the time went outside the service",
    // A gap that failed no threshold is worth knowing, not an alarm (the quickstart has one: its
    // client-side p99 includes waits for pipebench's own connections).
    impact: (m) => (m.scenario.thresholds.some((t) => !t.passed) ? "high" : "medium"),
    rank: (m) => m.scenario.result.latency.p99 - m.serverBound,
    runbook: RUNBOOK_LATENCY,
    when: ({ scenario }: Subject) => {
      if (scenario === null) return undefined;
      const reading = intervalReading(scenario, "metrics-endpoint", scenario.target);
      const server = reading?.metrics.server_p99;
      const requests = reading?.metrics.server_requests ?? 0;
      const client = scenario.result.latency;
      if (reading === undefined || server === undefined || requests < MIN_REQUESTS || client.count < MIN_REQUESTS) return undefined;
      const bound = bucketEdge(reading, server);
      if (client.p99 < bound * OUTSIDE_RATIO || client.p99 - bound < OUTSIDE_MIN_MS) return undefined;
      return { scenario, serverP99: server, serverBound: bound, requests };
    },
    evidence: (m) => {
      const r = m.scenario.result;
      const parts = [
        `the service's own p99 ${formatMs(m.serverP99)} (at most ${formatMs(m.serverBound)}, its histogram's bucket) over ${Math.round(m.requests).toLocaleString("en-US")} requests`,
        `pipebench's p99 ${formatMs(r.latency.p99)}: ${formatMs(r.latency.p99 - m.serverBound)} or more of it was spent before the service's timer started or after it stopped`,
      ];
      const waits = [
        r.clientWait === undefined ? undefined : `waiting for a connection in pipebench p99 ${formatMs(r.clientWait.p99)}`,
        r.startDelay === undefined ? undefined : `start delay p99 ${formatMs(r.startDelay.p99)}`,
        `time from send to answer (service) p99 ${formatMs(r.service.p99)}`,
      ].filter((w): w is string => w !== undefined);
      parts.push(`pipebench's own breakdown: ${waits.join(" · ")}`);
      return parts;
    },
    recommendation: (m) =>
      notTheTarget(m.scenario)
        ? "the client side set the pace (see the culprit finding): fix that first, then compare again"
        : "look between pipebench and the service's handler, not inside it: the network (ping from the client's host to the service), " +
          "a load balancer or proxy, the service's accept queue or a blocked event loop before its request timer starts, and pipebench's own " +
          "connections (raise the target's connections: if client wait is most of it); adding service replicas or CPU will not help",
  }),
];
