// The metrics a threshold can name, and what kind of quantity each is. The kind decides which
// units an expression may use (`p95 < 50%` is caught when the suite loads, not after a 10-minute
// run) and how values are printed.

import { OPERATION_TIMINGS, type OperationTiming } from "../metrics/operation-timing.js";

export type MetricKind = "duration" | "rate" | "bandwidth" | "ratio" | "count" | "number";

/**
 * Latency percentiles of a scenario, in ms. Prefixed, the parts of it (OPERATION_TIMINGS):
 * `service.p99` from when the operation left for the target, `client_wait.p99` queued inside
 * pipebench for a connection, `start_delay.p99` an open loop's start behind its schedule.
 */
export const LATENCY_METRICS = ["min", "mean", "p50", "p90", "p95", "p99", "p99.9", "max"] as const;
export type LatencyMetric = (typeof LATENCY_METRICS)[number];

/** Whole-scenario numbers other than latency (see ScenarioResult). */
export const RESULT_METRICS = {
  throughput: "rate", // records per second
  peak_throughput: "rate", // records per second of the best full second
  ops: "rate", // operations per second
  mbps: "bandwidth", // megabytes (1e6 bytes) per second
  error_rate: "ratio",
  errors: "count",
  dropped: "count", // open loop: operations never sent (not errors)
  ops_total: "count",
  records: "count",
} as const satisfies Record<string, MetricKind>;
export type ResultMetric = keyof typeof RESULT_METRICS;

/**
 * Probe metrics whose kind is known ahead of the probe, by name. Any other snake_case name is
 * accepted as a probe metric too; its kind then follows the unit written.
 */
export type ProbeMetricKinds = Readonly<Record<string, MetricKind>>;

/** The host probe's metrics: the one probe that belongs to no driver. */
export const HOST_PROBE_METRICS: ProbeMetricKinds = {
  cpu_usage: "ratio",
  memory_usage: "ratio",
  load1: "number",
  load5: "number",
  load15: "number",
};

/**
 * The metrics-endpoint probe's readings of a service's own /metrics (src/probes/metrics-endpoint.ts):
 * its request-duration percentiles (ms, bounded by its histogram's buckets), requests, and process
 * CPU and memory. The prometheus probe's `promql.<name>` readings take the kind of the unit written.
 */
export const SERVER_PROBE_METRICS: ProbeMetricKinds = {
  server_p50: "duration",
  server_p95: "duration",
  server_p99: "duration",
  server_mean: "duration",
  server_requests: "count",
  server_request_rate: "rate",
  process_cpu_cores: "number",
  process_cpu_usage: "ratio",
  process_memory_usage: "ratio",
  process_resident_memory_bytes: "number",
};

/**
 * The host probe's metrics and those each driver declares (Driver.probeMetrics). Given the
 * drivers by whoever holds the registry (the suite loader's caller): thresholds sit below the
 * drivers and never import them.
 */
export function probeMetricKinds(drivers: Iterable<{ readonly probeMetrics?: ProbeMetricKinds }>): ProbeMetricKinds {
  const out: Record<string, MetricKind> = { ...HOST_PROBE_METRICS, ...SERVER_PROBE_METRICS };
  for (const driver of drivers) Object.assign(out, driver.probeMetrics);
  return out;
}

/**
 * Integrity counts a workload reports (Observer.count, PreparedWorkload.settle), judged by name:
 * `lost == 0`. Counts of other names are stored and printed but take no threshold until listed here.
 */
export const INTEGRITY_COUNTERS = ["lost", "duplicated", "out_of_order"] as const;
export type IntegrityCounter = (typeof INTEGRITY_COUNTERS)[number];

/**
 * Latencies pipebench's own workloads observe outside their operations (PreparedWorkload.observes).
 * `<name>.<latency metric>` is accepted for any snake_case name (the suite cannot know what a
 * workload observes before its driver prepares it); this list only catches typos of these.
 */
export const KNOWN_OBSERVED_LATENCIES = ["end_to_end", "freshness"] as const;

/** Other spellings accepted as they are: `p999` is ScenarioResult's own field name. */
export const METRIC_ALIASES: Readonly<Record<string, string>> = {
  p999: "p99.9",
};

/**
 * Names people write out of habit (k6, Prometheus, spreadsheets). Not accepted, because each is
 * ambiguous (`latency` at which percentile?), but named in the fix.
 */
