// Where a threshold's metric gets its value: a scenario's result (its own latency, a latency its
// workload observed, its integrity counts), the probe readings taken around it, or (suite-level
// thresholds) the totals of a whole run.
import hdr from "hdr-histogram-js";
import { timingOf } from "../metrics/operation-timing.js";
import type { LatencySummary, ScenarioResult } from "../metrics/summary.js";
import type { ProbeReading } from "../probes/probe.js";
import {
  metricSource,
  type IntegrityCounter,
  type LatencyMetric,
  type OperationTiming,
  type ResultMetric,
} from "./metrics.js";

/** The value of a metric by its canonical name, or undefined when nothing reported it. */
export type MetricLookup = (metric: string) => number | undefined;

/** Probe readings by target name (the host probe under "host"), then by probe kind. */
export type ProbeReadings = Readonly<Record<string, Readonly<Record<string, ProbeReading>>>>;

const LATENCY_FIELD: Record<LatencyMetric, keyof LatencySummary> = {
  min: "min",
  mean: "mean",
  p50: "p50",
  p90: "p90",
  p95: "p95",
  p99: "p99",
  "p99.9": "p999",
  max: "max",
};

/** Numbers of one scenario, or of several taken together. */
interface Totals {
  latency(name: LatencyMetric): number | undefined;
  timing(timing: OperationTiming, name: LatencyMetric): number | undefined;
  observed(observed: string, name: LatencyMetric): number | undefined;
  result(name: ResultMetric): number | undefined;
  counter(name: IntegrityCounter): number | undefined;
}

export function scenarioMetricLookup(result: ScenarioResult, probes: ProbeReadings): MetricLookup {
  const fromSummary = (summary: LatencySummary, name: LatencyMetric): number | undefined =>
    // With no completed operation the summary holds zeros, which would pass every `<` threshold.
    summary.count > 0 ? summary[LATENCY_FIELD[name]] : undefined;
  return lookupWith(
    {
      latency: (name) => fromSummary(result.latency, name),
      timing: (timing, name) => {
        const part = timingOf(result, timing);
        return part === undefined ? undefined : fromSummary(part.summary, name);
      },
      observed: (observed, name) =>
        result.observed?.name === observed ? fromSummary(result.observed.latency, name) : undefined,
      result: (name) => resultMetric(name, result),
      counter: (name) => result.counters?.[name],
    },
    probes,
  );
}

/**
 * Suite-level thresholds: counts are summed, rates are totals over the summed measured time, and
 * latency percentiles come from the scenarios' merged histograms (percentiles do not average).
 * Probe readings are those taken over the whole run.
 */
export function runMetricLookup(results: readonly ScenarioResult[], probes: ProbeReadings): MetricLookup {
  const sum = (pick: (r: ScenarioResult) => number): number => results.reduce((acc, r) => acc + pick(r), 0);
  const seconds = sum((r) => r.durationS);
  const ops = sum((r) => r.ops);
  const errors = sum((r) => r.errors);
  const totals: ResultCounts = {
    ops,
    errors,
    records: sum((r) => r.records),
    opsPerSec: seconds > 0 ? ops / seconds : 0,
    throughput: seconds > 0 ? sum((r) => r.records) / seconds : 0,
    // Over a run: the best second of any of its scenarios (seconds of different scenarios never add).
    mbps: seconds > 0 ? sum((r) => r.bytes) / 1e6 / seconds : 0,
    errorRate: ops + errors > 0 ? errors / (ops + errors) : 0,
    dropped: sum((r) => r.dropped ?? 0),
    ...(results.some((r) => r.peakThroughput !== undefined) ? { peakThroughput: Math.max(...results.map((r) => r.peakThroughput ?? 0)) } : {}),
  };
  const latency = mergedLatency(results.map((r) => ({ summary: r.latency, histogram: r.latencyHistogram })));
  // Merged on first use, as the observed latencies below: most runs judge no part of latency.
  const timings = new Map<OperationTiming, (name: LatencyMetric) => number | undefined>();
  const timingLatency = (timing: OperationTiming): ((stat: LatencyMetric) => number | undefined) => {
    let merged = timings.get(timing);
    if (merged === undefined) {
      merged = mergedLatency(
        results.flatMap((r) => {
          const part = timingOf(r, timing);
          return part === undefined || part.histogram === undefined ? [] : [{ summary: part.summary, histogram: part.histogram }];
        }),
      );
      timings.set(timing, merged);
    }
    return merged;
  };
  const observed = new Map<string, (name: LatencyMetric) => number | undefined>();
  const observedLatency = (name: string): ((stat: LatencyMetric) => number | undefined) => {
    let merged = observed.get(name);
    if (merged === undefined) {
      merged = mergedLatency(
        results.flatMap((r) =>
          r.observed?.name === name ? [{ summary: r.observed.latency, histogram: r.observed.histogram }] : [],
        ),
      );
      observed.set(name, merged);
    }
    return merged;
  };
  return lookupWith(
    {
      latency: (name) => latency(name),
      timing: (timing, name) => timingLatency(timing)(name),
      observed: (name, stat) => observedLatency(name)(stat),
      result: (name) => (results.length === 0 ? undefined : resultMetric(name, totals)),
      // Summed over the scenarios that reported it; none did: no value (not 0).
      counter: (name) => {
        const reported = results.flatMap((r) => (r.counters?.[name] === undefined ? [] : [r.counters[name]]));
        return reported.length === 0 ? undefined : reported.reduce((acc, n) => acc + n, 0);
      },
    },
    probes,
  );
}

