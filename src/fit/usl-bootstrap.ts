// Bootstrap intervals for a USL fit, beside the standard-error ones (usl-fit.ts): those rest on the
// curve being nearly linear in σ, κ, λ near the optimum and on normal residuals, which six points
// on a busy machine rarely give; a bootstrap asks the data instead.
//
// Residual bootstrap (Efron & Tibshirani, "An Introduction to the Bootstrap", §9.5, for regression
// with fixed design points): keep each N, add to the fitted X(N) a residual drawn with replacement
// from the fit's residuals (scaled by √(n/(n−3)), as the residuals of a 3-coefficient fit are
// smaller than the errors), refit with the same bounded solver, and take the percentiles of each
// coefficient over the replicates. Pairs (resampling the points themselves) would often draw fewer
// than 3 distinct N out of 6 and could not be fitted at all.
//
// Seeded (mulberry32, compare/stats.ts), so the same points and seed always print the same interval.
import { quantileSorted } from "simple-statistics";
import { seededRandom } from "../compare/stats.js";
import { fitUsl, type FitPoint, type UslFit } from "./usl-fit.js";
import { uslThroughput } from "./usl-model.js";

export const DEFAULT_BOOTSTRAP_SEED = 1;

export interface PercentileInterval {
  low: number;
  high: number;
}

export interface UslBootstrap {
  replicates: number;
  /** Replicates whose refit failed (none usually), left out of the percentiles. */
  failed: number;
  seed: number;
  confidence: number;
  sigma: PercentileInterval;
  kappa: PercentileInterval;
  lambda: PercentileInterval;
  /** N* over the replicates that have a peak, and how many had none (κ = 0). */
  peakN: (PercentileInterval & { withoutPeak: number }) | null;
}

export function bootstrapUsl(fit: UslFit, options: { replicates: number; seed?: number }): UslBootstrap {
  const seed = options.seed ?? DEFAULT_BOOTSTRAP_SEED;
  const random = seededRandom(seed);
  const c = { sigma: fit.sigma.value, kappa: fit.kappa.value, lambda: fit.lambda.value };
  const fitted = fit.points.map((p) => uslThroughput(c, p.n));
  const n = fit.points.length;
  const scale = n > 3 ? Math.sqrt(n / (n - 3)) : 1;
  const residuals = fit.points.map((p, i) => (p.throughput - (fitted[i] ?? 0)) * scale);
  const draws = { sigma: [] as number[], kappa: [] as number[], lambda: [] as number[], peakN: [] as number[] };
  let failed = 0;
  let withoutPeak = 0;
  for (let r = 0; r < options.replicates; r++) {
    const points: FitPoint[] = fit.points.map((p, i) => {
      const y = (fitted[i] ?? 0) + (residuals[Math.floor(random() * n)] ?? 0);
      // A throughput is positive; a large negative residual on a small X(N) would not be.
      return { n: p.n, throughput: Math.max(y, (fitted[i] ?? 1) * 1e-3) };
    });
    let refit: UslFit;
    try {
      refit = fitUsl(points, { confidence: fit.confidence });
    } catch {
      failed++;
      continue;
    }
    draws.sigma.push(refit.sigma.value);
    draws.kappa.push(refit.kappa.value);
    draws.lambda.push(refit.lambda.value);
    if (refit.peakN === null) withoutPeak++;
    else draws.peakN.push(refit.peakN);
  }
  const alpha = (1 - fit.confidence) / 2;
  const percentile = (xs: number[]): PercentileInterval => {
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted.length === 0 ? { low: Number.NaN, high: Number.NaN } : { low: quantileSorted(sorted, alpha), high: quantileSorted(sorted, 1 - alpha) };
  };
  return {
    replicates: options.replicates,
    failed,
    seed,
    confidence: fit.confidence,
    sigma: percentile(draws.sigma),
    kappa: percentile(draws.kappa),
    lambda: percentile(draws.lambda),
    peakN: draws.peakN.length === 0 ? null : { ...percentile(draws.peakN), withoutPeak },
  };
}
