// The statistics behind `pipebench compare`: Mann–Whitney U on trial values (exact permutation
// distribution for small samples, ties included; normal approximation with tie and continuity
// correction otherwise), the Hodges–Lehmann shift with its distribution-free confidence interval,
// the median's order-statistic interval (as benchstat prints it), and a seeded bootstrap for runs
// with a single trial. simple-statistics supplies the medians, quantiles and the normal
// distribution; the rank tests are here because no maintained npm package has them (see
// docs/decisions.md, "Compare").
import { errorFunction, median as ssMedian, probit, quantileSorted } from "simple-statistics";

export interface MannWhitneyResult {
  /** U of the first sample: pairs (a, b) with a > b, ties counting one half. */
  u: number;
  /** Two-sided p-value. */
  p: number;
  method: "exact" | "normal";
}

/** Pooled samples up to this size get the exact permutation distribution (benchstat: ≤ 50 each). */
export const EXACT_MAX_TOTAL = 50;

export function median(xs: readonly number[]): number {
  return ssMedian([...xs]);
}

/** Midranks (1-based) of `values`, and the sizes of the groups of ties. */
function midranks(values: readonly number[]): { ranks: number[]; ties: number[] } {
  const order = values.map((v, i) => [v, i] as const).sort((x, y) => x[0] - y[0]);
  const ranks = new Array<number>(values.length).fill(0);
  const ties: number[] = [];
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const rank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = rank;
    ties.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, ties };
}

/** Standard normal upper tail, P(Z > z). */
export function normalUpperTail(z: number): number {
  return z >= 0 ? (1 - errorFunction(z / Math.SQRT2)) / 2 : 1 - (1 - errorFunction(-z / Math.SQRT2)) / 2;
}

/** z such that P(Z ≤ z) = p. */
export function normalQuantile(p: number): number {
  return probit(p);
}

/**
 * Two-sided Mann–Whitney U test of "a and b come from the same distribution". Exact: every way of
 * choosing |a| of the pooled values (with their midranks, so ties are exact too) is counted by
 * dynamic programming over rank sums, as a permutation test would enumerate them.
 */
export function mannWhitney(a: readonly number[], b: readonly number[]): MannWhitneyResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError("mannWhitney needs two non-empty samples");
  const n = n1 + n2;
  const { ranks, ties } = midranks([...a, ...b]);
  const r1 = ranks.slice(0, n1).reduce((s, r) => s + r, 0);
  const u = r1 - (n1 * (n1 + 1)) / 2;
  if (n <= EXACT_MAX_TOTAL) return { u, p: exactP(ranks, Math.min(n1, n2), n1 <= n2 ? r1 : (n * (n + 1)) / 2 - r1), method: "exact" };

  const mean = (n1 * n2) / 2;
  const tieTerm = ties.reduce((s, t) => s + (t * t * t - t), 0);
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { u, p: 1, method: "normal" };
  // Continuity correction, as scipy.stats.mannwhitneyu does by default.
  const z = Math.max(0, Math.abs(u - mean) - 0.5) / Math.sqrt(variance);
  return { u, p: Math.min(1, 2 * normalUpperTail(z)), method: "normal" };
}

/**
 * P(|R − E[R]| ≥ |observed − E[R]|) for R the rank sum of k values drawn without replacement from
 * `ranks`. Ranks are doubled so that midranks are integers.
 */
function exactP(ranks: readonly number[], k: number, observed: number): number {
  const doubled = ranks.map((r) => Math.round(r * 2));
  const maxSum = doubled.reduce((s, r) => s + r, 0);
  // ways[j][s]: subsets of size j with doubled rank sum s.
  const ways = Array.from({ length: k + 1 }, () => new Float64Array(maxSum + 1));
  ways[0]![0] = 1;
  let reach = 0;
  for (const r of doubled) {
    reach += r;
    for (let j = k; j >= 1; j--) {
      const to = ways[j]!;
      const from = ways[j - 1]!;
      for (let s = reach; s >= r; s--) to[s]! += from[s - r]!;
    }
  }
  const counts = ways[k]!;
  const total = counts.reduce((s, c) => s + c, 0);
  const expected = (k * maxSum) / ranks.length;
  const distance = Math.abs(observed * 2 - expected);
  let extreme = 0;
  for (let s = 0; s <= maxSum; s++) {
    // A hair of tolerance: doubled sums are integers but `expected` need not be.
    if (Math.abs(s - expected) >= distance - 1e-9) extreme += counts[s]!;
  }
  return Math.min(1, extreme / total);
}

