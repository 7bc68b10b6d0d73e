// The recorder: where every completed operation of a scenario lands. It is the hot path of the
// engine (millions of calls per run), so it keeps counters and histograms only, allocates nothing per
// operation, and costs two to four histogram records per operation:
//   - latency (end − intended start) into the *current second's* histogram, which is added into the
//     total at each second boundary — the same values give the per-second series and the total;
//   - service time (end − sent: the target's share) into the total service histogram;
//   - client wait (sent − actual start: queued inside pipebench for a connection or a pool client),
//     when the workload says when it sent;
//   - start delay (actual − intended start), for open loops, whose schedule can slip.
// Service time is also summed by how many operations were at the target when each was sent (in
// powers of two), so the diagnosis can tell a target that queues work (service time grows with the
// concurrency) from a client that caps it (service time flat, the concurrency pinned at the pool).
// Operations the open loop never started or pipebench never sent are `dropped`: counted apart, never
// errors of the target. Memory is constant apart from one SeriesPoint per second.
//
// Times are monotonic milliseconds (Clock.now()). An operation whose intended start lies before
// `measureStartMs` belongs to the warm-up: counted separately, excluded from every number.
import { classifyError } from "../errors.js";
import { LatencyHistogram } from "./histogram.js";
import type { ConcurrencyBucket, DropReason, ErrorSeriesPoint, SeriesPoint } from "./summary.js";

/** An operation that starts this much later than intended is a late start (generator fell behind). */
export const LATE_START_MS = 10;

const SECOND_MS = 1000;

export interface RecorderOptions {
  /** Monotonic ms at which measurement starts; earlier intended starts are warm-up. */
  readonly measureStartMs: number;
  /** Distinct error messages kept for a person to read (default 5). */
  readonly maxErrorSamples?: number;
  /** Told of every failed operation, warm-up included (an `onError: abort` scenario stops at once). */
  readonly onError?: (errorClass: string) => void;
  /** The workload calls `ctx.sent()`: record client wait. */
  readonly signalsSent?: boolean;
  /** An open loop, whose starts can slip: record start delay. */
  readonly openLoop?: boolean;
  /** The operations' durations mean nothing (PreparedWorkload.untimed): count them, record no latency. */
  readonly untimed?: boolean;
  /**
   * Told of each measured second as it closes, with its latencies encoded: what a worker's part of
   * a scenario ships, so that the per-second percentiles of the merged parts can be computed (a
   * p99 per second cannot be added; a histogram can). Absent: nothing is encoded.
   */
  readonly onSecond?: (second: ClosedSecond) => void;
}

/** One closed measured second: its point, its latencies (encoded HdrHistogram), its errors by class. */
export interface ClosedSecond {
  readonly point: SeriesPoint;
  readonly latency: string;
  readonly errorsByClass?: Record<string, number>;
}

/** Powers of two up to 2^30 operations at the target. */
const CONCURRENCY_BUCKETS = 31;

/** What a recorder collected: the raw material of a ScenarioResult. */
export interface Recording {
  ops: number;
  errors: number;
  errorsByClass: Record<string, number>;
  errorSamples: string[];
  records: number;
  bytes: number;
  /** Operations (and errors) that started more than LATE_START_MS after their intended start. */
  lateStarts: number;
  warmupOps: number;
  warmupErrors: number;
  latency: LatencyHistogram;
  service: LatencyHistogram;
  /** Present when the workload signals sends. */
  clientWait: LatencyHistogram | undefined;
  /** Present for open loops. */
  startDelay: LatencyHistogram | undefined;
  serviceByConcurrency: ConcurrencyBucket[];
  dropped: Partial<Record<DropReason, number>>;
  series: SeriesPoint[];
  /** Errors by class in each second that had any (sparse; `t` as in `series`). */
  errorSeries: ErrorSeriesPoint[];
}

/** See ScenarioRecorder.closedTotals. */
export interface ClosedTotals {
  readonly ops: number;
  readonly errors: number;
  readonly records: number;
  /** Up to now (errors are counted by class as they happen), measured only. */
  readonly errorsByClass: ReadonlyMap<string, number>;
  readonly dropped: Readonly<Partial<Record<DropReason, number>>>;
  readonly latency: LatencyHistogram;
}

export class ScenarioRecorder {
  readonly measureStartMs: number;
  private readonly maxErrorSamples: number;

  private readonly second = new LatencyHistogram();
  private readonly latency = new LatencyHistogram();
  private readonly service = new LatencyHistogram();
  private readonly clientWait: LatencyHistogram | undefined;
  private readonly startDelay: LatencyHistogram | undefined;
  private readonly buckets = new Float64Array(CONCURRENCY_BUCKETS * 3);
  private readonly dropped: Partial<Record<DropReason, number>> = {};
  private readonly points: SeriesPoint[] = [];
  private readonly byClass = new Map<string, number>();
  private readonly warmupByClass = new Map<string, number>();
  // One sample per error class (the first seen), so five samples show five kinds of failure rather
  // than five near-identical messages of the commonest one.
  private readonly samples = new Map<string, string>();
  private readonly secondByClass = new Map<string, number>();
  private readonly errorPoints: ErrorSeriesPoint[] = [];
  private readonly onError: ((errorClass: string) => void) | undefined;
  private readonly untimed: boolean;
  private readonly onSecond: ((second: ClosedSecond) => void) | undefined;

