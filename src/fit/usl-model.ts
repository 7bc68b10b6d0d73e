// The Universal Scalability Law as formulas (Gunther; restated from codahale/usl and the R `usl`
// package): throughput X(N) = λN / (1 + σ(N−1) + κN(N−1)), its partial derivatives (the Jacobian
// the fit and its standard errors need) and where it peaks. No fitting here: usl-fit.ts does that.

/** σ: contention (serial fraction), κ: coherency (crosstalk), λ: throughput of one unit of N. */
export interface UslCoefficients {
  sigma: number;
  kappa: number;
  lambda: number;
}

function denominator(c: UslCoefficients, n: number): number {
  return 1 + c.sigma * (n - 1) + c.kappa * n * (n - 1);
}

/** X(N). */
export function uslThroughput(c: UslCoefficients, n: number): number {
  return (c.lambda * n) / denominator(c, n);
}

/** ∂X/∂λ, ∂X/∂σ, ∂X/∂κ at N, in the order [lambda, sigma, kappa]. */
export function uslGradient(c: UslCoefficients, n: number): [number, number, number] {
  const d = denominator(c, n);
  return [n / d, (-c.lambda * n * (n - 1)) / (d * d), (-c.lambda * n * n * (n - 1)) / (d * d)];
}

/**
 * Where X(N) is highest: N* = √((1−σ)/κ). Without coherency (κ = 0, Amdahl's law) throughput only
 * approaches λ/σ and never peaks: `peakN` is null and `limit` is that asymptote (null too when σ is
 * also 0: linear scaling, no limit in sight).
 */
export function uslPeak(c: UslCoefficients): { peakN: number | null; peakThroughput: number | null; limit: number | null } {
  const limit = c.sigma > 0 ? c.lambda / c.sigma : null;
  if (!(c.kappa > 0) || c.sigma >= 1) return { peakN: null, peakThroughput: null, limit };
  const peakN = Math.sqrt((1 - c.sigma) / c.kappa);
  return { peakN, peakThroughput: uslThroughput(c, peakN), limit };
}