/** Counts of U = 0 … n1·n2 for samples of n1 and n2 without ties (the classic recurrence). */
function uDistribution(n1: number, n2: number): Float64Array {
  // f[i][j][u] via a rolling table over j: f(i, j, u) = f(i−1, j, u−j) + f(i, j−1, u).
  const max = n1 * n2;
  let prev: Float64Array[] = Array.from({ length: n2 + 1 }, () => new Float64Array(max + 1));
  for (let j = 0; j <= n2; j++) prev[j]![0] = 1; // i = 0
  for (let i = 1; i <= n1; i++) {
    const cur: Float64Array[] = Array.from({ length: n2 + 1 }, () => new Float64Array(max + 1));
    cur[0]![0] = 1;
    for (let j = 1; j <= n2; j++) {
      const c = cur[j]!;
      const up = prev[j]!;
      const left = cur[j - 1]!;
      for (let u = 0; u <= i * j; u++) c[u] = (u >= j ? up[u - j]! : 0) + left[u]!;
    }
    prev = cur;
  }
  return prev[n2]!;
}

/** The smallest two-sided p-value samples of these sizes can ever give (complete separation). */
export function minimumPValue(n1: number, n2: number): number {
  if (n1 === 0 || n2 === 0) return 1;
  if (n1 + n2 > EXACT_MAX_TOTAL) return 0;
  let combinations = 1;
  for (let i = 1; i <= Math.min(n1, n2); i++) combinations = (combinations * (n1 + n2 - Math.min(n1, n2) + i)) / i;
  return Math.min(1, 2 / combinations);
}

/**
 * Hodges–Lehmann estimate of the shift b − a (the median of all pairwise differences) with the
 * distribution-free interval that inverts the Mann–Whitney test (Moses; R's wilcox.test conf.int).
 * Null when the samples are too small to reach `confidence` (e.g. 3 and 3 trials reach 90 % at most).
 */
export function shiftInterval(
  a: readonly number[],
  b: readonly number[],
  confidence = 0.95,
): { estimate: number; low: number; high: number; confidence: number } | null {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return null;
  const diffs: number[] = [];
  for (const x of a) for (const y of b) diffs.push(y - x);
  diffs.sort((x, y) => x - y);
  const m = diffs.length;
  const alpha = 1 - confidence;
  let c: number; // 1-based rank of the lower bound among the sorted differences
  let achieved: number;
  if (n1 + n2 <= EXACT_MAX_TOTAL) {
    const counts = uDistribution(n1, n2);
    const total = counts.reduce((s, x) => s + x, 0);
    // Largest c with 2·P(U ≤ c − 1) ≤ alpha.
    let cumulative = 0;
    c = 0;
    for (let u = 0; u < counts.length; u++) {
      if (2 * (cumulative + counts[u]!) / total > alpha) break;
      cumulative += counts[u]!;
      c = u + 1;
    }
    if (c === 0) return null;
    achieved = 1 - (2 * cumulative) / total;
  } else {
    const z = normalQuantile(1 - alpha / 2);
    c = Math.floor(m / 2 - z * Math.sqrt((n1 * n2 * (n1 + n2 + 1)) / 12));
    if (c < 1) return null;
    achieved = confidence;
  }
  return { estimate: median(diffs), low: diffs[c - 1]!, high: diffs[m - c]!, confidence: achieved };
}

/**
 * The median with its distribution-free interval from order statistics (benchstat's "± x%"):
 * [x(k), x(n+1−k)] with the largest k whose coverage 1 − 2·P(Bin(n, ½) < k) is at least `confidence`.
 * Infinite bounds when n is too small (n < 6 at 95 %).
 */
export function medianInterval(xs: readonly number[], confidence = 0.95): { median: number; low: number; high: number } {
  const sorted = [...xs].sort((x, y) => x - y);
  const n = sorted.length;
  const center = median(sorted);
  let k = 0;
  let tail = 0; // P(Bin(n, ½) ≤ k − 1)
  let term = 0.5 ** n; // P(Bin = i)
  for (let i = 0; i < n; i++) {
    const next = tail + term;
    if (1 - 2 * next < confidence) break;
    tail = next;
    k = i + 1;
    term = (term * (n - i)) / (i + 1);
  }
  if (k === 0) return { median: center, low: Number.NEGATIVE_INFINITY, high: Number.POSITIVE_INFINITY };
  return { median: center, low: sorted[k - 1]!, high: sorted[n - k]! };
}

