// What closed measured seconds alone add up to: the shared arithmetic of a running scenario's
// checkpoint (checkpoint.ts) and of a worker lost mid-run (recording-merge.ts). Seconds carry
// counts, latencies and errors by class, nothing else: service time, client wait, start delay,
// late starts and the generator's health stay empty.
import { LatencyHistogram } from "../metrics/histogram.js";
import type { Recording } from "../metrics/recorder.js";
import type { ErrorSeriesPoint, GeneratorHealth, SeriesPoint } from "../metrics/summary.js";

/** A second's point with its p50 and p99 from its latencies (null, as the recorder's, when none). */
export function withPercentiles(point: SeriesPoint, latency: LatencyHistogram): SeriesPoint {
  if (latency.count === 0) return point;
  const [p50 = 0, p99 = 0] = latency.valuesAtPercentiles([50, 99]);
  return { ...point, p50: p50 / 1000, p99: p99 / 1000 };
}

/** An empty point for second `t`, to add seconds of several workers into (addCounts). */
export function emptyPoint(t: number): SeriesPoint {
  return { t, ops: 0, errors: 0, records: 0, bytes: 0, p50: null, p99: null };
}

/** Adds `from`'s counts into `into` (percentiles are taken later, from the added histograms). */
export function addCounts(into: SeriesPoint, from: SeriesPoint): void {
  into.ops += from.ops;
  into.errors += from.errors;
  into.records += from.records;
  into.bytes += from.bytes;
}

/** A generator nothing is known of (its process is gone, or it never reported its health). */
export function unknownGenerator(): GeneratorHealth {
  return {
    cpuPercent: 0,
    eventLoopLagP99Ms: 0,
    eventLoopLagMaxMs: 0,
    askedRate: null,
    achievedRate: 0,
    lateStarts: 0,
    saturated: false,
    warnings: [],
  };
}

/** The recording of `series` (each point a whole second's counts) and their latencies added. */
export function recordingOfSeconds(
  series: SeriesPoint[],
  latency: LatencyHistogram,
  errorsByClass: Record<string, number>,
  errorSeries: ErrorSeriesPoint[],
): Recording {
  const sum = (f: (p: SeriesPoint) => number): number => series.reduce((n, p) => n + f(p), 0);
  return {
    ops: sum((p) => p.ops),
    errors: sum((p) => p.errors),
    errorsByClass,
    errorSamples: [],
    records: sum((p) => p.records),
    bytes: sum((p) => p.bytes),
    lateStarts: 0,
    warmupOps: 0,
    warmupErrors: 0,
    latency,
    service: new LatencyHistogram(),
    clientWait: undefined,
    startDelay: undefined,
    serviceByConcurrency: [],
    dropped: {},
    series,
    errorSeries,
  };
}
