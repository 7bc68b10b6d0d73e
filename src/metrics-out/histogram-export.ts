// An HDR latency histogram as Prometheus histograms, both of which merge by adding (sum over
// scenarios, generators, trials), unlike percentile gauges:
//   - native (sparse exponential) buckets: bucket i of schema s holds (2^((i−1)/2^s), 2^(i/2^s)]
//     seconds. Each HDR bucket (3 significant digits, ~0.1 % wide) goes whole to the native bucket
//     of its midpoint, so a quantile Prometheus computes is within one native bucket of HDR's.
//   - classic buckets at fixed boundaries (`le`, cumulative), for servers without native histograms:
//     a default ladder plus the scenario's latency thresholds, so `p95 < 100ms` has an exact edge.
import type { LatencyHistogram } from "../metrics/histogram.js";
import type { BucketSpan } from "./prompb.js";

/** 2^(1/32): buckets 2.2 % wide. k6 uses 1.1 (schema 3); HDR keeps 0.1 %, so finer is cheap. */
export const NATIVE_SCHEMA = 5;
/** Latencies under 1 µs (HDR's 0) count in the zero bucket. */
export const ZERO_THRESHOLD_S = 1e-6;
/** Prometheus's default buckets with a 1 ms and a 2.5 ms step in front (data systems answer fast). */
export const DEFAULT_BUCKETS_S: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface NativeBuckets {
  count: number;
  sum: number;
  zeroCount: number;
  spans: BucketSpan[];
  /** Delta-encoded bucket counts (first absolute), as remote write sends them. */
  deltas: number[];
}

/** The native bucket index of `seconds` (> 0) at `schema`. */
export function nativeIndex(seconds: number, schema: number = NATIVE_SCHEMA): number {
  return Math.ceil(Math.log2(seconds) * 2 ** schema - 1e-9);
}

/** Upper bound (seconds) of native bucket `index`. */
export function nativeUpperBound(index: number, schema: number = NATIVE_SCHEMA): number {
  return 2 ** (index / 2 ** schema);
}

export function nativeBuckets(h: LatencyHistogram, schema: number = NATIVE_SCHEMA): NativeBuckets {
  // HDR buckets come in ascending order, so native indexes never decrease: one pass, no map, and a
  // logarithm only when a value passes the current native bucket's upper bound (this runs once a
  // second on the engine's event loop: ~7,000 occupied HDR buckets for a wide distribution).
  const indexes: number[] = [];
  const counts: number[] = [];
  let zeroCount = 0;
  let sum = 0;
  let index = Number.NaN;
  let upper = -Infinity;
  h.forEachBucket((lo, hi, count) => {
    // HDR truncates to whole µs: the bucket holds [lo, hi + 1) µs.
    const mid = (lo + hi + 1) / 2 / 1e6;
    sum += mid * count;
    if (hi < 1) {
      zeroCount += count;
      return;
    }
    if (mid > upper) {
      index = nativeIndex(mid, schema);
      upper = nativeUpperBound(index, schema);
      indexes.push(index);
      counts.push(count);
    } else counts[counts.length - 1]! += count;
  });
  const spans: BucketSpan[] = [];
  const deltas: number[] = [];
  let previousIndex: number | undefined;
  let previousCount = 0;
  indexes.forEach((i, k) => {
    const count = counts[k]!;
    const gap = previousIndex === undefined ? 0 : i - previousIndex - 1;
    if (previousIndex === undefined || gap > 2) {
      // A new span: its offset from the end of the last one (the first: from index 0).
      spans.push({ offset: previousIndex === undefined ? i : gap, length: 1 });
    } else {
      // A short gap is cheaper as empty buckets inside the span.
      for (let g = 0; g < gap; g++) {
        deltas.push(-previousCount);
        previousCount = 0;
      }
      spans[spans.length - 1]!.length += gap + 1;
    }
    deltas.push(count - previousCount);
    previousCount = count;
    previousIndex = i;
  });
  return { count: h.count, sum, zeroCount, spans, deltas };
}

export interface ClassicBuckets {
  /** Upper bounds in seconds, ascending, then +Inf. */
  le: number[];
  /** Cumulative counts, one per bound (+Inf last: every value). */
  cumulative: number[];
  sum: number;
  count: number;
}

/** Cumulative counts at `bounds` (seconds): an HDR bucket counts under the first bound ≥ its highest value. */
export function classicBuckets(h: LatencyHistogram, bounds: readonly number[]): ClassicBuckets {
  const le = [...new Set(bounds)].filter((b) => b > 0 && Number.isFinite(b)).sort((a, b) => a - b);
  const counts = new Array<number>(le.length + 1).fill(0);
  let sum = 0;
  // Ascending buckets: the bound a bucket counts under only moves up.
  let k = 0;
  h.forEachBucket((lo, hi, count) => {
    sum += ((lo + hi + 1) / 2 / 1e6) * count;
    while (k < le.length && hi / 1e6 > le[k]!) k++;
    counts[k]! += count;
  });
  let running = 0;
  const cumulative = counts.map((c) => (running += c));
  return { le: [...le, Infinity], cumulative, sum, count: h.count };
}
