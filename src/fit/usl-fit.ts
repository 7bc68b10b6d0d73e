// Fits the Universal Scalability Law to measured (N, throughput) points by bounded nonlinear least
// squares (σ, κ ≥ 0, λ > 0), as the R `usl` package does (nlsr::nlxb with lower bounds 0), with
// standard errors from the Jacobian at the optimum, t intervals, R², the peak and the Amdahl case.
//
// The solver is ml-levenberg-marquardt (docs/decisions.md says why). Its bounds are a projection
// (each step is clamped), which stops short when the optimum lies on a bound: on Gunther's raytracer
// data κ is pushed to 0 and σ, λ are left where the clamped steps put them (SSE 697.30 against the
// true 697.24). So the bounds are handled by faces: the model is fitted with σ and κ free, with κ
// fixed at 0 (Amdahl), with σ fixed at 0, and with both at 0, and the lowest residual that respects
// the bounds wins; on a face the fixed coefficient is exactly at its bound, as nlxb reports it.
import jStat from "jstat";
import { levenbergMarquardt } from "ml-levenberg-marquardt";
import { inverse, Matrix } from "ml-matrix";
import { ExtrapolationRefused, FitInputError } from "./fit-errors.js";
import { uslGradient, uslPeak, uslThroughput, type UslCoefficients } from "./usl-model.js";

export interface FitPoint {
  n: number;
  throughput: number;
}

/** A coefficient with its standard error and interval (clipped to the coefficient's bounds). */
export interface Estimate {
  value: number;
  /** Null when the Jacobian is singular at the optimum (the data cannot tell the coefficients apart). */
  stdError: number | null;
  low: number | null;
  high: number | null;
}

export interface UslFit {
  model: "usl";
  points: FitPoint[];
  sigma: Estimate;
  kappa: Estimate;
  lambda: Estimate;
  /** Of the intervals, e.g. 0.95. */
  confidence: number;
  r2: number;
  /** Residual sum of squares, and its standard error √(RSS/df) with df = points − 3. */
  rss: number;
  residualStdError: number | null;
  df: number;
  /** N* = √((1−σ)/κ) and X(N*); null when κ = 0 (no peak). */
  peakN: number | null;
  peakThroughput: number | null;
  /** κ indistinguishable from 0 (its interval reaches 0): Amdahl's law, throughput tends to λ/σ. */
  amdahl: boolean;
  /** λ/σ, the ceiling when κ = 0; null when σ = 0. */
  amdahlLimit: number | null;
  distinctN: number;
  maxMeasuredN: number;
  /** Predictions beyond this (2× the largest N measured) are refused unless forced. */
  extrapolationLimitN: number;
  /** The peak lies beyond extrapolationLimitN: a guess, not a finding. */
  peakExtrapolated: boolean;
  warnings: string[];
  solver: { name: string; face: string; iterations: number };
  /** Covariance of [λ, σ, κ] at the optimum (null with the standard errors); the curve's band uses it. */
  covariance: number[][] | null;
  /** The t quantile of the intervals (df = points − 3). */
  t: number | null;
}

export interface FitOptions {
  /** Interval level, default 0.95. */
  confidence?: number;
}

/** Below this many distinct N the R `usl` package and codahale/usl warn or refuse. */
export const MIN_DISTINCT_N = 6;
/** Below this R² the curve is no account of the points, and the fit says so. */
export const MIN_R2 = 0.8;
/** How far past the largest measured N a prediction may go (the Schwartz ebook plots to 2×). */
export const EXTRAPOLATION_FACTOR = 2;

/** Which of σ, κ the solver moves; the others stay at 0. λ always moves. */
interface Face {
  name: string;
  sigma: boolean;
  kappa: boolean;
}
const FACES: readonly Face[] = [
  { name: "σ, κ free", sigma: true, kappa: true },
  { name: "κ = 0 (Amdahl)", sigma: true, kappa: false },
  { name: "σ = 0", sigma: false, kappa: true },
  { name: "σ = κ = 0 (linear)", sigma: false, kappa: false },
];

/** Starts: the R `usl` package's (σ 0.01, κ 0.0001) and codahale/usl's (σ 0.1, κ 0.01). */
const STARTS: readonly [number, number][] = [
  [0.01, 0.0001],
  [0.1, 0.01],
];

function checkPoints(points: readonly FitPoint[]): void {
  for (const p of points) {
    if (!Number.isFinite(p.n) || p.n < 1) {
      throw new FitInputError(`N = ${p.n} is not a concurrency: N must be a number ≥ 1`, { hint: "N is the swept count (workers, producers, partitions, connections)" });
    }
    if (!Number.isFinite(p.throughput) || p.throughput <= 0) {
      throw new FitInputError(`the throughput at N = ${p.n} is ${p.throughput}: throughput must be a positive number`, {
        hint: "a point whose run measured nothing cannot be fitted; drop it or measure it again",
      });
    }
  }
  const distinct = new Set(points.map((p) => p.n)).size;
  if (points.length < 4 || distinct < 3) {
    throw new FitInputError(`${points.length} point(s) at ${distinct} distinct N: the USL has 3 coefficients and needs at least 4 points at 3 distinct N`, {
      hint: `measure at least ${MIN_DISTINCT_N} values of N, e.g. --sweep load.workers=1,2,4,8,12,16`,
    });
  }
}

