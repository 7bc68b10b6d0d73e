// Judging thresholds against measured values. A metric nobody reported fails (a threshold that
// cannot be checked has not passed) and says why, so the fix is obvious from the table.
import { metricSource, type MetricKind } from "./metrics.js";
import type { MetricLookup } from "./metric-lookup.js";
import type { Threshold, ThresholdOp } from "./parse.js";

export { scenarioMetricLookup, runMetricLookup, probeMetric } from "./metric-lookup.js";
export type { MetricLookup, ProbeReadings } from "./metric-lookup.js";

export interface ThresholdOutcome {
  expr: string;
  metric: string;
  op: ThresholdOp;
  /** The threshold's value, normalised like `actual`. */
  target: number;
  actual: number | null;
  passed: boolean;
  kind: MetricKind;
  /** Why there is no value, when there is none. */
  note?: string;
}

export function evaluateThresholds(thresholds: readonly Threshold[], lookup: MetricLookup): ThresholdOutcome[] {
  return thresholds.map((t) => {
    const base = { expr: t.expr, metric: t.metric, op: t.op, target: t.value, kind: t.kind };
    const actual = lookup(t.metric);
    if (actual === undefined || !Number.isFinite(actual)) {
      return { ...base, actual: null, passed: false, note: missingNote(t.metric, actual) };
    }
    return { ...base, actual, passed: compare(actual, t.op, t.value, t.kind) };
  });
}

export function compare(actual: number, op: ThresholdOp, target: number, kind: MetricKind): boolean {
  switch (op) {
    case "<":
      return actual < target;
    case "<=":
      return actual <= target;
    case ">":
      return actual > target;
    case ">=":
      return actual >= target;
    case "==":
      // Counts are exact; measured fractions and milliseconds are not (0.1 + 0.2 !== 0.3).
      return kind === "count" ? actual === target : Math.abs(actual - target) <= 1e-9 * Math.max(1, Math.abs(target));
  }
}

function missingNote(metric: string, actual: number | undefined): string {
  if (actual !== undefined) return `${metric} was ${actual}, not a number`;
  const source = metricSource(metric);
  switch (source?.from) {
    case "latency":
      return `no operation completed, so ${metric} has no value`;
    case "timing":
      return source.timing === "service"
        ? `no operation completed, so ${metric} has no value`
        : source.timing === "client_wait"
          ? `no operation completed, or the workload does not say when it sends (only HTTP, PostgreSQL and Kafka producers do), so ${metric} has no value`
          : `${metric} is an open loop's (constant-rate, ramp, steps), or no operation completed`;
    case "observed":
      return `no ${source.observed} latency was observed (nothing arrived, or the workload does not measure it), so ${metric} has no value`;
    case "result":
      return `no operation ran, so ${metric} has no value`;
    case "counter":
      return `the workload reported no ${source.name} count`;
    case "probe":
      return source.target === undefined
        ? `no probe reported ${source.name}`
        : `no probe on target ${source.target} reported ${source.name}`;
    default:
      return `nothing reported ${metric}`;
  }
}