  private secondIndex = 0;
  private secondEndMs: number;
  private closed = false;

  private opCount = 0;
  private errorCount = 0;
  private recordCount = 0;
  private byteCount = 0;
  private lateCount = 0;
  private warmupOpCount = 0;
  private warmupErrorCount = 0;
  // Totals at the start of the current second, so per-second figures are differences.
  private secondStartOps = 0;
  private secondStartErrors = 0;
  private secondStartRecords = 0;
  private secondStartBytes = 0;

  constructor(options: RecorderOptions) {
    this.measureStartMs = options.measureStartMs;
    this.maxErrorSamples = options.maxErrorSamples ?? 5;
    this.onError = options.onError;
    this.untimed = options.untimed === true;
    this.onSecond = options.onSecond;
    this.clientWait = options.signalsSent === true ? new LatencyHistogram() : undefined;
    this.startDelay = options.openLoop === true ? new LatencyHistogram() : undefined;
    this.secondEndMs = options.measureStartMs + SECOND_MS;
  }

  /**
   * One successful operation, sent at `sentMs` (its actual start when the workload does not say)
   * while `atTarget` operations were at the target, itself included. The hot path: keep it
   * branch-light and allocation-free.
   */
  recordOp(intendedStartMs: number, actualStartMs: number, sentMs: number, endMs: number, atTarget: number, records: number, bytes: number): void {
    if (this.closed) return;
    if (intendedStartMs < this.measureStartMs) {
      this.warmupOpCount++;
      return;
    }
    if (endMs >= this.secondEndMs) this.closeSecondsUntil(endMs);
    // Untimed (a consume that takes records already fetched): counted, never timed.
    if (!this.untimed) this.recordTimes(intendedStartMs, actualStartMs, sentMs, endMs, atTarget);
    this.opCount++;
    this.recordCount += records;
    this.byteCount += bytes;
  }

  private recordTimes(intendedStartMs: number, actualStartMs: number, sentMs: number, endMs: number, atTarget: number): void {
    this.second.record((endMs - intendedStartMs) * 1000);
    const serviceMs = endMs - sentMs;
    this.service.record(serviceMs * 1000);
    this.clientWait?.record((sentMs - actualStartMs) * 1000);
    this.startDelay?.record((actualStartMs - intendedStartMs) * 1000);
    // floor(log2(atTarget)), 0…30 for 1 ≤ atTarget < 2^31; [ops, Σ at target, Σ service ms] each.
    const at = (31 - Math.clz32(atTarget)) * 3;
    const buckets = this.buckets;
    // Typed arrays: an index out of range is ignored, never a property added.
    (buckets[at] as number)++;
    (buckets[at + 1] as number) += atTarget;
    (buckets[at + 2] as number) += serviceMs;
    if (actualStartMs - intendedStartMs > LATE_START_MS) this.lateCount++;
  }

  /** One failed operation: counted by class (see classifyError), never in the latency histograms. */
  recordError(intendedStartMs: number, actualStartMs: number, endMs: number, error: unknown): void {
    if (this.closed) return;
    const errorClass = classifyError(error);
    if (intendedStartMs < this.measureStartMs) {
      this.warmupErrorCount++;
      this.warmupByClass.set(errorClass, (this.warmupByClass.get(errorClass) ?? 0) + 1);
    } else {
      if (endMs >= this.secondEndMs) this.closeSecondsUntil(endMs);
      if (actualStartMs - intendedStartMs > LATE_START_MS) this.lateCount++;
      this.countErrors(errorClass, 1, describe(error));
    }
    this.onError?.(errorClass);
  }

  /** Measured errors that have no error object, e.g. operations still in flight when the run ended. */
  recordErrors(errorClass: string, count: number, message: string): void {
    if (this.closed || count <= 0) return;
    this.countErrors(errorClass, count, message);
  }

  /** Measured operations that were never sent, for `reason`: counted apart from errors. */
  recordDropped(reason: DropReason, count: number): void {
    if (this.closed || count <= 0) return;
    this.dropped[reason] = (this.dropped[reason] ?? 0) + count;
  }

  /** Closes every second that ended at or before `nowMs`, so idle seconds still get a point. */
  tick(nowMs: number): void {
    if (!this.closed && nowMs >= this.secondEndMs) this.closeSecondsUntil(nowMs);
  }

  /** Stops recording: later calls are ignored (operations that settle after the scenario ended). */
  close(nowMs: number): void {
    if (this.closed) return;
    this.tick(nowMs);
    // The last, partial second is kept when anything happened in it.
    if (this.opCount !== this.secondStartOps || this.errorCount !== this.secondStartErrors) this.closeSecond();
    this.closed = true;
  }

