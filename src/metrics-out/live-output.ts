// `pipebench run --prometheus-rw URL`: the run's measured totals pushed to Prometheus as they grow,
// once a second from the engine's progress tick (the same per-second data the live dashboard
// shows), and once more with the stored result when each scenario ends, so the last counts in
// Prometheus are the stored ones. Every series carries run_id (the stored run's id), suite and
// scenario (and trial, or part for a scenario run again), so runs and generators sum or merge:
//   pipebench_operations_total, pipebench_errors_total{kind}, pipebench_records_total,
//   pipebench_dropped_total{reason}, pipebench_in_flight, and the latency from the intended start
//   as a native histogram pipebench_latency_seconds plus classic pipebench_latency_seconds_bucket
//   {le}/_sum/_count: histograms, never percentile gauges, so quantiles over several series are right.
import type { LiveTotals } from "../engine/run-scenario.js";
import type { RunHooks, ScenarioOutcome } from "../engine/run-suite.js";
import { decodeHistogram, type LatencyHistogram } from "../metrics/histogram.js";
import type { Suite, SuiteScenario } from "../suite/types.js";
import { classicBuckets, DEFAULT_BUCKETS_S, nativeBuckets, NATIVE_SCHEMA, ZERO_THRESHOLD_S } from "./histogram-export.js";
import type { PromLabel, TimeSeries } from "./prompb.js";
import { RemoteWriter, type PushReport } from "./remote-write.js";

export const METRIC_PREFIX = "pipebench";

/** What one push reports of a scenario: the live totals, or the stored result's. */
interface Snapshot {
  ops: number;
  errorsByClass: Iterable<[string, number]>;
  records: number;
  dropped: Iterable<[string, number]>;
  inFlight: number;
  /** Absent: this push carries no histograms. */
  latency: LatencyHistogram | undefined;
}

interface Running {
  labels: Record<string, string>;
  bounds: number[];
  lastTimestamp: number;
  ticks: number;
}

/**
 * Live pushes carry the latency histograms every this many seconds, from the first (and the last
 * push always):
 * re-bucketing a wide HDR histogram takes ~1–3 ms of the engine's event loop (bench/remote-write),
 * so not every second. Counts and gauges go every second.
 */
export const HISTOGRAM_EVERY_TICKS = 5;

export class PrometheusRemoteOutput {
  private readonly writer: RemoteWriter;
  private runId = "";
  private readonly starts = new Map<string, number>();
  private running: Running | undefined;

  constructor(
    url: string,
    private readonly suite: Suite,
    log: (line: string) => void,
    /** `--trials`: above 1, each trial's series carry a `trial` label. */
    private readonly trials = 1,
    private readonly now: () => number = Date.now,
  ) {
    this.writer = new RemoteWriter(url, log);
  }

  get url(): string {
    return this.writer.url;
  }

  /** `hooks`, then this output: the run's id, each scenario's start, progress and end. */
  observe(hooks: RunHooks): RunHooks {
    return {
      ...hooks,
      runBegun: (runId) => {
        hooks.runBegun?.(runId);
        this.runId = String(runId);
      },
      scenarioStart: (s, i, total, trial) => {
        hooks.scenarioStart?.(s, i, total, trial);
        this.scenarioStart(s, trial);
      },
      progress: (s, p, live) => {
        hooks.progress?.(s, p, live);
        if (p.phase === "measure") this.pushLive(live);
      },
      scenarioEnd: (o) => {
        hooks.scenarioEnd?.(o);
        this.scenarioEnd(o);
      },
    };
  }

  /** Waits for the pushes still under way. */
  close(): Promise<PushReport> {
    return this.writer.flush();
  }

  private scenarioStart(s: SuiteScenario, trial: number | undefined): void {
    const starts = (this.starts.get(s.name) ?? 0) + 1;
    this.starts.set(s.name, starts);
    const labels: Record<string, string> = { run_id: this.runId, suite: this.suite.name, scenario: s.name };
    if (trial !== undefined && this.trials > 1) labels.trial = String(trial);
    else if (starts > 1) labels.part = String(starts);
    this.running = { labels, bounds: [...DEFAULT_BUCKETS_S, ...thresholdBounds(s)], lastTimestamp: 0, ticks: 0 };
  }

