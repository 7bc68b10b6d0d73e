// A quantile from a classic Prometheus histogram's cumulative buckets, computed the way PromQL's
// histogram_quantile does (promql/quantile.go, bucketQuantile): find the bucket the rank falls in
// and interpolate linearly inside it, the first bucket starting at 0. The answer is bounded by the
// bucket edges, never finer: with buckets at 5 and 10 ms, a p99 of "7.5 ms" means "between 5 and 10".

/** One cumulative bucket: observations ≤ `le` (seconds, or whatever unit the histogram counts). */
export interface Bucket {
  readonly le: number;
  readonly count: number;
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of the observations the buckets count, or undefined when there are
 * none. Buckets in any order; the +Inf bucket is needed for the total (without it the largest
 * bucket stands for it). A rank in the +Inf bucket answers the largest finite upper bound, as
 * Prometheus does.
 */
export function bucketQuantile(q: number, buckets: readonly Bucket[]): number | undefined {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  if (sorted.length < 2) return undefined;
  // Counts that go down (a scrape of a restarting service) are raised to the previous bucket's, as
  // Prometheus's ensureMonotonic does.
  const counts = sorted.map((b) => b.count);
  for (let i = 1; i < counts.length; i++) counts[i] = Math.max(counts[i]!, counts[i - 1]!);
  const total = counts[counts.length - 1]!;
  if (!(total > 0)) return undefined;
  if (q <= 0) return 0;
  // q = 1 takes the general path: the rank is the total, reached first by the bucket holding the
  // largest observation, whose upper bound is the answer (not the largest bucket's).
  const rank = Math.min(q, 1) * total;
  let i = counts.findIndex((c) => c >= rank);
  if (i < 0) i = counts.length - 1;
  if (sorted[i]!.le === Infinity) return sorted[i - 1]!.le;
  const upper = sorted[i]!.le;
  const lower = i === 0 ? 0 : sorted[i - 1]!.le;
  const below = i === 0 ? 0 : counts[i - 1]!;
  const inBucket = counts[i]! - below;
  if (i === 0 && upper <= 0) return upper;
  return inBucket > 0 ? lower + (upper - lower) * ((rank - below) / inBucket) : upper;
}
