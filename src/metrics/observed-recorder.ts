// Where a workload's observed latencies (end-to-end, freshness) and integrity counts land. The
// operations' recorder times what the engine launched; this one records what the workload saw
// arrive elsewhere (a consumer, a watcher of a sink table), as arrival − send on one timeline that
// the engine's observer provides. Like the operations' recorder it keeps histograms and counters
// only: the current second's histogram, added into the total at each second boundary, gives the
// per-second series and the total from the same values.
//
// What was sent before `measureStartMs` belongs to the warm-up: counted, excluded from every number.
// Counts are not split so: integrity covers the whole stream, warm-up included (a lost warm-up
// message is still lost).
import { LatencyHistogram } from "./histogram.js";
import { OPERATION_TIMINGS } from "./operation-timing.js";
import type { ObservedSeriesPoint } from "./summary.js";

const SECOND_MS = 1000;

/** snake_case: what thresholds and the metrics table can name. */
const NAME = /^[a-z][a-z0-9_]*$/;

/**
 * The scenario's own numbers (thresholds and the stored metrics name them): a counter with one of
 * these names would be ambiguous in `errors == 0` and collide in the metrics table.
 */
export const RESERVED_COUNTER_NAMES: ReadonlySet<string> = new Set([
  "ops", "ops_total", "ops_per_sec", "errors", "error_rate", "records", "bytes", "throughput", "mbps",
  "duration", "generator_cpu", "generator_lag_p99", "dropped",
  "min", "mean", "stddev", "p50", "p90", "p95", "p99", "p999", "max",
]);

/** Names an observed latency cannot take: histogram kinds and threshold qualifiers already in use. */
export const RESERVED_OBSERVED_NAMES: ReadonlySet<string> = new Set(["latency", ...OPERATION_TIMINGS, "host"]);

/** Why `name` cannot name a counter, or undefined when it can. */
export function counterNameProblem(name: string): string | undefined {
  if (!NAME.test(name)) return `counter name "${name}" is not snake_case (e.g. lost, out_of_order)`;
  if (RESERVED_COUNTER_NAMES.has(name)) return `counter name "${name}" is one of the scenario's own metrics`;
  return undefined;
}

/** Why `name` cannot name an observed latency, or undefined when it can. */
export function observedNameProblem(name: string): string | undefined {
  if (!NAME.test(name)) return `observed latency name "${name}" is not snake_case (e.g. end_to_end, freshness)`;
  if (RESERVED_OBSERVED_NAMES.has(name)) return `observed latency name "${name}" is reserved`;
  return undefined;
}

/** What an observed recorder collected: the raw material of ScenarioResult.observed and counters. */
export interface ObservedRecording {
  /** Measured arrivals (sent at or after the measured start). */
  arrivals: number;
  warmupArrivals: number;
  latency: LatencyHistogram;
  series: ObservedSeriesPoint[];
  counters: Record<string, number>;
}

export class ObservedRecorder {
  /** Start of the measured interval on the recorder's timeline (ms). */
  readonly measureStartMs: number;

  private readonly second = new LatencyHistogram();
  private readonly latency = new LatencyHistogram();
  private readonly points: ObservedSeriesPoint[] = [];
  private readonly counts = new Map<string, number>();
  private secondIndex = 0;
  private secondEndMs: number;
  private closed = false;
  private arrivalCount = 0;
  private warmupArrivalCount = 0;
  private secondStartArrivals = 0;

  constructor(options: { readonly measureStartMs: number }) {
    this.measureStartMs = options.measureStartMs;
    this.secondEndMs = options.measureStartMs + SECOND_MS;
  }

  /** Something sent at `sentMs` arrived at `arrivedMs` (same timeline, ms). */
  recordArrival(sentMs: number, arrivedMs: number): void {
    if (this.closed) return;
    if (!(sentMs >= this.measureStartMs)) {
      // Before the measured start, or not a number at all: not a measured send.
      this.warmupArrivalCount++;
      return;
    }
    if (arrivedMs >= this.secondEndMs) this.closeSecondsUntil(arrivedMs);
    this.second.record((arrivedMs - sentMs) * 1000);
    this.arrivalCount++;
  }

  /** Adds `n` to a counter (0 declares it). The name must pass counterNameProblem. */
  count(name: string, n: number): void {
    if (this.closed) return;
    this.counts.set(name, (this.counts.get(name) ?? 0) + n);
  }

  /** The workload's final word: these values replace counters of the same name. */
  setCounts(counts: Readonly<Record<string, number>>): void {
    for (const [name, value] of Object.entries(counts)) this.counts.set(name, value);
  }

  /** Closes every second that ended at or before `nowMs`, so idle seconds still get a point. */
  tick(nowMs: number): void {
    if (!this.closed && nowMs >= this.secondEndMs) this.closeSecondsUntil(nowMs);
  }

  /** Stops recording arrivals and counts; the last, partial second is kept when anything arrived. */
  close(nowMs: number): void {
    if (this.closed) return;
    this.tick(nowMs);
    if (this.arrivalCount !== this.secondStartArrivals) this.closeSecond();
    this.closed = true;
  }

  get arrivals(): number {
    return this.arrivalCount;
  }

  recording(): ObservedRecording {
    const latency = new LatencyHistogram();
    latency.add(this.latency);
    latency.add(this.second);
    return {
      arrivals: this.arrivalCount,
      warmupArrivals: this.warmupArrivalCount,
      latency,
      series: this.points.slice(),
      counters: Object.fromEntries(this.counts),
    };
  }

  private closeSecondsUntil(nowMs: number): void {
    while (nowMs >= this.secondEndMs) this.closeSecond();
  }

  private closeSecond(): void {
    const [p50, p99] = this.second.count > 0 ? this.second.valuesAtPercentiles([50, 99]) : [];
    this.points.push({
      t: this.secondIndex,
      arrivals: this.arrivalCount - this.secondStartArrivals,
      p50: p50 === undefined ? null : p50 / 1000,
      p99: p99 === undefined ? null : p99 / 1000,
    });
    this.latency.add(this.second);
    this.second.reset();
    this.secondStartArrivals = this.arrivalCount;
    this.secondIndex++;
    this.secondEndMs += SECOND_MS;
  }
}
