// What one trial of a scenario offers to compare: its metrics in display order (throughput, the
// latency percentiles and their parts, errors, integrity counts, probe readings), per record when
// an operation carries several, and how trials group into scenarios across runs. Which of them a
// regression gate judges is decided here too.
import { timingOf, type OperationTiming } from "../metrics/operation-timing.js";
import type { LatencySummary } from "../metrics/summary.js";
import type { StoredRun, StoredScenario } from "../store/results-store.js";

export interface MetricSpec {
  metric: string;
  unit: string;
  higherIsBetter: boolean;
}

/** Probe metrics compared, with their direction; others are kept in the store but not judged. */
const PROBE_METRICS: Readonly<Record<string, { unit: string; higherIsBetter: boolean; resource: boolean }>> = {
  cache_hit_ratio: { unit: "ratio", higherIsBetter: true, resource: false },
  mean_query_time: { unit: "ms", higherIsBetter: false, resource: false },
  connection_usage: { unit: "ratio", higherIsBetter: false, resource: true },
  cpu_usage: { unit: "ratio", higherIsBetter: false, resource: true },
  memory_usage: { unit: "ratio", higherIsBetter: false, resource: true },
  consumer_lag: { unit: "count", higherIsBetter: false, resource: false },
  under_replicated_partitions: { unit: "count", higherIsBetter: false, resource: false },
  deadlocks: { unit: "count", higherIsBetter: false, resource: false },
};

export const LATENCY_KEYS: readonly [string, keyof LatencySummary, number][] = [
  ["p50", "p50", 50],
  ["p95", "p95", 95],
  ["p99", "p99", 99],
];
const INTEGRITY = ["lost", "duplicated", "out_of_order"] as const;

/**
 * Whether a worse verdict on this metric counts for --fail-on-regression. Resource usage (host
 * CPU, memory, connection usage) is shown with its verdict but does not fail a build: spending
 * more CPU to go faster is the point of many optimizations.
 */
export function gatesRegression(metric: string): boolean {
  const name = metric.includes(".") ? metric.slice(metric.lastIndexOf(".") + 1) : metric;
  // The parts of latency explain a change in it; the latency itself is what is judged.
  if (TIMING_PARTS.some((prefix) => metric.startsWith(`${prefix}.`))) return false;
  return PROBE_METRICS[name]?.resource !== true;
}

/** The parts of an operation's latency, compared at p99 in this order: where a change in latency came from. */
const TIMING_PARTS: readonly OperationTiming[] = ["start_delay", "client_wait", "service"];

