// The statistics behind compare, against known values. Mann–Whitney references were computed
// with scipy 1.17 (scipy.stats.mannwhitneyu; exact permutation p for the tied case by enumerating
// every split); the shift interval follows Hollander & Wolfe's worked rule (R's wilcox.test).
import assert from "node:assert/strict";
import { test } from "node:test";
import { LatencyHistogram } from "../../src/metrics/histogram.js";
import {
  bootstrapPercentile,
  bootstrapPercentiles,
  bootstrapRatio,
  mannWhitney,
  medianInterval,
  medianIntervalMinimumN,
  minimumPValue,
  normalQuantile,
  normalUpperTail,
  resample,
  seededRandom,
  shiftInterval,
} from "../../src/compare/stats.js";

const close = (actual: number, expected: number, tolerance: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);

const exactCases: [string, number[], number[], number, number][] = [
  // name, a, b, U of a, two-sided p (scipy method="exact")
  ["complete separation 5 v 5", [1.1, 2.2, 3.3, 4.4, 5.5], [6.1, 7.2, 8.3, 9.4, 10.5], 0, 0.007936507936507936],
  ["overlap 5 v 5", [10.2, 11.5, 9.8, 12.1, 10.9], [11.0, 12.4, 13.1, 11.8, 12.9], 3, 0.05555555555555555],
  ["4 v 6", [3.1, 5.2, 1.4, 7.7], [2.2, 6.3, 8.8, 9.1, 4.0, 10.6], 6, 0.2571428571428571],
  ["7 v 5", [20, 22, 19, 25, 30, 21, 18], [24, 27, 29, 31, 26], 5, 0.04797979797979798],
];

for (const [name, a, b, u, p] of exactCases) {
  test(`Mann–Whitney exact, ${name}: U and p as scipy`, () => {
    const r = mannWhitney(a, b);
    assert.equal(r.method, "exact");
    assert.equal(r.u, u);
    close(r.p, p, 1e-12, "p");
    // The test is symmetric in its two samples.
    close(mannWhitney(b, a).p, p, 1e-12, "p swapped");
  });
}

test("Mann–Whitney exact with ties: the permutation distribution of midrank sums", () => {
  const r = mannWhitney([1, 2, 2, 3, 5], [2, 3, 3, 4, 6, 6]);
  assert.equal(r.u, 7);
  close(r.p, 0.16883116883116883, 1e-12, "p"); // every one of the 462 splits enumerated
});

test("identical samples: p = 1; all values tied: p = 1", () => {
  assert.equal(mannWhitney([1, 2, 3], [1, 2, 3]).p, 1);
  assert.equal(mannWhitney([0, 0, 0, 0, 0], [0, 0, 0, 0, 0]).p, 1);
});

test("Mann–Whitney normal approximation with tie and continuity correction, as scipy asymptotic", () => {
  const x = [11, 12, 11, 7, 12, 11, 9, 11, 11, 11, 10, 11, 9, 10, 9, 11, 10, 9, 8, 9, 10, 9, 13, 12, 5, 6, 10, 9, 10, 10, 14, 8, 9, 14, 11, 11, 9, 7, 10, 10];
  const y = [9, 10, 11, 9, 11, 11, 11, 10, 12, 13, 12, 9, 12, 10, 13, 9, 13, 11, 9, 10, 11, 12, 9, 9, 11, 10, 11, 13, 8, 12, 13, 10, 9, 13, 12];
  const r = mannWhitney(x, y);
  assert.equal(r.method, "normal");
  assert.equal(r.u, 524);
  // Numerical Recipes' erfc (simple-statistics) is good to ~1e-7.
  close(r.p, 0.05766728434006884, 1e-6, "p");
});

test("the smallest reachable p: benchstat's table (5 v 5 can be significant at 0.05, 3 v 3 never)", () => {
  close(minimumPValue(3, 3), 0.1, 1e-15, "3 v 3");
  close(minimumPValue(4, 4), 0.02857142857142857, 1e-15, "4 v 4");
  close(minimumPValue(5, 5), 0.007936507936507936, 1e-15, "5 v 5");
  close(minimumPValue(9, 9), 4.113533525298231e-5, 1e-15, "9 v 9");
});

test("normal distribution: tails and quantiles", () => {
  close(normalUpperTail(1.959963984540054), 0.025, 1e-7, "upper tail at 1.96");
  close(normalUpperTail(0), 0.5, 1e-7, "at 0");
  close(normalUpperTail(-1), 0.8413447460685429, 1e-7, "at -1");
  close(normalQuantile(0.975), 1.959963984540054, 5e-3, "quantile 0.975");
});

