// The USL fit held against published fits of published data, its bounds, its warning below 6
// distinct N and its refusal to extrapolate past 2× the largest N measured.
//
// Where the numbers come from: the R package `usl` by Stefan Möding and Neil Gunther (CRAN; source
// github.com/smoeding/usl, version 3.0.3 of 2022-08-27), whose default solver is nlsr::nlxb with the
// lower bounds σ, κ, λ ≥ 0, as ours.
// - Data: its datasets `specsdm91` (SPEC SDM91, Sun SPARCcenter 2000, load 1–216 users, scripts/h)
//   and `raytracer` (Gunther's ray-tracing benchmark on an SGI Origin 2000, 1–64 CPUs), both from
//   Gunther's "Guerrilla Capacity Planning" (Springer 2007); the values below were read out of the
//   package's data/specsdm91.rda and data/raytracer.rda (R's XDR format, the doubles decoded as they are).
// - Coefficients: its tests/summary.Rout.save (`summary(usl(throughput ~ load, specsdm91))`):
//   alpha (σ) 2.773e-02 ± 9.122e-03, beta (κ) 1.044e-04 ± 1.988e-05, gamma (λ) 9.000e+01 ± 1.421e+01,
//   residual standard error 82.85 on 4 df, peak throughput 1884 at load 96.52, Amdahl limit 3246;
//   and tests/confint.Rout.save (`usl(throughput ~ processors, raytracer)`): alpha 0.0578, beta 0.0000,
//   gamma 21.8488, the alpha interval 0.033677–0.081864 (= α ± se·qt(0.95, 10), so se = 0.013293).
import assert from "node:assert/strict";
import { test } from "node:test";
import { ExtrapolationRefused, FitInputError } from "../../src/fit/fit-errors.js";
import { parsePointsCsv } from "../../src/fit/fit-points.js";
import { fitUsl, predictThroughput, uslCurve, type FitPoint } from "../../src/fit/usl-fit.js";
import { uslThroughput } from "../../src/fit/usl-model.js";

const points = (pairs: readonly (readonly [number, number])[]): FitPoint[] => pairs.map(([n, throughput]) => ({ n, throughput }));

const SPECSDM91 = points([[1, 64.9], [18, 995.9], [36, 1652.4], [72, 1853.2], [108, 1828.9], [144, 1775.0], [216, 1702.2]]);
const RAYTRACER = points([[1, 20], [4, 78], [8, 130], [12, 170], [16, 190], [20, 200], [24, 210], [28, 230], [32, 260], [48, 280], [64, 310]]);

/** R's signif(x, 3). */
const signif3 = (x: number): number => Number(x.toPrecision(3));

test("specsdm91: σ, κ, λ, their standard errors and the peak equal the R usl package's to 3 significant digits", () => {
  const fit = fitUsl(SPECSDM91);
  assert.equal(signif3(fit.sigma.value), 0.0277);
  assert.equal(signif3(fit.kappa.value), 0.000104);
  assert.equal(signif3(fit.lambda.value), 90.0);
  assert.equal(signif3(fit.sigma.stdError ?? Number.NaN), 0.00912);
  assert.equal(signif3(fit.kappa.stdError ?? Number.NaN), 0.0000199);
  assert.equal(signif3(fit.lambda.stdError ?? Number.NaN), 14.2);
  assert.equal(signif3(fit.residualStdError ?? Number.NaN), 82.8); // 82.85 printed to 4 digits
  assert.equal(signif3(fit.peakN ?? Number.NaN), 96.5);
  assert.equal(Math.round(fit.peakThroughput ?? Number.NaN), 1884);
  assert.equal(Math.round(fit.amdahlLimit ?? Number.NaN), 3246);
  assert.equal(fit.amdahl, false, "κ's interval is clear of 0");
  assert.equal(fit.df, 4);
  assert.ok(fit.r2 > 0.98 && fit.r2 < 1, `R² ${fit.r2}`);
  assert.deepEqual(fit.warnings, []);
  // The interval is the two-sided 95 % t interval: σ ± t(0.975, 4)·se, t = 2.776.
  assert.ok(Math.abs((fit.sigma.high ?? 0) - (fit.sigma.value + 2.7764451 * (fit.sigma.stdError ?? 0))) < 1e-9);
});

test("raytracer: κ lands on its bound 0 (Amdahl) and σ, λ equal the R usl package's to 3 significant digits", () => {
  const fit = fitUsl(RAYTRACER);
  assert.equal(fit.kappa.value, 0, "exactly at the bound, as nlxb reports it");
  assert.equal(signif3(fit.sigma.value), 0.0578);
  assert.equal(signif3(fit.lambda.value), 21.8); // 21.8488
  assert.equal(Number(fit.lambda.value.toPrecision(6)), 21.8488);
  assert.equal(signif3(fit.sigma.stdError ?? Number.NaN), 0.0133); // 0.013293 from R's interval
  assert.equal(fit.amdahl, true);
  assert.equal(fit.peakN, null, "no peak without coherency");
  assert.equal(fit.amdahlLimit, fit.lambda.value / fit.sigma.value);
  assert.equal(fit.solver.face, "κ = 0 (Amdahl)");
});

