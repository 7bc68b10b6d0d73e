// A running scenario's checkpoint: what its closed seconds add up to, as a ScenarioResult the store
// can keep in place of the final one. Written about once a second, it is what survives a process
// killed mid-scenario (SIGKILL, an evicted pod): every second but the one under way, the result
// marked incomplete. The final result replaces it.
//
// Incremental: each second's histogram is decoded once and added to a running total, so a
// checkpoint costs the same in the hour's last second as in its first. Seconds of several workers
// with the same `t` are merged while they arrive (a few seconds apart at most); older ones keep only
// their percentiles.
import { decodeHistogram, LatencyHistogram } from "../metrics/histogram.js";
import type { ClosedSecond } from "../metrics/recorder.js";
import { buildScenarioResult } from "../metrics/scenario-result.js";
import type { ErrorSeriesPoint, ScenarioResult, SeriesPoint } from "../metrics/summary.js";
import { addCounts, emptyPoint, recordingOfSeconds, unknownGenerator, withPercentiles } from "./closed-seconds.js";
import type { LiveTotals, Progress } from "./run-scenario.js";

/** Seconds behind the newest whose histograms are still kept, for workers' late seconds. */
const OPEN_SECONDS = 5;

export class ScenarioCheckpoint {
  private readonly latency = new LatencyHistogram();
  private readonly open = new Map<number, { point: SeriesPoint; latency: LatencyHistogram }>();
  private readonly closed: SeriesPoint[] = [];
  private readonly errorSeries = new Map<number, Record<string, number>>();
  private readonly errorsByClass: Record<string, number> = {};
  private newest = -1;
  private seconds = 0;

  constructor(
    private readonly meta: { readonly executor: string; readonly startedAt: number; readonly warmupMs: number },
  ) {}

  /** Seconds added so far. */
  get count(): number {
    return this.seconds;
  }

  add(second: ClosedSecond): void {
    this.seconds++;
    const h = decodeHistogram(second.latency);
    this.latency.add(h);
    const t = second.point.t;
    let at = this.open.get(t);
    if (at === undefined) {
      at = { point: emptyPoint(t), latency: new LatencyHistogram() };
      this.open.set(t, at);
    }
    addCounts(at.point, second.point);
    at.latency.add(h);
    for (const [k, v] of Object.entries(second.errorsByClass ?? {})) {
      this.errorsByClass[k] = (this.errorsByClass[k] ?? 0) + v;
      const e = this.errorSeries.get(t) ?? {};
      e[k] = (e[k] ?? 0) + v;
      this.errorSeries.set(t, e);
    }
    this.newest = Math.max(this.newest, t);
    for (const [old, s] of this.open) {
      if (old < this.newest - OPEN_SECONDS) {
        this.closed.push(withPercentiles(s.point, s.latency));
        this.open.delete(old);
      }
    }
  }

  /**
   * Progress as a single process reports it, from the seconds the workers reported so far: what
   * the progress line and the live metrics show for a run on worker processes. In flight and
   * dropped are not known until the workers' recordings arrive (0 and none).
   */
  progress(totalMs: number | null): { progress: Progress; live: LiveTotals } {
    // The second before the newest: every worker's part of it has arrived by now (they close
    // their seconds at the same times), while the newest may still lack some.
    const latest = this.open.get(this.newest - 1);
    const points = [...this.closed, ...[...this.open.values()].map((s) => s.point)];
    const ops = points.reduce((n, p) => n + p.ops, 0);
    const errors = points.reduce((n, p) => n + p.errors, 0);
    const [p50, p99] = latest !== undefined && latest.latency.count > 0 ? latest.latency.valuesAtPercentiles([50, 99]) : [];
    return {
      progress: {
        phase: "measure",
        elapsedMs: this.newest * 1000,
        totalMs,
        ops,
        errors,
        opsPerSec: (latest?.point.ops ?? 0) + (latest?.point.errors ?? 0),
        p99Ms: p99 === undefined ? null : p99 / 1000,
        errorsPerSec: latest?.point.errors ?? 0,
        recordsPerSec: latest?.point.records ?? null,
        p50Ms: p50 === undefined ? null : p50 / 1000,
      },
      live: {
        ops,
        errors,
        records: points.reduce((n, p) => n + p.records, 0),
        errorsByClass: new Map(Object.entries(this.errorsByClass)),
        dropped: {},
        latency: this.latency,
        inFlight: 0,
      },
    };
  }

  /** The result so far, incomplete, saying why: `reason` is what a reader is told if it stays. */
  result(reason: string): ScenarioResult {
    const series = [...this.closed, ...[...this.open.values()].map((s) => withPercentiles(s.point, s.latency))].sort((a, b) => a.t - b.t);
    const errorSeries: ErrorSeriesPoint[] = [...this.errorSeries].sort((a, b) => a[0] - b[0]).map(([t, byClass]) => ({ t, byClass }));
    const measuredMs = (this.newest + 1) * 1000;
    return buildScenarioResult({
      status: "interrupted",
      failure: reason,
      executor: this.meta.executor,
      startedAt: this.meta.startedAt,
      measuredMs,
      warmupMs: this.meta.warmupMs,
      recording: recordingOfSeconds(series, this.latency, { ...this.errorsByClass }, errorSeries),
      generator: unknownGenerator(),
    });
  }
}

export interface CheckpointWriter {
  /** Whether a checkpoint was handed to the store (the final result then replaces it). */
  readonly written: boolean;
  /** The checkpoint's view of the run so far (progress of a run on worker processes). */
  readonly checkpoint: ScenarioCheckpoint;
  add(second: ClosedSecond): void;
  /** No more checkpoints: the final result is about to be stored. */
  stop(): void;
}

/**
 * Adds each closed measured second and, about once a second, off the recording path (the recorder
 * calls `add` while it records an operation), hands what they add up to to `save`, marked
 * incomplete: a process killed mid-scenario keeps all but its last second.
 */
export function checkpointWriter(
  meta: { readonly executor: string; readonly startedAt: number; readonly warmupMs: number },
  save: (result: ScenarioResult) => Promise<unknown>,
): CheckpointWriter {
  const checkpoint = new ScenarioCheckpoint(meta);
  let pending = false;
  let stopped = false;
  let written = false;
  const write = (): void => {
    pending = false;
    if (stopped) return;
    // The store writes its calls in order, so the final result, saved after, replaces this one.
    written = true;
    save(
      checkpoint.result(
        `incomplete: the run stopped during this scenario (pipebench killed or crashed); its last checkpoint is kept (${checkpoint.count} measured second(s) closed)`,
      ),
    ).catch(() => {
      // A checkpoint that cannot be written (a store busy or read-only) must not stop the run.
    });
  };
  return {
    get written(): boolean {
      return written;
    },
    checkpoint,
    add(second: ClosedSecond): void {
      checkpoint.add(second);
      if (pending || stopped) return;
      pending = true;
      setImmediate(write);
    },
    stop(): void {
      stopped = true;
    },
  };
}