interface Solved {
  coefficients: UslCoefficients;
  rss: number;
  face: string;
  iterations: number;
}

/**
 * One face from one start. The solver works in scaled units (throughput ÷ max X/N, σ·Nmax,
 * κ·Nmax²) so the three coefficients are of one size: its damping is added to JᵀJ unscaled, and
 * κ ~ 1e-4 beside λ ~ 100 would otherwise barely move.
 */
function solveFace(points: readonly FitPoint[], face: Face, start: [number, number]): Solved {
  const nMax = Math.max(...points.map((p) => p.n));
  const yScale = Math.max(...points.map((p) => p.throughput / p.n));
  const unpack = (q: readonly number[]): UslCoefficients => {
    let i = 1;
    const sigma = face.sigma ? (q[i++] ?? 0) / nMax : 0;
    const kappa = face.kappa ? (q[i++] ?? 0) / (nMax * nMax) : 0;
    return { lambda: (q[0] ?? 0) * yScale, sigma, kappa };
  };
  const initial = [1, ...(face.sigma ? [start[0] * nMax] : []), ...(face.kappa ? [start[1] * nMax * nMax] : [])];
  const result = levenbergMarquardt(
    { x: points.map((p) => p.n), y: points.map((p) => p.throughput / yScale) },
    (q) => (n) => uslThroughput(unpack(q), n) / yScale,
    {
      initialValues: initial,
      minValues: initial.map((_, i) => (i === 0 ? 1e-12 : 0)),
      maxValues: initial.map(() => Number.POSITIVE_INFINITY),
      jacobianFunction: (q) => (n) => {
        const c = unpack(q);
        const [dl, ds, dk] = uslGradient(c, n);
        // Chain rule to the scaled coefficients: λ = q₀·yScale, σ = q₁/Nmax, κ = q₂/Nmax², all ÷ yScale.
        return [dl, ...(face.sigma ? [ds / nMax / yScale] : []), ...(face.kappa ? [dk / (nMax * nMax) / yScale] : [])];
      },
      damping: 1e-3,
      // 0: every improvement counts (the default 1e-2 is an absolute SSE and ends fits early).
      errorTolerance: 0,
      maxIterations: 100,
    },
  );
  const coefficients = unpack(result.parameterValues);
  return { coefficients, rss: rssOf(points, coefficients), face: face.name, iterations: result.iterations };
}

function rssOf(points: readonly FitPoint[], c: UslCoefficients): number {
  return points.reduce((sum, p) => sum + (p.throughput - uslThroughput(c, p.n)) ** 2, 0);
}

/** (JᵀJ)⁻¹·RSS/df over [λ, σ, κ], as R's nls and `usl` compute it; null when singular or df ≤ 0. */
function covarianceOf(points: readonly FitPoint[], c: UslCoefficients, rss: number, df: number): Matrix | null {
  if (df <= 0) return null;
  const jacobian = new Matrix(points.map((p) => uslGradient(c, p.n)));
  let covariance: Matrix;
  try {
    covariance = inverse(jacobian.transpose().mmul(jacobian)).mul(rss / df);
  } catch {
    return null;
  }
  return covariance.to1DArray().every((v) => Number.isFinite(v)) ? covariance : null;
}

/** Standard errors √diag(covariance). */
function standardErrors(covariance: Matrix | null): [number, number, number] | null {
  if (covariance === null) return null;
  const se = [0, 1, 2].map((i) => Math.sqrt(covariance.get(i, i)));
  return se.every((s) => Number.isFinite(s)) ? [se[0] ?? 0, se[1] ?? 0, se[2] ?? 0] : null;
}

function estimate(value: number, stdError: number | null, t: number, lowerBound: number): Estimate {
  if (stdError === null) return { value, stdError: null, low: null, high: null };
  return { value, stdError, low: Math.max(lowerBound, value - t * stdError), high: value + t * stdError };
}

