// Latency histogram: HdrHistogram's bucket layout (1 µs .. 1 hour, 3 significant digits), counted
// in our own typed array so that recording costs a few nanoseconds, with hdr-histogram-js as the
// wire format (compressed base64, "HISTFAAA…") that every HdrHistogram tool reads.
//
// Why not call hdr-histogram-js's `recordValue` on the hot path: measured on Node 20, its pure-JS
// build takes ~190 ns per value (Math.log2/pow per call) and its WASM build ~25 ns plus manual
// memory management (`destroy()`); the recorder records two values per operation with a budget of
// 50 ns. The index arithmetic below is HdrHistogram's, specialised to lowestDiscernibleValue = 1 so
// it reduces to `Math.clz32` and shifts; test/engine/histogram.test.ts checks it against the library.
//
// Every statistic (percentiles, min, max, mean, stddev) is derived from the counts alone, exactly as
// HdrHistogram derives them, so a histogram and its decoded encoding summarise identically and
// merging is plain addition.
import {
  JsHistogram,
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
} from "hdr-histogram-js";
import type { LatencySummary } from "./summary.js";

/** Values are microseconds. Anything above one hour is clamped to it (and counted in `clamped`). */
export const HISTOGRAM_HIGHEST_US = 3_600_000_000;
export const HISTOGRAM_SIGNIFICANT_DIGITS = 3;

// With 3 significant digits HdrHistogram keeps 2048 sub-buckets per bucket (single-unit resolution up
// to 2 * 10^3); bucket 0 uses all 2048, every later bucket the upper 1024.
const SUB_BUCKET_HALF_COUNT_MAGNITUDE = 10;
const SUB_BUCKET_HALF_COUNT = 1 << SUB_BUCKET_HALF_COUNT_MAGNITUDE;
// floor(log2(v)) - SUB_BUCKET_HALF_COUNT_MAGNITUDE, written with clz32 (valid as v < 2^32).
const BUCKET_BASE = 31 - SUB_BUCKET_HALF_COUNT_MAGNITUDE;