/** The smallest n whose median interval is finite at `confidence` (6 at 95 %). */
export function medianIntervalMinimumN(confidence = 0.95): number {
  for (let n = 1; n <= 100; n++) if (Number.isFinite(medianInterval(Array.from({ length: n }, (_, i) => i), confidence).low)) return n;
  return 101;
}

/** A small, fast, seeded generator (mulberry32): the same inputs always compare the same way. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function standardNormal(random: () => number): number {
  // Box–Muller; 1 − u keeps the logarithm finite.
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Gamma(shape, 1) for shape ≥ 1 (Marsaglia & Tsang 2000). */
function gamma(shape: number, random: () => number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** Beta(a, b) for a, b ≥ 1. */
export function beta(a: number, b: number, random: () => number): number {
  const x = gamma(a, random);
  return x / (x + gamma(b, random));
}

/**
 * The percentile of one bootstrap resample of `count` values drawn from an empirical distribution,
 * without drawing them: the k-th smallest of `count` draws is F⁻¹(U) with U ~ Beta(k, count − k + 1).
 * `inverse(u)` is the distribution's value at fraction u (a histogram's valueAtPercentile(100u)).
 */
export function bootstrapPercentile(count: number, percentile: number, inverse: (u: number) => number, random: () => number): number {
  const k = Math.min(count, Math.max(1, Math.ceil((percentile / 100) * count)));
  const u = beta(k, count - k + 1, random);
  return inverse(Math.min(1, Math.max(Number.MIN_VALUE, u)));
}

/**
 * `replicates` bootstrap draws of a percentile at once, in draw order. `inverseMany` maps ascending
 * fractions to values in one pass (a histogram's valuesAtPercentiles), so a histogram with
 * thousands of occupied buckets is walked once rather than once per draw.
 */
export function bootstrapPercentiles(
  count: number,
  percentile: number,
  replicates: number,
  inverseMany: (ascendingFractions: readonly number[]) => number[],
  random: () => number,
): number[] {
  const k = Math.min(count, Math.max(1, Math.ceil((percentile / 100) * count)));
  const us = Array.from({ length: replicates }, () => Math.min(1, Math.max(Number.MIN_VALUE, beta(k, count - k + 1, random))));
  const order = us.map((_, i) => i).sort((x, y) => us[x]! - us[y]!);
  const values = inverseMany(order.map((i) => us[i]!));
  const out = new Array<number>(replicates);
  order.forEach((drawIndex, rank) => (out[drawIndex] = values[rank]!));
  return out;
}

/** Resamples `items` with replacement (as many as there are). */
export function resample<T>(items: readonly T[], random: () => number): T[] {
  const out: T[] = [];
  for (let i = 0; i < items.length; i++) out.push(items[Math.floor(random() * items.length)]!);
  return out;
}

export interface BootstrapResult {
  /**
   * Percentile interval of after/before (the point estimate is the caller's: the statistics of all
   * the data); null when before is 0 in most draws (errors where there were none: no ratio to give).
   */
  ratioLow: number | null;
  ratioHigh: number | null;
  /** Two-sided: twice the smaller share of replicates on either side of "no change" (after = before). */
  p: number;
}

/** after/before over `replicates` bootstrap draws of each side's statistic. */
export function bootstrapRatio(
  drawBefore: () => number,
  drawAfter: () => number,
  options: { replicates?: number; confidence?: number } = {},
): BootstrapResult | null {
  const replicates = options.replicates ?? 2000;
  const alpha = 1 - (options.confidence ?? 0.95);
  const ratios: number[] = [];
  // The test needs no ratio: which side of "no change" each draw falls on, so a rise from 0 counts.
  let below = 0;
  let above = 0;
  let drawn = 0;
  for (let i = 0; i < replicates; i++) {
    const b = drawBefore();
    const a = drawAfter();
    if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
    drawn++;
    if (a <= b) below++;
    if (a >= b) above++;
    if (b > 0) ratios.push(a / b);
  }
  if (drawn < replicates / 2) return null;
  ratios.sort((x, y) => x - y);
  const interval = ratios.length >= drawn / 2;
  return {
    ratioLow: interval ? quantileSorted(ratios, alpha / 2) : null,
    ratioHigh: interval ? quantileSorted(ratios, 1 - alpha / 2) : null,
    p: Math.min(1, (2 * (Math.min(below, above) + 1)) / (drawn + 1)),
  };
}
