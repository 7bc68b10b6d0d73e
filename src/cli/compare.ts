// `pipebench compare A B`: two stored runs, metric by metric, with medians, % change, a 95 %
// interval, a significance test and a verdict (src/compare). `--fail-on-regression 5%` makes it a
// CI gate: exit 1 when a metric is significantly worse by more than that.
import { ExitCode, UsageError } from "../errors.js";
import { compareRuns, DEFAULT_ALPHA, DEFAULT_NOISE_FLOOR_PCT, regressions } from "../compare/compare.js";
import { renderComparison } from "../compare/render.js";
import { loadRun } from "./run-ref.js";
import { ResultsStore, type StoredRun } from "../store/results-store.js";

export const COMPARE_FORMATS = ["table", "json"] as const;

export interface CompareFlags {
  store: string;
  format: string;
  alpha?: string;
  noiseFloor?: string;
  failOnRegression?: string;
  color: boolean;
}

/** "5%", "5" or "0.5%" → 5 / 0.5 (percent). */
export function parsePercent(flag: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text);
  if (m === null) throw new UsageError(`${flag} ${text} is not a percentage`, { hint: `write it like ${flag} 5%` });
  return Number(m[1]);
}

function parseAlpha(text: string | undefined): number {
  if (text === undefined) return DEFAULT_ALPHA;
  const alpha = Number(text);
  if (!(alpha > 0 && alpha < 1)) throw new UsageError(`--alpha ${text} is not a significance level`, { hint: "use a number between 0 and 1, e.g. --alpha 0.05" });
  return alpha;
}

/**
 * Resolves the two refs. `baseline` on one side means the baseline of the other run's suite (so
 * `compare baseline latest` compares the latest run with its own suite's baseline).
 */
export function resolvePair(store: ResultsStore, refA: string, refB: string): [StoredRun, StoredRun] {
  if (refA === "baseline" && refB === "baseline") {
    throw new UsageError("both sides are the baseline", { hint: "compare the baseline with another run, e.g. pipebench compare baseline latest" });
  }
  const load = (ref: string, suite?: string): StoredRun => loadRun(store, ref, suite === undefined ? {} : { suite });
  if (refA === "baseline") {
    const after = load(refB);
    return [load("baseline", after.suiteName), after];
  }
  const before = load(refA);
  return [before, refB === "baseline" ? load("baseline", before.suiteName) : load(refB)];
}

export function compareCommand(refA: string, refB: string, flags: CompareFlags): number {
  if (!(COMPARE_FORMATS as readonly string[]).includes(flags.format)) {
    throw new UsageError(`--format ${flags.format} is not a format`, { hint: "use --format table or json" });
  }
  const alpha = parseAlpha(flags.alpha);
  const noiseFloorPct = flags.noiseFloor === undefined ? DEFAULT_NOISE_FLOOR_PCT : parsePercent("--noise-floor", flags.noiseFloor);
  const failAbove = flags.failOnRegression === undefined ? undefined : parsePercent("--fail-on-regression", flags.failOnRegression);
  const store = ResultsStore.open(flags.store, { create: false });
  try {
    const [before, after] = resolvePair(store, refA, refB);
    const comparison = compareRuns(before, after, { alpha, noiseFloorPct });
    const failing = failAbove === undefined ? [] : regressions(comparison, failAbove);
    if (flags.format === "json") {
      process.stdout.write(`${JSON.stringify(comparison, null, 2)}\n`);
    } else {
      process.stdout.write(`${renderComparison(comparison, { color: flags.color })}\n`);
    }
    if (failAbove !== undefined) {
      if (failing.length > 0) {
        const list = failing.map((m) => `${m.scenario} ${m.metric} ${m.changePct === null ? "" : `${m.changePct > 0 ? "+" : ""}${m.changePct.toFixed(1)}%`}`.trim());
        process.stderr.write(`regression: ${failing.length} metric(s) significantly worse by more than ${failAbove}%: ${list.join("; ")}\n`);
        return ExitCode.thresholdsFailed;
      }
      process.stderr.write(`no metric significantly worse by more than ${failAbove}%\n`);
    }
    return ExitCode.ok;
  } finally {
    store.close();
  }
}