export const METRIC_SYNONYMS: Readonly<Record<string, string>> = {
  avg: "mean",
  average: "mean",
  median: "p50",
  peak: "peak_throughput",
  rps: "throughput",
  tps: "throughput",
  qps: "ops",
  error: "errors",
  failures: "errors",
  latency: "p95",
};

/** The parts of an operation's latency that thresholds can name as a prefix (metrics/operation-timing.ts). */
export { OPERATION_TIMINGS, type OperationTiming } from "../metrics/operation-timing.js";

export function isOperationTiming(name: string): name is OperationTiming {
  return (OPERATION_TIMINGS as readonly string[]).includes(name);
}

/** Where a metric's value comes from; decides the lookup and the note when it is missing. */
export type MetricSource =
  | { readonly from: "latency"; readonly name: LatencyMetric }
  | { readonly from: "timing"; readonly timing: OperationTiming; readonly name: LatencyMetric }
  /** A latency the workload observed outside its operations: `end_to_end.p99`. */
  | { readonly from: "observed"; readonly observed: string; readonly name: LatencyMetric }
  | { readonly from: "result"; readonly name: ResultMetric }
  | { readonly from: "counter"; readonly name: IntegrityCounter }
  | { readonly from: "probe"; readonly name: string; readonly target?: string };

export function isLatencyMetric(name: string): name is LatencyMetric {
  return (LATENCY_METRICS as readonly string[]).includes(name);
}

export function isResultMetric(name: string): name is ResultMetric {
  return Object.hasOwn(RESULT_METRICS, name);
}

export function isIntegrityCounter(name: string): name is IntegrityCounter {
  return (INTEGRITY_COUNTERS as readonly string[]).includes(name);
}

/** Every name a threshold may use unqualified whose kind is known, for "did you mean". */
export function knownMetricNames(probeMetrics: ProbeMetricKinds = HOST_PROBE_METRICS): string[] {
  return [...LATENCY_METRICS, ...Object.keys(RESULT_METRICS), ...INTEGRITY_COUNTERS, ...Object.keys(probeMetrics)];
}

const PROBE_METRIC = /^[a-z][a-z0-9_]*$/;
const QUALIFIER = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** An observed latency's name: snake_case, like every metric name. */
const OBSERVED_NAME = PROBE_METRIC;
/** Qualifiers with a meaning of their own: never the name of an observed latency. */
const RESERVED_QUALIFIERS: ReadonlySet<string> = new Set([...OPERATION_TIMINGS, "host"]);

/**
 * Splits a canonical metric name into its source. Returns undefined for a name no rule accepts;
 * the parser turns that into an error with a fix.
 */
export function metricSource(metric: string): MetricSource | undefined {
  if (isLatencyMetric(metric)) return { from: "latency", name: metric };
  if (isResultMetric(metric)) return { from: "result", name: metric };
  if (isIntegrityCounter(metric)) return { from: "counter", name: metric };
  const dot = metric.indexOf(".");
  if (dot < 0) return PROBE_METRIC.test(metric) ? { from: "probe", name: metric } : undefined;
  const qualifier = metric.slice(0, dot);
  const rest = metric.slice(dot + 1);
  if (isOperationTiming(qualifier)) return isLatencyMetric(rest) ? { from: "timing", timing: qualifier, name: rest } : undefined;
  // A latency statistic after a snake_case name: a latency the workload observes (end_to_end.p99).
  // (The suite loader rejects one whose name is a target's: `pg.p95` means the scenario's p95.)
  if (isLatencyMetric(rest)) {
    return OBSERVED_NAME.test(qualifier) && !RESERVED_QUALIFIERS.has(qualifier)
      ? { from: "observed", observed: qualifier, name: rest }
      : undefined;
  }
  // Scenario metrics and counters take no qualifier.
  if (isResultMetric(rest) || isIntegrityCounter(rest)) return undefined;
  if (!QUALIFIER.test(qualifier) || !PROBE_METRIC.test(rest)) return undefined;
  return { from: "probe", name: rest, target: qualifier };
}

/** The kind a metric has regardless of how a threshold writes its value, when there is one. */
export function fixedKind(source: MetricSource, probeMetrics: ProbeMetricKinds = HOST_PROBE_METRICS): MetricKind | undefined {
  switch (source.from) {
    case "latency":
    case "timing":
    case "observed":
      return "duration";
    case "result":
      return RESULT_METRICS[source.name];
    case "counter":
      return "count";
    case "probe":
      return probeMetrics[source.name];
  }
}
