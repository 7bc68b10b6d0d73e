// `pipebench compare A B`: two stored runs, metric by metric, with medians, % change, a 95 %
// interval, a significance test and a verdict (src/compare). `--fail-on-regression 5%` makes it a
// CI gate: exit 1 when a metric is significantly worse by more than that; `--gate throughput,p99`
// names the metrics it judges (default: every metric that gates). Two runs of different suites
// are refused (exit 2): their scenarios are not the same work.
import { ExitCode, UsageError } from "../errors.js";
import {
  compareRuns,
  DEFAULT_ALPHA,
  DEFAULT_NOISE_FLOOR_PCT,
  gateKey,
  metricNames,
  notJudged,
  regressions,
  type RunComparison,
} from "../compare/compare.js";
import { renderComparison, runLabel } from "../compare/render.js";
import { loadRun } from "./run-ref.js";
import { ResultsStore, type StoredRun } from "../store/results-store.js";
import { COMPARE_FORMATS } from "./formats.js";


export interface CompareFlags {
  store: string;
  format: string;
  alpha?: string;
  noiseFloor?: string;
  failOnRegression?: string;
  /** Comma-separated metric names --fail-on-regression judges. */
  gate?: string;
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
export async function resolvePair(store: ResultsStore, refA: string, refB: string): Promise<[StoredRun, StoredRun]> {
  if (refA === "baseline" && refB === "baseline") {
    throw new UsageError("both sides are the baseline", { hint: "compare the baseline with another run, e.g. pipebench compare baseline latest" });
  }
  const load = (ref: string, suite?: string): Promise<StoredRun> => loadRun(store, ref, suite === undefined ? {} : { suite });
  if (refA === "baseline") {
    const after = await load(refB);
    return [await load("baseline", after.suiteName), after];
  }
  const before = await load(refA);
  return [before, refB === "baseline" ? await load("baseline", before.suiteName) : await load(refB)];
}

/** `--gate throughput, p99` → ["throughput", "p99"]; nothing named is a UsageError. */
export function parseGate(text: string): string[] {
  const names = text.split(",").map((n) => n.trim()).filter((n) => n.length > 0);
  if (names.length === 0) throw new UsageError(`--gate ${JSON.stringify(text)} names no metric`, { hint: "name the metrics to judge, e.g. --gate throughput,p99" });
  return names;
}

/** Every name --gate gave must be a metric of these two runs; otherwise exit 2 with those there are. */
function checkGate(gate: readonly string[], comparison: RunComparison): void {
  const names = metricNames(comparison);
  const known = new Set(names.map(gateKey));
  const unknown = gate.filter((g) => !known.has(gateKey(g)));
  if (unknown.length === 0) return;
  throw new UsageError(
    `--gate ${unknown.join(", ")}: ${unknown.length === 1 ? "not a metric" : "not metrics"} of run ${comparison.before.id} and run ${comparison.after.id}`,
    { hint: names.length === 0 ? "these runs have no scenario in common: nothing to gate" : `the metrics of these runs: ${names.join(", ")}` },
  );
}

export async function compareCommand(refA: string, refB: string, flags: CompareFlags): Promise<number> {
  if (!(COMPARE_FORMATS as readonly string[]).includes(flags.format)) {
    throw new UsageError(`--format ${flags.format} is not a format`, { hint: "use --format table or json" });
  }
  const alpha = parseAlpha(flags.alpha);
  const noiseFloorPct = flags.noiseFloor === undefined ? DEFAULT_NOISE_FLOOR_PCT : parsePercent("--noise-floor", flags.noiseFloor);
  const failAbove = flags.failOnRegression === undefined ? undefined : parsePercent("--fail-on-regression", flags.failOnRegression);
  const gate = flags.gate === undefined ? undefined : parseGate(flags.gate);
  if (gate !== undefined && failAbove === undefined) {
    throw new UsageError("--gate names what --fail-on-regression judges, and there is no --fail-on-regression", {
      hint: `add it, e.g. --fail-on-regression 5% --gate ${gate.join(",")}`,
    });
  }
  const store = await ResultsStore.open(flags.store, { create: false });
  try {
    const [before, after] = await resolvePair(store, refA, refB);
    if (before.suiteName !== after.suiteName) {
      throw new UsageError(`${runLabel(before)} is of suite ${before.suiteName} and ${runLabel(after)} of suite ${after.suiteName}: compare needs two runs of one suite`, {
        hint: `list one suite's runs with: pipebench runs --suite ${after.suiteName}`,
      });
    }
    const comparison = compareRuns(before, after, { alpha, noiseFloorPct });
    if (gate !== undefined) checkGate(gate, comparison);
    const failing = failAbove === undefined ? [] : regressions(comparison, failAbove, gate);
    if (flags.format === "json") {
      process.stdout.write(`${JSON.stringify(comparison, null, 2)}\n`);
    } else {
      process.stdout.write(`${renderComparison(comparison, { color: flags.color })}\n`);
    }
    if (failAbove !== undefined) {
      // What the gate could not judge because the operation changed: said, so a pass is not read as theirs.
      const apart = notJudged(comparison, gate);
      if (apart.length > 0) {
        const list = [...new Set(apart.map((m) => m.scenario))].map((s) => `${s} ${apart.filter((m) => m.scenario === s).map((m) => m.metric).join(", ")}`);
        process.stderr.write(`not judged, of another operation (the operation changed): ${list.join("; ")}\n`);
      }
      const judged = gate === undefined ? "" : ` (gate: ${gate.join(", ")})`;
      if (failing.length > 0) {
        const list = failing.map((m) => `${m.scenario} ${m.metric} ${m.changePct === null ? "" : `${m.changePct > 0 ? "+" : ""}${m.changePct.toFixed(1)}%`}`.trim());
        process.stderr.write(`regression${judged}: ${failing.length} metric(s) significantly worse by more than ${failAbove}%: ${list.join("; ")}\n`);
        return ExitCode.thresholdsFailed;
      }
      process.stderr.write(`no metric significantly worse by more than ${failAbove}%${judged}\n`);
    }
    return ExitCode.ok;
  } finally {
    await store.close();
  }
}