test("the bounds hold: σ, κ ≥ 0 and λ > 0, intervals included, however the data lean", () => {
  const cases: [string, FitPoint[]][] = [
    // Superlinear (a cache warming up): an unbounded fit wants σ < 0.
    ["superlinear", points([1, 2, 3, 4, 5, 6, 8].map((n) => [n, 100 * n ** 1.15] as const))],
    // Perfectly linear: σ = κ = 0.
    ["linear", points([1, 2, 3, 4, 6, 8].map((n) => [n, 50 * n] as const))],
    // Flat from the start: all contention.
    ["flat", points([1, 2, 4, 8, 16, 32].map((n, i) => [n, 1000 + (i % 2) * 5] as const))],
    // Retrograde: strong coherency.
    ["retrograde", points([1, 2, 3, 4, 5, 6, 7].map((n) => [n, uslThroughput({ sigma: 0.05, kappa: 0.08, lambda: 300 }, n)] as const))],
  ];
  for (const [name, data] of cases) {
    const fit = fitUsl(data);
    for (const [coef, e] of [["sigma", fit.sigma], ["kappa", fit.kappa], ["lambda", fit.lambda]] as const) {
      assert.ok(e.value >= 0, `${name}: ${coef} ${e.value}`);
      if (e.low !== null) assert.ok(e.low >= 0, `${name}: ${coef} interval starts at ${e.low}`);
    }
    assert.ok(fit.lambda.value > 0, `${name}: λ ${fit.lambda.value}`);
  }
  const exact = fitUsl(cases[3]?.[1] ?? []);
  assert.equal(signif3(exact.sigma.value), 0.05, "noise-free points give back their coefficients");
  assert.equal(signif3(exact.kappa.value), 0.08);
  assert.equal(signif3(exact.lambda.value), 300);
  assert.equal(fitUsl(cases[0]?.[1] ?? []).sigma.value, 0, "superlinear data: σ held at its bound");
});

test("fewer than 6 distinct N: a warning; 6 or more: none", () => {
  const five = fitUsl(points([1, 2, 3, 4, 5].map((n) => [n, uslThroughput({ sigma: 0.1, kappa: 0.01, lambda: 100 }, n) * (n % 2 ? 1.01 : 0.99)] as const)));
  assert.equal(five.distinctN, 5);
  assert.ok(five.warnings.some((w) => /only 5 distinct N \(fewer than 6\)/.test(w)), five.warnings.join("; "));
  // Trials repeat N: 8 points, still 5 distinct values.
  const repeated = fitUsl([...five.points, ...five.points.slice(0, 3).map((p) => ({ ...p, throughput: p.throughput * 1.02 }))]);
  assert.equal(repeated.points.length, 8);
  assert.ok(repeated.warnings.some((w) => /only 5 distinct N/.test(w)));
  assert.ok(!fitUsl(SPECSDM91.slice(0, 6)).warnings.some((w) => /distinct N/.test(w)));
});

test("points the USL does not explain (R² < 0.8) are said to be so", () => {
  const scattered = fitUsl(points([[1, 700], [2, 710], [3, 650], [4, 470], [6, 560], [8, 880]]));
  assert.ok(scattered.r2 < 0.8, `R² ${scattered.r2}`);
  assert.ok(scattered.warnings.some((w) => /explains little of these points \(R² 0\.\d\d\)/.test(w)), scattered.warnings.join("; "));
  assert.ok(!fitUsl(RAYTRACER).warnings.some((w) => /explains little/.test(w)));
});

test("too few points to fit 3 coefficients: FitInputError, exit 2, with a hint", () => {
  for (const bad of [SPECSDM91.slice(0, 3), points([[1, 10], [1, 11], [2, 19], [2, 20]])]) {
    assert.throws(() => fitUsl(bad), (e: unknown) => e instanceof FitInputError && e.exitCode === 2 && /--sweep/.test(e.hint ?? ""));
  }
  assert.throws(() => fitUsl(points([[0, 1], [1, 2], [2, 3], [3, 4]])), /N must be a number ≥ 1/);
  assert.throws(() => fitUsl(points([[1, 1], [2, 0], [3, 3], [4, 4]])), /throughput must be a positive number/);
});