/** Counts-array index of a value in [0, HISTOGRAM_HIGHEST_US] (HdrHistogram's countsArrayIndex). */
function indexOf(v: number): number {
  const bucket = BUCKET_BASE - Math.clz32(v);
  const b = bucket > 0 ? bucket : 0;
  return (b << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + (v >>> b);
}

const COUNTS_LENGTH = indexOf(HISTOGRAM_HIGHEST_US) + 1;

function bucketOfIndex(index: number): number {
  const b = (index >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
  return b > 0 ? b : 0;
}

/** Lowest value counted at `index` (HdrHistogram's valueFromIndex). */
function lowestValueAt(index: number): number {
  const b = (index >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
  if (b < 0) return index;
  return ((index & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT) * 2 ** b;
}

/** Highest value counted at `index`: what percentiles report, as HdrHistogram does. */
function highestValueAt(index: number): number {
  return lowestValueAt(index) + 2 ** bucketOfIndex(index) - 1;
}

/** The value mean and stddev use for everything counted at `index`. */
function medianValueAt(index: number): number {
  return lowestValueAt(index) + Math.floor(2 ** bucketOfIndex(index) / 2);
}

/** How many of `total` values a percentile covers, rounded up as HdrHistogram rounds it. */
function countAtPercentile(percentile: number, total: number): number {
  const fp = (Math.min(percentile, 100) / 100) * total;
  // Subtracting one ulp keeps 99.9% of 1000 at 999 rather than 1000 when fp lands a hair above.
  return Math.max(Math.ceil(fp - fp * Number.EPSILON), 1);
}

const us2ms = (us: number): number => us / 1000;
const roundToMicro = (ms: number): number => Math.round(ms * 1000) / 1000;

export class LatencyHistogram {
  // Float64 counts: exact to 2^53, so no overflow however long a run is merged.
  private readonly counts = new Float64Array(COUNTS_LENGTH);
  private total = 0;
  private clampedCount = 0;
  // The occupied index range, so reset/add/percentiles touch only what was used (a second of
  // latencies spans a few hundred buckets, not 23k).
  private minIndex = COUNTS_LENGTH;
  private maxIndex = -1;

  /** Values recorded (clamped ones included). */
  get count(): number {
    return this.total;
  }

  /** Values that were above one hour and were recorded as one hour. */
  get clamped(): number {
    return this.clampedCount;
  }

  /**
   * Records one value in microseconds. Fractions are truncated; negative values, NaN and values
   * below 1 µs count as 0; values above the range are clamped, never thrown.
   */
  record(us: number): void {
    let v = 0;
    if (us >= 1) {
      if (us <= HISTOGRAM_HIGHEST_US) v = us >>> 0;
      else {
        v = HISTOGRAM_HIGHEST_US;
        this.clampedCount++;
      }
    }
    const index = indexOf(v);
    this.counts[index]!++;
    this.total++;
    if (index < this.minIndex) this.minIndex = index;
    if (index > this.maxIndex) this.maxIndex = index;
  }

  /** Records `count` occurrences of a value (microseconds), with the same clamping as `record`. */
  recordMany(us: number, count: number): void {
    if (!(count > 0)) return;
    let v = 0;
    if (us >= 1) {
      if (us <= HISTOGRAM_HIGHEST_US) v = us >>> 0;
      else {
        v = HISTOGRAM_HIGHEST_US;
        this.clampedCount += count;
      }
    }
    const index = indexOf(v);
    this.counts[index]! += count;
    this.total += count;
    if (index < this.minIndex) this.minIndex = index;
    if (index > this.maxIndex) this.maxIndex = index;
  }

  /** Adds every value of `other` to this histogram. */
  add(other: LatencyHistogram): void {
    if (other.total === 0) return;
    const mine = this.counts;
    const theirs = other.counts;
    for (let i = other.minIndex; i <= other.maxIndex; i++) mine[i]! += theirs[i]!;
    this.total += other.total;
    this.clampedCount += other.clampedCount;
    if (other.minIndex < this.minIndex) this.minIndex = other.minIndex;
    if (other.maxIndex > this.maxIndex) this.maxIndex = other.maxIndex;
  }

  reset(): void {
    if (this.maxIndex >= 0) this.counts.fill(0, this.minIndex, this.maxIndex + 1);
    this.total = 0;
    this.clampedCount = 0;
    this.minIndex = COUNTS_LENGTH;
    this.maxIndex = -1;
  }

  /** Value (µs) at each percentile, in one pass; `percentiles` must be ascending. 0 when empty. */
  valuesAtPercentiles(percentiles: readonly number[]): number[] {
    const out = new Array<number>(percentiles.length).fill(0);
    if (this.total === 0) return out;
    let k = 0;
    let wanted = countAtPercentile(percentiles[0] ?? 0, this.total);
    let cumulative = 0;
    for (let i = this.minIndex; i <= this.maxIndex && k < percentiles.length; i++) {
      cumulative += this.counts[i]!;
      while (k < percentiles.length && cumulative >= wanted) {
        out[k] = highestValueAt(i);
        k++;
        if (k < percentiles.length) wanted = countAtPercentile(percentiles[k]!, this.total);
      }
    }
    return out;
  }

  /**
   * Each occupied bucket in ascending order: the lowest and highest value (µs) it counts, and how
   * many. For exporters that re-bucket (Prometheus's native and classic histograms).
   */
  forEachBucket(fn: (lowestUs: number, highestUs: number, count: number) => void): void {
    for (let i = this.minIndex; i <= this.maxIndex; i++) {
      const c = this.counts[i]!;
      if (c > 0) fn(lowestValueAt(i), highestValueAt(i), c);
    }
  }

  /** Value (µs) at one percentile (0 < p ≤ 100); 0 when empty. */
  valueAtPercentile(percentile: number): number {
    return this.valuesAtPercentiles([percentile])[0] ?? 0;
  }

  /** Percentiles and moments in milliseconds. All zeros when nothing was recorded. */
  summary(): LatencySummary {
    if (this.total === 0) {
      return { count: 0, min: 0, mean: 0, stddev: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 };
    }
    const [p50 = 0, p90 = 0, p95 = 0, p99 = 0, p999 = 0] = this.valuesAtPercentiles([50, 90, 95, 99, 99.9]);
    let sum = 0;
    for (let i = this.minIndex; i <= this.maxIndex; i++) {
      const c = this.counts[i]!;
      if (c > 0) sum += medianValueAt(i) * c;
    }
    const mean = sum / this.total;
    let squares = 0;
    for (let i = this.minIndex; i <= this.maxIndex; i++) {
      const c = this.counts[i]!;
      if (c > 0) {
        const d = medianValueAt(i) - mean;
        squares += d * d * c;
      }
    }
    return {
      count: this.total,
      min: us2ms(lowestValueAt(this.minIndex)),
      mean: roundToMicro(us2ms(mean)),
      stddev: roundToMicro(us2ms(Math.sqrt(squares / this.total))),
      p50: us2ms(p50),
      p90: us2ms(p90),
      p95: us2ms(p95),
      p99: us2ms(p99),
      p999: us2ms(p999),
      max: us2ms(highestValueAt(this.maxIndex)),
    };
  }

  /** HdrHistogram V2 compressed encoding, base64: the form results are stored and shipped in. */
  encode(): string {
    const hdr = build({
      bitBucketSize: 64,
      autoResize: false,
      lowestDiscernibleValue: 1,
      highestTrackableValue: HISTOGRAM_HIGHEST_US,
      numberOfSignificantValueDigits: HISTOGRAM_SIGNIFICANT_DIGITS,
    });
    for (let i = this.minIndex; i <= this.maxIndex; i++) {
      const c = this.counts[i]!;
      if (c > 0) hdr.recordValueWithCount(lowestValueAt(i), c);
    }
    return encodeIntoCompressedBase64(hdr);
  }
}

/**
 * Reads an encoded HdrHistogram (ours, or any tool's; other layouts are re-bucketed into ours).
 * The clamped count is not part of the format and reads as 0.
 */
export function decodeHistogram(encoded: string): LatencyHistogram {
  let hdr: unknown;
  try {
    hdr = decodeFromCompressedBase64(encoded, 64);
  } catch (error) {
    throw new Error(`not an encoded HdrHistogram: ${encoded.slice(0, 16)}…`, { cause: error });
  }
  if (!(hdr instanceof JsHistogram)) throw new Error("hdr-histogram-js decoded into an unexpected type");
  const out = new LatencyHistogram();
  for (let i = 0; i < hdr.countsArrayLength; i++) {
    const c = hdr.getCountAtIndex(i);
    if (c > 0) out.recordMany(hdr.valueFromIndex(i), c);
  }
  return out;
}

/** A new histogram holding every value of `histograms` (trials, workers). */
export function mergeHistograms(histograms: Iterable<LatencyHistogram>): LatencyHistogram {
  const out = new LatencyHistogram();
  for (const h of histograms) out.add(h);
  return out;
}