export function fitUsl(input: readonly FitPoint[], options: FitOptions = {}): UslFit {
  const points = [...input].sort((a, b) => a.n - b.n);
  checkPoints(points);
  const confidence = options.confidence ?? 0.95;
  let best: Solved | undefined;
  for (const face of FACES) {
    for (const start of STARTS) {
      const solved = solveFace(points, face, start);
      if (Number.isFinite(solved.rss) && (best === undefined || solved.rss < best.rss * (1 - 1e-12))) best = solved;
    }
  }
  if (best === undefined) throw new FitInputError("the solver found no finite fit for these points", { hint: "check the throughputs for outliers" });
  const c = best.coefficients;
  const n = points.length;
  const df = n - 3;
  const mean = points.reduce((s, p) => s + p.throughput, 0) / n;
  const tss = points.reduce((s, p) => s + (p.throughput - mean) ** 2, 0);
  const covariance = covarianceOf(points, c, best.rss, df);
  const se = standardErrors(covariance);
  // The usual two-sided t interval. (R `usl`'s confint uses qt(level, n − 1), a one-sided quantile
  // with one more degree of freedom; its intervals are narrower than these.)
  const t = df > 0 ? jStat.studentt.inv(1 - (1 - confidence) / 2, df) : Number.NaN;
  const lambda = estimate(c.lambda, se?.[0] ?? null, t, 0);
  const sigma = estimate(c.sigma, se?.[1] ?? null, t, 0);
  const kappa = estimate(c.kappa, se?.[2] ?? null, t, 0);
  const peak = uslPeak(c);
  const distinctN = new Set(points.map((p) => p.n)).size;
  const maxMeasuredN = points[points.length - 1]?.n ?? 0;
  const extrapolationLimitN = EXTRAPOLATION_FACTOR * maxMeasuredN;
  const amdahl = c.kappa === 0 || (kappa.low !== null && kappa.low <= 0);
  const warnings: string[] = [];
  if (distinctN < MIN_DISTINCT_N) {
    warnings.push(`only ${distinctN} distinct N (fewer than ${MIN_DISTINCT_N}): σ and κ are loosely determined; measure more values of N`);
  }
  const r2 = tss > 0 ? 1 - best.rss / tss : 1;
  if (r2 < MIN_R2) {
    warnings.push(`the USL explains little of these points (R² ${r2.toFixed(2)}): throughput does not follow N here (noise, a busy machine, or a limit the swept key does not touch); trust no coefficient`);
  }
  if (peak.peakN !== null && peak.peakN > extrapolationLimitN) {
    warnings.push(`the peak N* ≈ ${peak.peakN.toFixed(1)} lies beyond ${EXTRAPOLATION_FACTOR}× the largest N measured (${maxMeasuredN}): a guess, not a finding`);
  }
  return {
    model: "usl",
    points,
    sigma,
    kappa,
    lambda,
    confidence,
    r2,
    rss: best.rss,
    residualStdError: df > 0 ? Math.sqrt(best.rss / df) : null,
    df,
    peakN: peak.peakN,
    peakThroughput: peak.peakThroughput,
    amdahl,
    amdahlLimit: peak.limit,
    distinctN,
    maxMeasuredN,
    extrapolationLimitN,
    peakExtrapolated: peak.peakN !== null && peak.peakN > extrapolationLimitN,
    warnings,
    solver: { name: "ml-levenberg-marquardt", face: best.face, iterations: best.iterations },
    covariance: covariance === null ? null : covariance.to2DArray(),
    t: df > 0 ? t : null,
  };
}

/**
 * X(N) from a fit. Beyond 2× the largest N measured the curve says nothing the data supports, so
 * that is refused unless `force` (the CLI's --force).
 */
export function predictThroughput(fit: UslFit, n: number, options: { force?: boolean } = {}): number {
  if (n > fit.extrapolationLimitN && options.force !== true) {
    throw new ExtrapolationRefused(`N = ${n} is beyond ${EXTRAPOLATION_FACTOR}× the largest N measured (${fit.maxMeasuredN}): the fit does not reach that far`, {
      hint: `measure up to N = ${Math.ceil(n / EXTRAPOLATION_FACTOR)} or more, or pass --force to extrapolate anyway`,
    });
  }
  return uslThroughput({ sigma: fit.sigma.value, kappa: fit.kappa.value, lambda: fit.lambda.value }, n);
}

export interface CurvePoint {
  n: number;
  throughput: number;
  /** The confidence band of the mean curve (delta method: gᵀΣg with g = ∂X/∂[λ, σ, κ]); null without a covariance. */
  low: number | null;
  high: number | null;
}

/**
 * The fitted curve with its band from N = 1 to `to` (default: 2× the largest N measured, the
 * farthest a prediction goes), for a chart of the points, the curve and its band.
 */
export function uslCurve(fit: UslFit, options: { to?: number; steps?: number } = {}): CurvePoint[] {
  const to = Math.min(options.to ?? fit.extrapolationLimitN, fit.extrapolationLimitN);
  const steps = options.steps ?? 100;
  const c = { sigma: fit.sigma.value, kappa: fit.kappa.value, lambda: fit.lambda.value };
  const sigmaMatrix = fit.covariance === null ? null : new Matrix(fit.covariance);
  const curve: CurvePoint[] = [];
  for (let i = 0; i <= steps; i++) {
    const n = 1 + ((to - 1) * i) / steps;
    const throughput = uslThroughput(c, n);
    if (sigmaMatrix === null || fit.t === null) {
      curve.push({ n, throughput, low: null, high: null });
      continue;
    }
    const g = Matrix.columnVector(uslGradient(c, n));
    const half = fit.t * Math.sqrt(Math.max(0, g.transpose().mmul(sigmaMatrix).mmul(g).get(0, 0)));
    curve.push({ n, throughput, low: Math.max(0, throughput - half), high: throughput + half });
  }
  return curve;
}
