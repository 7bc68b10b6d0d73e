// The USL fits a stored run offers without being asked: one per scenario swept over a
// concurrency-like key (workers, producers, connections, …) at 3 or more distinct N, fitted exactly
// as `pipebench fit <run> --key <key> --scenario <name>` fits it (the median of each value's
// trials, 95 % intervals, the same 50-step curve), so a report and `fit --format json` agree to the
// digit. Data only: src/report renders it.
import type { StoredRun } from "../store/results-store.js";
import { FitInputError } from "./fit-errors.js";
import { isConcurrencyKey, numberOf, sweepPoints, sweptScenarioName } from "./fit-points.js";
import { fitUsl, uslCurve, type CurvePoint, type UslFit } from "./usl-fit.js";

/** Fewer distinct N is no curve at all: a line through two points says nothing about contention. */
export const MIN_SWEEP_N = 3;

/** The points `pipebench fit --format json` prints its curve at, so the two agree. */
export const CURVE_STEPS = 50;

export type RunFit =
  | { ok: true; scenario: string; key: string; trials: Record<string, number>; notes: string[]; fit: UslFit; curve: CurvePoint[] }
  /** A sweep that qualifies but cannot be fitted (too few points, another key varying too): why. */
  | { ok: false; scenario: string; key: string; distinctN: number; reason: string; hint: string };

export function runFits(run: StoredRun): RunFit[] {
  // scenario → key → the distinct numeric values swept.
  const swept = new Map<string, Map<string, Set<number>>>();
  for (const s of run.scenarioResults) {
    if (s.variant === undefined) continue;
    const name = sweptScenarioName(s.name);
    const keys = swept.get(name) ?? new Map<string, Set<number>>();
    swept.set(name, keys);
    for (const [key, value] of Object.entries(s.variant)) {
      const n = numberOf(value);
      if (!isConcurrencyKey(key) || n === undefined) continue;
      keys.set(key, (keys.get(key) ?? new Set<number>()).add(n));
    }
  }
  const fits: RunFit[] = [];
  for (const [scenario, keys] of swept) {
    for (const [key, values] of keys) {
      if (values.size < MIN_SWEEP_N) continue;
      try {
        const points = sweepPoints(run, key, scenario);
        const fit = fitUsl(points.points, { confidence: 0.95 });
        fits.push({ ok: true, scenario, key, trials: points.trials, notes: points.notes, fit, curve: uslCurve(fit, { steps: CURVE_STEPS }) });
      } catch (error) {
        if (!(error instanceof FitInputError)) throw error;
        fits.push({ ok: false, scenario, key, distinctN: values.size, reason: error.message, hint: error.hint ?? "" });
      }
    }
  }
  return fits;
}
