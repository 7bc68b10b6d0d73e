// From what the recorder collected to the plain-JSON ScenarioResult that is stored, compared and
// printed. Arithmetic only; no clocks, no I/O.
import { assessValidity, type ValidityContext } from "../engine/validity.js";
import type { ObservedRecording } from "./observed-recorder.js";
import type { Recording } from "./recorder.js";
import type { GeneratorHealth, ScenarioResult, ScenarioStatus, SeriesPoint } from "./summary.js";

export interface ScenarioOutcome {
  readonly status: ScenarioStatus;
  readonly failure?: string;
  readonly executor: string;
  /** A closed loop's operations kept in flight, as run. */
  readonly workers?: number;
  /** Epoch ms of the measured interval's start (the first measured intended start). */
  readonly startedAt: number;
  readonly measuredMs: number;
  readonly warmupMs: number;
  readonly recording: Recording;
  readonly generator: GeneratorHealth;
  /** What an observing workload's observer collected (arrivals and counts). */
  readonly observed?: ObservedRecording;
  /** The observed latency's name; without one the workload only counts (no `observed` in the result). */
  readonly observes?: string;
  /** What the validity verdict needs beyond the result (in-process target, maxInFlight waits). */
  readonly validity?: ValidityContext;
  /** How many operations the driver's client can have at the target, and the setting that says so. */
  readonly clientSlots?: { readonly count: number; readonly setting: string };
}

export function buildScenarioResult(outcome: ScenarioOutcome): ScenarioResult {
  const { recording: r } = outcome;
  const seconds = outcome.measuredMs / 1000;
  const perSecond = (n: number): number => (seconds > 0 ? n / seconds : 0);
  const result: ScenarioResult = {
    status: outcome.status,
    startedAt: Math.round(outcome.startedAt),
    durationS: seconds,
    warmupS: outcome.warmupMs / 1000,
    executor: outcome.executor,
    ...(outcome.workers === undefined ? {} : { workers: outcome.workers }),
    ops: r.ops,
    errors: r.errors,
    errorsByClass: r.errorsByClass,
    errorSamples: r.errorSamples,
    records: r.records,
    bytes: r.bytes,
    opsPerSec: perSecond(r.ops),
    throughput: perSecond(r.records),
    peakThroughput: peakThroughput(r.series, seconds, perSecond(r.records)),
    mbps: perSecond(r.bytes) / 1e6,
    errorRate: r.ops + r.errors > 0 ? r.errors / (r.ops + r.errors) : 0,
    latency: r.latency.summary(),
    service: r.service.summary(),
    latencyHistogram: r.latency.encode(),
    serviceHistogram: r.service.encode(),
    series: r.series,
    generator: outcome.generator,
  };
  if (r.clientWait !== undefined) {
    result.clientWait = r.clientWait.summary();
    result.clientWaitHistogram = r.clientWait.encode();
  }
  if (r.startDelay !== undefined) {
    result.startDelay = r.startDelay.summary();
    result.startDelayHistogram = r.startDelay.encode();
    // An open loop can drop; 0 says it did not.
    result.dropped = Object.values(r.dropped).reduce((a, b) => a + b, 0);
    if (result.dropped > 0) result.droppedBy = r.dropped;
  }
  if (r.serviceByConcurrency.length > 0) result.serviceByConcurrency = r.serviceByConcurrency;
  if (outcome.clientSlots !== undefined) result.clientSlots = { ...outcome.clientSlots };
  const o = outcome.observed;
  if (o !== undefined && outcome.observes !== undefined) {
    result.observed = {
      name: outcome.observes,
      latency: o.latency.summary(),
      histogram: o.latency.encode(),
      series: o.series,
      warmupArrivals: o.warmupArrivals,
    };
  }
  if (o !== undefined && Object.keys(o.counters).length > 0) result.counters = o.counters;
  if (r.errorSeries.length > 0) result.errorSeries = r.errorSeries;
  if (outcome.failure !== undefined) result.failure = outcome.failure;
  result.validity = assessValidity(result, outcome.validity);
  return result;
}

/**
 * Records in the best full second of the series, as records/s; the last point counts only when its
 * second ended within the measured interval (a partial second would understate it). Never below the
 * average: with no full second, or a last partial second faster than every full one, the average
 * is the best rate measured.
 */
export function peakThroughput(series: readonly SeriesPoint[], durationS: number, average: number): number {
  let peak = average;
  for (const point of series) {
    if (point.t + 1 <= durationS + 1e-9 && point.records > peak) peak = point.records;
  }
  return peak;
}