test("predictions beyond 2× the largest N measured are refused unless forced", () => {
  const fit = fitUsl(SPECSDM91);
  assert.equal(fit.extrapolationLimitN, 432);
  assert.equal(Math.round(predictThroughput(fit, 432)), Math.round(uslThroughput({ sigma: fit.sigma.value, kappa: fit.kappa.value, lambda: fit.lambda.value }, 432)));
  assert.throws(
    () => predictThroughput(fit, 433),
    (e: unknown) => e instanceof ExtrapolationRefused && e.exitCode === 2 && e.code === "FIT_EXTRAPOLATION" && /--force/.test(e.hint ?? "") && /216/.test(e.message),
  );
  assert.ok(predictThroughput(fit, 1000, { force: true }) > 0);
  // A peak past 2× is flagged, not hidden: N* = √(0.98/0.0001) ≈ 99 from points up to N = 8.
  const early = fitUsl(points([1, 2, 3, 4, 6, 8].map((n) => [n, uslThroughput({ sigma: 0.02, kappa: 0.0001, lambda: 100 }, n)] as const)));
  assert.equal(signif3(early.peakN ?? Number.NaN), 99);
  assert.equal(early.peakExtrapolated, true);
  assert.ok(early.warnings.some((w) => /peak N\* ≈ 99\.0 lies beyond 2× the largest N measured \(8\)/.test(w)), early.warnings.join("; "));
});

test("the curve's band: at N = 1 it is λ's interval; it spans the fit out to 2× the largest N", () => {
  const fit = fitUsl(SPECSDM91);
  const curve = uslCurve(fit, { steps: 431 });
  assert.equal(curve.length, 432);
  assert.equal(curve[0]?.n, 1);
  assert.equal(curve.at(-1)?.n, 432);
  const first = curve[0];
  assert.ok(first !== undefined && first.high !== null && fit.lambda.high !== null);
  assert.ok(Math.abs(first.high - first.throughput - (fit.lambda.high - fit.lambda.value)) < 1e-9, "∂X/∂[λ,σ,κ] at N = 1 is [1, 0, 0]");
  for (const p of curve) assert.ok(p.low !== null && p.high !== null && p.low <= p.throughput && p.throughput <= p.high);
  assert.equal(uslCurve(fit, { to: 10_000 }).at(-1)?.n, 432, "never past the extrapolation limit");
});

test("CSV points: a header, comments and blank lines are skipped; a bad line is named by its number", () => {
  assert.deepEqual(parsePointsCsv("N,throughput\n# measured 2026-12-06\n1,100\n\n2, 190.5 # a note\n4\t350\n", "p.csv"), points([[1, 100], [2, 190.5], [4, 350]]));
  assert.throws(() => parsePointsCsv("N,throughput\n1,100\n2,fast\n", "p.csv"), (e: unknown) => e instanceof FitInputError && /p\.csv:3: "2,fast" is not N,throughput/.test(e.message));
});

test("bootstrap: seeded percentile intervals of σ, κ, λ around the fit, the same for the same seed", async () => {
  const { bootstrapUsl } = await import("../../src/fit/usl-bootstrap.js");
  const fit = fitUsl(SPECSDM91);
  const b = bootstrapUsl(fit, { replicates: 200, seed: 7 });
  assert.deepEqual(bootstrapUsl(fit, { replicates: 200, seed: 7 }), b, "the same seed, the same intervals");
  assert.notDeepEqual(bootstrapUsl(fit, { replicates: 200, seed: 8 }).sigma, b.sigma, "another seed, other draws");
  assert.equal(b.failed, 0);
  for (const k of ["sigma", "kappa", "lambda"] as const) {
    const i = b[k];
    const se = fit[k];
    assert.ok(i.low <= se.value && se.value <= i.high, `${k} ${se.value} in [${i.low}, ${i.high}]`);
    // Beside the standard-error interval, of the same size (within a factor of 3 either way).
    const ratio = (i.high - i.low) / ((se.high ?? 0) - (se.low ?? 0));
    assert.ok(ratio > 1 / 3 && ratio < 3, `${k}: bootstrap width ÷ t-interval width = ${ratio}`);
  }
  assert.ok(b.peakN !== null && b.peakN.low < 96.5 && 96.5 < b.peakN.high, JSON.stringify(b.peakN));
});

test("bootstrap on points from a known curve with ±0.1 % noise: tight intervals around the true σ, κ, λ", async () => {
  const { bootstrapUsl } = await import("../../src/fit/usl-bootstrap.js");
  const truth = { sigma: 0.05, kappa: 0.002, lambda: 500 };
  const noise = [1.001, 0.999, 1.0005, 0.9995, 1.001, 0.999, 1];
  const fit = fitUsl([1, 2, 4, 8, 12, 16, 24].map((n, i) => ({ n, throughput: uslThroughput(truth, n) * (noise[i] ?? 1) })));
  const b = bootstrapUsl(fit, { replicates: 100 });
  for (const k of ["sigma", "kappa", "lambda"] as const) {
    assert.ok(b[k].low <= truth[k] * 1.05 && truth[k] * 0.95 <= b[k].high, `${k}: ${truth[k]} near [${b[k].low}, ${b[k].high}]`);
    assert.ok(b[k].high - b[k].low < truth[k] * 0.2, `${k}: [${b[k].low}, ${b[k].high}] is tight`);
  }
});