test("Hodges–Lehmann shift and its 95 % interval: the 3rd and 23rd of 25 differences for 5 v 5", () => {
  const a = [1, 2, 3, 4, 5];
  const b = a.map((x) => x + 10);
  const ci = shiftInterval(a, b);
  assert.ok(ci);
  assert.equal(ci.estimate, 10);
  assert.equal(ci.low, 7);
  assert.equal(ci.high, 13);
  close(ci.confidence, 1 - (2 * 4) / 252, 1e-12, "achieved confidence");
  // 3 v 3 reaches 90 % at most: no 95 % interval.
  assert.equal(shiftInterval([1, 2, 3], [4, 5, 6]), null);
});

test("median interval from order statistics: none below 6 values at 95 %, [x2, x9] for 10", () => {
  assert.equal(medianIntervalMinimumN(0.95), 6);
  assert.equal(medianInterval([5, 1, 4, 2, 3]).low, Number.NEGATIVE_INFINITY);
  assert.deepEqual(medianInterval([1, 2, 3, 4, 5, 6]), { median: 3.5, low: 1, high: 6 });
  assert.deepEqual(medianInterval([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]), { median: 5.5, low: 2, high: 9 });
});

test("bootstrap of a percentile through Beta order statistics matches resampling the values", () => {
  // 1,000 latencies 1..1000 µs; the median of a resample of 1,000, drawn both ways.
  const values = Array.from({ length: 1000 }, (_, i) => i + 1);
  const hist = new LatencyHistogram();
  for (const v of values) hist.record(v);
  const random = seededRandom(7);
  const viaBeta: number[] = [];
  const viaResample: number[] = [];
  for (let i = 0; i < 2000; i++) {
    viaBeta.push(bootstrapPercentile(1000, 50, (u) => hist.valueAtPercentile(u * 100), random));
    const s = resample(values, random).sort((x, y) => x - y);
    viaResample.push(s[499]!);
  }
  const q = (xs: number[], f: number): number => [...xs].sort((x, y) => x - y)[Math.floor(f * (xs.length - 1))]!;
  for (const f of [0.025, 0.5, 0.975]) close(q(viaBeta, f), q(viaResample, f), 6, `quantile ${f}`);
  // The spread is the textbook one: sd of a sample median ≈ 1 / (2·f(m)·√n) = 15.8 µs for this uniform.
  close(q(viaBeta, 0.975) - q(viaBeta, 0.025), 2 * 1.96 * (1000 / 2 / Math.sqrt(1000)), 8, "95% width");
});

test("bootstrap ratio: a 20 % shift is found with its interval; equal samples straddle 1", () => {
  const random = seededRandom(1);
  const base = Array.from({ length: 30 }, (_, i) => 100 + (i % 7));
  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  const shifted = bootstrapRatio(() => mean(resample(base, random)), () => 1.2 * mean(resample(base, random)));
  assert.ok(shifted);
  assert.ok((shifted.ratioLow ?? 0) > 1.15 && (shifted.ratioHigh ?? 2) < 1.25, JSON.stringify(shifted));
  assert.ok(shifted.p < 0.01);
  const same = bootstrapRatio(() => mean(resample(base, random)), () => mean(resample(base, random)));
  assert.ok(same);
  assert.ok((same.ratioLow ?? 2) < 1 && (same.ratioHigh ?? 0) > 1);
  assert.ok(same.p > 0.05);
});

test("bootstrap ratio: a rise from 0 is significant, with no ratio to give", () => {
  const random = seededRandom(2);
  const errors = Array.from({ length: 20 }, (_, i) => 0.08 + (i % 5) / 100);
  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  const fromZero = bootstrapRatio(() => 0, () => mean(resample(errors, random)));
  assert.ok(fromZero);
  assert.equal(fromZero.ratioLow, null);
  assert.equal(fromZero.ratioHigh, null);
  assert.ok(fromZero.p < 0.01, `p ${fromZero.p}`);
  const bothZero = bootstrapRatio(() => 0, () => 0);
  assert.equal(bothZero?.p, 1);
});

test("bootstrapPercentiles: the same draws as one at a time, from one pass over the histogram", () => {
  const hist = new LatencyHistogram();
  const fill = seededRandom(3);
  for (let i = 0; i < 50_000; i++) hist.record(Math.floor(50 + 2e5 * fill() ** 3));
  const one = seededRandom(11);
  const single = Array.from({ length: 500 }, () => bootstrapPercentile(50_000, 99, (u) => hist.valueAtPercentile(u * 100), one));
  const many = bootstrapPercentiles(50_000, 99, 500, (us) => hist.valuesAtPercentiles(us.map((u) => u * 100)), seededRandom(11));
  assert.deepEqual(many, single);
});