  get isClosed(): boolean {
    return this.closed;
  }
  get ops(): number {
    return this.opCount;
  }
  get errors(): number {
    return this.errorCount;
  }
  get warmupOps(): number {
    return this.warmupOpCount;
  }
  get warmupErrors(): number {
    return this.warmupErrorCount;
  }
  get lateStarts(): number {
    return this.lateCount;
  }
  /** The most recent closed second, if any. */
  get lastPoint(): SeriesPoint | undefined {
    return this.points[this.points.length - 1];
  }

  /**
   * What the closed (whole) measured seconds add up to, for live output: counts and the latency
   * histogram agree, as both stop at the same second boundary. `latency` is the recorder's own
   * total: read it before the next operation is recorded, never change it.
   */
  closedTotals(): ClosedTotals {
    return {
      ops: this.secondStartOps,
      errors: this.secondStartErrors,
      records: this.secondStartRecords,
      errorsByClass: this.byClass,
      dropped: this.dropped,
      latency: this.latency,
    };
  }

  /** Error counts by class, warm-up included (what a person watching the target would see). */
  allErrorsByClass(): Map<string, number> {
    const all = new Map(this.warmupByClass);
    for (const [k, v] of this.byClass) all.set(k, (all.get(k) ?? 0) + v);
    return all;
  }

  /** Everything recorded so far. Call after `close` for final numbers. */
  recording(): Recording {
    // The current second's latencies are not yet in the total: give a merged copy, leave state alone.
    const latency = new LatencyHistogram();
    latency.add(this.latency);
    latency.add(this.second);
    return {
      ops: this.opCount,
      errors: this.errorCount,
      errorsByClass: Object.fromEntries(this.byClass),
      errorSamples: [...this.samples.values()],
      records: this.recordCount,
      bytes: this.byteCount,
      lateStarts: this.lateCount,
      warmupOps: this.warmupOpCount,
      warmupErrors: this.warmupErrorCount,
      latency,
      service: this.service,
      clientWait: this.clientWait,
      startDelay: this.startDelay,
      serviceByConcurrency: this.concurrencyBuckets(),
      dropped: { ...this.dropped },
      series: this.points.slice(),
      errorSeries: this.errorPoints.slice(),
    };
  }

  private concurrencyBuckets(): ConcurrencyBucket[] {
    const out: ConcurrencyBucket[] = [];
    for (let i = 0; i < CONCURRENCY_BUCKETS; i++) {
      const ops = this.buckets[i * 3] ?? 0;
      if (ops === 0) continue;
      out.push({
        from: 2 ** i,
        to: 2 ** (i + 1) - 1,
        ops,
        meanAtTarget: (this.buckets[i * 3 + 1] ?? 0) / ops,
        meanServiceMs: (this.buckets[i * 3 + 2] ?? 0) / ops,
      });
    }
    return out;
  }

  private countErrors(errorClass: string, count: number, message: string): void {
    this.errorCount += count;
    this.byClass.set(errorClass, (this.byClass.get(errorClass) ?? 0) + count);
    this.secondByClass.set(errorClass, (this.secondByClass.get(errorClass) ?? 0) + count);
    if (this.samples.size < this.maxErrorSamples && !this.samples.has(errorClass)) {
      this.samples.set(errorClass, message);
    }
  }

  private closeSecondsUntil(nowMs: number): void {
    while (nowMs >= this.secondEndMs) this.closeSecond();
  }

  private closeSecond(): void {
    const [p50, p99] = this.second.count > 0 ? this.second.valuesAtPercentiles([50, 99]) : [];
    const point: SeriesPoint = {
      t: this.secondIndex,
      ops: this.opCount - this.secondStartOps,
      errors: this.errorCount - this.secondStartErrors,
      records: this.recordCount - this.secondStartRecords,
      bytes: this.byteCount - this.secondStartBytes,
      p50: p50 === undefined ? null : p50 / 1000,
      p99: p99 === undefined ? null : p99 / 1000,
    };
    this.points.push(point);
    let errorsByClass: Record<string, number> | undefined;
    if (this.secondByClass.size > 0) {
      errorsByClass = Object.fromEntries(this.secondByClass);
      this.errorPoints.push({ t: this.secondIndex, byClass: errorsByClass });
      this.secondByClass.clear();
    }
    this.onSecond?.({ point, latency: this.second.encode(), ...(errorsByClass === undefined ? {} : { errorsByClass }) });
    this.latency.add(this.second);
    this.second.reset();
    this.secondStartOps = this.opCount;
    this.secondStartErrors = this.errorCount;
    this.secondStartRecords = this.recordCount;
    this.secondStartBytes = this.byteCount;
    this.secondIndex++;
    this.secondEndMs += SECOND_MS;
  }
}

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  // Messages can embed whole responses; a sample is for recognising the error, not for archiving it.
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}