/** The fields of a ScenarioResult that the non-latency metrics read. */
type ResultCounts = Pick<ScenarioResult, "ops" | "errors" | "records" | "opsPerSec" | "throughput" | "peakThroughput" | "mbps" | "errorRate" | "dropped">;

function resultMetric(name: ResultMetric, r: ResultCounts): number | undefined {
  switch (name) {
    case "throughput":
      return r.throughput;
    case "peak_throughput":
      // Results stored before peakThroughput existed have none.
      return r.peakThroughput;
    case "ops":
      return r.opsPerSec;
    case "mbps":
      return r.mbps;
    case "error_rate":
      // No operation at all: a rate of errors is undefined, not 0.
      return r.ops + r.errors > 0 ? r.errorRate : undefined;
    case "errors":
      return r.errors;
    case "dropped":
      // A closed loop never drops: 0, not "no value".
      return r.dropped ?? 0;
    case "ops_total":
      return r.ops;
    case "records":
      return r.records;
  }
}

function lookupWith(totals: Totals, probes: ProbeReadings): MetricLookup {
  return (metric) => {
    const source = metricSource(metric);
    if (source === undefined) return undefined;
    switch (source.from) {
      case "latency":
        return totals.latency(source.name);
      case "timing":
        return totals.timing(source.timing, source.name);
      case "observed":
        return totals.observed(source.observed, source.name);
      case "result":
        return totals.result(source.name);
      case "counter":
        return totals.counter(source.name);
      case "probe":
        return probeMetric(probes, source.name, source.target);
    }
  };
}

/** Qualified: that target's probes only. Unqualified: the first probe that reported it. */
export function probeMetric(probes: ProbeReadings, name: string, target?: string): number | undefined {
  const targets = target === undefined ? Object.values(probes) : [probes[target] ?? {}];
  for (const byKind of targets) {
    for (const reading of Object.values(byKind)) {
      const value = reading.metrics[name];
      if (value !== undefined) return value;
    }
  }
  return undefined;
}

/**
 * Percentiles of several scenarios together. The histograms (µs, compressed base64) are decoded
 * and added; when one cannot be decoded the largest per-scenario value is used instead, which
 * bounds the merged percentile from above (so a passing `<` threshold still truly passes).
 */
function mergedLatency(
  latencies: readonly { summary: LatencySummary; histogram: string }[],
): (name: LatencyMetric) => number | undefined {
  const withData = latencies.filter((l) => l.summary.count > 0);
  if (withData.length === 0) return () => undefined;
  const summaries = withData.map((l) => l.summary);
  const count = summaries.reduce((acc, s) => acc + s.count, 0);
  const exact: Partial<Record<LatencyMetric, number>> = {
    min: Math.min(...summaries.map((s) => s.min)),
    max: Math.max(...summaries.map((s) => s.max)),
    mean: summaries.reduce((acc, s) => acc + s.mean * s.count, 0) / count,
  };
  const percentile = mergedPercentiles(withData.map((l) => l.histogram));
  return (name) => {
    const known = exact[name];
    if (known !== undefined) return known;
    const q = PERCENTILE[name];
    if (q === undefined) return undefined;
    return percentile?.(q) ?? Math.max(...summaries.map((s) => s[LATENCY_FIELD[name]]));
  };
}

const PERCENTILE: Partial<Record<LatencyMetric, number>> = { p50: 50, p90: 90, p95: 95, p99: 99, "p99.9": 99.9 };

function mergedPercentiles(encoded: readonly string[]): ((percentile: number) => number) | undefined {
  try {
    if (encoded.some((e) => e.length === 0)) return undefined;
    const merged = hdr.build({ bitBucketSize: 64, autoResize: true });
    for (const e of encoded) {
      const h = hdr.decodeFromCompressedBase64(e, 64);
      merged.add(h);
      h.destroy();
    }
    // Histogram values are microseconds; thresholds speak milliseconds.
    return (percentile) => merged.getValueAtPercentile(percentile) / 1000;
  } catch {
    return undefined;
  }
}
