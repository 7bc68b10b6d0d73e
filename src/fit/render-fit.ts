// The console summary of a USL fit: coefficients with their intervals, R², the peak or the Amdahl
// ceiling, the points beside the curve, and the warnings. Computing is usl-fit.ts's; this prints.
import { uslThroughput } from "./usl-model.js";
import type { UslBootstrap } from "./usl-bootstrap.js";
import type { Estimate, UslFit } from "./usl-fit.js";

/** 3 significant digits, thousands separated from 1,000 up; small numbers in exponent form. */
export function sig(x: number, digits = 3): string {
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString("en-US");
  if (a < 1e-3) return x.toExponential(digits - 1);
  return String(Number(x.toPrecision(digits)));
}

function interval(e: Estimate, confidence: number): string {
  if (e.stdError === null || e.low === null || e.high === null) return "(no standard error: too few points, or the coefficients cannot be told apart)";
  return `± ${sig(e.stdError).padEnd(9)} ${Math.round(confidence * 100)}% [${sig(e.low)}, ${sig(e.high)}]`;
}

export interface FitHeading {
  /** e.g. "run 12 scenario q over load.workers" or "points.csv". */
  source: string;
  /** Unit of throughput, e.g. "/s". */
  unit: string;
}

export function renderFit(fit: UslFit, heading: FitHeading, predictions: readonly { n: number; throughput: number }[] = [], bootstrap?: UslBootstrap): string {
  const c = { sigma: fit.sigma.value, kappa: fit.kappa.value, lambda: fit.lambda.value };
  const u = heading.unit;
  const lines = [
    `USL fit of ${heading.source}: ${fit.points.length} points at ${fit.distinctN} distinct N (1…${fit.maxMeasuredN})`,
    `  σ  contention   ${sig(fit.sigma.value).padEnd(10)} ${interval(fit.sigma, fit.confidence)}`,
    `  κ  coherency    ${sig(fit.kappa.value).padEnd(10)} ${interval(fit.kappa, fit.confidence)}`,
    `  λ  X per unit   ${`${sig(fit.lambda.value)}${u}`.padEnd(10)} ${interval(fit.lambda, fit.confidence)}`,
    `  R²              ${fit.r2.toFixed(4)}${fit.residualStdError === null ? "" : `   (residual standard error ${sig(fit.residualStdError)}${u} on ${fit.df} df)`}`,
  ];
  if (bootstrap !== undefined) {
    const b = bootstrap;
    const pct = `${Math.round(b.confidence * 100)}%`;
    const ends = (i: { low: number; high: number }, unit = ""): string => `[${sig(i.low)}, ${sig(i.high)}]${unit}`;
    lines.push(
      `  bootstrap       ${pct} percentile intervals of ${b.replicates - b.failed} residual-bootstrap refits (seed ${b.seed}${b.failed > 0 ? `, ${b.failed} failed` : ""}):`,
      `                  σ ${ends(b.sigma)}   κ ${ends(b.kappa)}   λ ${ends(b.lambda, u)}`,
    );
    if (b.peakN !== null) lines.push(`                  N* ${ends(b.peakN)}${b.peakN.withoutPeak > 0 ? ` (${b.peakN.withoutPeak} refits had no peak: κ = 0)` : ""}`);
  }
  if (fit.peakN !== null && fit.peakThroughput !== null) {
    const where = fit.peakExtrapolated ? `   beyond ${fit.extrapolationLimitN} (2× the largest N measured): a guess` : "";
    lines.push(`  peak            N* ≈ ${sig(fit.peakN)}, X(N*) ≈ ${sig(fit.peakThroughput)}${u}${where}`);
  }
  if (fit.amdahl) {
    const ceiling = fit.amdahlLimit === null ? "no ceiling in sight (σ = 0: linear so far)" : `throughput tends to λ/σ ≈ ${sig(fit.amdahlLimit)}${u}`;
    lines.push(`  Amdahl          κ ≈ 0 (its interval reaches 0): ${ceiling}`);
  }
  lines.push("", `  ${"N".padStart(6)}  ${"measured".padStart(10)}  ${"fitted".padStart(10)}  ${"residual".padStart(9)}`);
  for (const p of fit.points) {
    const fitted = uslThroughput(c, p.n);
    const residualPct = ((p.throughput - fitted) / fitted) * 100;
    lines.push(`  ${sig(p.n, 4).padStart(6)}  ${sig(p.throughput, 4).padStart(10)}  ${sig(fitted, 4).padStart(10)}  ${`${residualPct >= 0 ? "+" : ""}${residualPct.toFixed(1)}%`.padStart(9)}`);
  }
  if (predictions.length > 0) {
    lines.push("", "  predicted:");
    for (const p of predictions) {
      const far = p.n > fit.extrapolationLimitN ? "   (forced: beyond 2× the largest N measured)" : "";
      lines.push(`  X(${sig(p.n, 4)}) ≈ ${sig(p.throughput, 4)}${u}${far}`);
    }
  }
  for (const w of fit.warnings) lines.push(`warning: ${w}`);
  return lines.join("\n");
}