  private pushLive(live: LiveTotals): void {
    if (this.running === undefined) return;
    this.running.ticks++;
    this.push({
      ops: live.ops,
      errorsByClass: live.errorsByClass.entries(),
      records: live.records,
      dropped: Object.entries(live.dropped).map(([k, v]) => [k, v ?? 0]),
      inFlight: live.inFlight,
      // The first tick too, so even a short scenario has two histogram samples for rate().
      latency: this.running.ticks % HISTOGRAM_EVERY_TICKS === 1 ? live.latency : undefined,
    });
  }

  private scenarioEnd(o: ScenarioOutcome): void {
    const r = o.result;
    this.push({
      ops: r.ops,
      errorsByClass: Object.entries(r.errorsByClass),
      records: r.records,
      dropped: Object.entries(r.droppedBy ?? {}).map(([k, v]) => [k, v ?? 0]),
      inFlight: 0,
      latency: decodeHistogram(r.latencyHistogram),
    });
    this.running = undefined;
  }

  private push(snapshot: Snapshot): void {
    const running = this.running;
    if (running === undefined) return;
    // A series' samples must arrive in time order, even two in the same millisecond.
    const timestamp = Math.max(this.now(), running.lastTimestamp + 1);
    running.lastTimestamp = timestamp;
    this.writer.push(timeSeries(running.labels, running.bounds, snapshot, timestamp));
  }
}

/** The scenario's latency thresholds in seconds: classic bucket edges, so each has an exact count. */
function thresholdBounds(s: SuiteScenario): number[] {
  return s.thresholds.filter((t) => t.kind === "duration" && /^(service\.)?(p\d|mean|min|max)/.test(t.metric)).map((t) => t.value / 1000);
}

function labelsOf(name: string, base: Record<string, string>, extra: Record<string, string> = {}): PromLabel[] {
  return Object.entries({ __name__: name, ...base, ...extra })
    .map(([k, v]) => ({ name: k, value: v }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function timeSeries(base: Record<string, string>, bounds: readonly number[], s: Snapshot, timestamp: number): TimeSeries[] {
  const sample = (name: string, value: number, extra?: Record<string, string>): TimeSeries => ({
    labels: labelsOf(name, base, extra),
    samples: [{ value, timestamp }],
  });
  const p = METRIC_PREFIX;
  const out: TimeSeries[] = [
    sample(`${p}_operations_total`, s.ops),
    sample(`${p}_records_total`, s.records),
    sample(`${p}_in_flight`, s.inFlight),
  ];
  for (const [kind, n] of s.errorsByClass) out.push(sample(`${p}_errors_total`, n, { kind }));
  for (const [reason, n] of s.dropped) out.push(sample(`${p}_dropped_total`, n, { reason }));

  if (s.latency === undefined) return out;
  const native = nativeBuckets(s.latency, NATIVE_SCHEMA);
  out.push({
    labels: labelsOf(`${p}_latency_seconds`, base),
    histograms: [
      {
        count_int: native.count,
        sum: native.sum,
        schema: NATIVE_SCHEMA,
        zero_threshold: ZERO_THRESHOLD_S,
        zero_count_int: native.zeroCount,
        positive_spans: native.spans,
        positive_deltas: native.deltas,
        reset_hint: 2,
        timestamp,
      },
    ],
  });
  const classic = classicBuckets(s.latency, bounds);
  classic.le.forEach((le, k) => {
    out.push(sample(`${p}_latency_seconds_bucket`, classic.cumulative[k] ?? 0, { le: le === Infinity ? "+Inf" : String(le) }));
  });
  out.push(sample(`${p}_latency_seconds_sum`, classic.sum));
  out.push(sample(`${p}_latency_seconds_count`, classic.count));
  return out;
}