/** Records per operation as notes print it: 100, or 2.5. */
export function formatPerOp(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** Suffix of the latencies per record added when the operation changed: "p50 per record". */
export const PER_RECORD = " per record";

/**
 * Whether a metric measures one operation: ops/s, the latency percentiles and their parts, and
 * the mean statement time of the scenario's own target (a statement is its operation there).
 */
export function isPerOperation(metric: string, target: string): boolean {
  if (metric === "ops" || LATENCY_KEYS.some(([name]) => metric === name)) return true;
  if (TIMING_PARTS.some((prefix) => metric.startsWith(`${prefix}.`))) return true;
  return metric === `${target}.mean_query_time`;
}

/** Records per operation of a trial; undefined without operations. */
function trialRecordsPerOp(t: StoredScenario): number | undefined {
  return t.result.ops > 0 ? t.result.records / t.result.ops : undefined;
}

/** Records per operation over trials; undefined without operations. */
export function recordsPerOp(trials: readonly StoredScenario[]): number | undefined {
  const ops = trials.reduce((sum, t) => sum + t.result.ops, 0);
  return ops > 0 ? trials.reduce((sum, t) => sum + t.result.records, 0) / ops : undefined;
}

export const alike = (x: number, y: number): boolean => Math.abs(x - y) <= 0.01 * Math.max(Math.abs(x), Math.abs(y));

/**
 * Whether every operation of these trials carried the same number of records (every trial, and
 * every second of its series, within 1 %): only then is a latency percentile ÷ records per
 * operation the percentile of the time per record.
 */
export function constantRecordsPerOp(trials: readonly StoredScenario[], perOp: number): boolean {
  return trials.every((t) => {
    const own = trialRecordsPerOp(t);
    return own !== undefined && alike(own, perOp) && t.result.series.every((p) => p.ops === 0 || alike(p.records / p.ops, perOp));
  });
}

/** A trial's metrics with "pN per record" (latency ÷ records per operation) after throughput. */
export function withPerRecord(metrics: Map<string, MetricSpec & { value: number }>, t: StoredScenario): Map<string, MetricSpec & { value: number }> {
  const perOp = trialRecordsPerOp(t);
  if (perOp === undefined || t.result.latency.count === 0) return metrics;
  const out = new Map<string, MetricSpec & { value: number }>();
  const add = (): void => {
    for (const [name, key] of LATENCY_KEYS) {
      const metric = `${name}${PER_RECORD}`;
      const value = t.result.latency[key] / perOp;
      if (Number.isFinite(value)) out.set(metric, { metric, unit: "ms", higherIsBetter: false, value });
    }
  };
  for (const [name, m] of metrics) {
    out.set(name, m);
    if (name === "throughput") add();
  }
  if (!metrics.has("throughput")) add();
  return out;
}

/** Every metric of one trial, in display order. */
export function trialMetrics(s: StoredScenario): Map<string, MetricSpec & { value: number }> {
  const out = new Map<string, MetricSpec & { value: number }>();
  const put = (metric: string, unit: string, higherIsBetter: boolean, value: number | null | undefined): void => {
    if (value !== null && value !== undefined && Number.isFinite(value)) out.set(metric, { metric, unit, higherIsBetter, value });
  };
  const r = s.result;
  put("throughput", "records/s", true, r.throughput);
  // Operations per second only where an operation carries several records; otherwise it repeats throughput.
  if (Math.abs(r.opsPerSec - r.throughput) > 1e-9 * Math.max(1, r.throughput)) put("ops", "ops/s", true, r.opsPerSec);
  if (r.latency.count > 0) for (const [name, key] of LATENCY_KEYS) put(name, "ms", false, r.latency[key]);
  if (r.ops + r.errors > 0) put("error_rate", "ratio", false, r.errorRate);
  put("dropped", "count", false, r.dropped);
  for (const timing of TIMING_PARTS) {
    const summary = timingOf(r, timing)?.summary;
    if (summary !== undefined && summary.count > 0) put(`${timing}.p99`, "ms", false, summary.p99);
  }
  if (r.observed !== undefined && r.observed.latency.count > 0) {
    for (const [name, key] of LATENCY_KEYS) put(`${r.observed.name}.${name}`, "ms", false, r.observed.latency[key]);
  }
  for (const name of INTEGRITY) put(name, "count", false, r.counters?.[name]);
  for (const p of s.probes) {
    if (p.phase !== "interval") continue;
    for (const [name, value] of Object.entries(p.reading.metrics)) {
      const spec = PROBE_METRICS[name];
      if (spec !== undefined) put(`${p.target ?? "host"}.${name}`, spec.unit, spec.higherIsBetter, value);
    }
  }
  return out;
}

/** A scenario's identity across runs: its name, and its sweep combination when it has one. */
function scenarioKey(s: StoredScenario): string {
  if (s.variant === undefined) return s.name;
  const parts = Object.keys(s.variant)
    .sort()
    .map((k) => `${k}=${JSON.stringify(s.variant?.[k])}`);
  return `${s.name} [${parts.join(", ")}]`;
}

export function groupTrials(run: StoredRun): Map<string, StoredScenario[]> {
  const groups = new Map<string, StoredScenario[]>();
  for (const s of run.scenarioResults) {
    const key = scenarioKey(s);
    const list = groups.get(key) ?? [];
    list.push(s);
    groups.set(key, list);
  }
  return groups;
}
