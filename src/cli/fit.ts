// `pipebench fit <run> --key load.workers` or `pipebench fit --csv points.csv`: the Universal
// Scalability Law fitted to a stored sweep over a concurrency-like key (the median throughput of each
// swept value's trials) or to a CSV of N,throughput (src/fit). Prints σ, κ, λ with their intervals,
// R², the peak or the Amdahl ceiling; `--predict 48,64` adds X(N) at those N, refused (exit 2)
// beyond 2× the largest N measured unless --force. Reads the store or the file, never a socket.
import { UsageError } from "../errors.js";
import { readPointsCsv, sweepPoints } from "../fit/fit-points.js";
import { renderFit } from "../fit/render-fit.js";
import { CURVE_STEPS } from "../fit/run-fits.js";
import { bootstrapUsl, type UslBootstrap } from "../fit/usl-bootstrap.js";
import { fitUsl, predictThroughput, uslCurve, type CurvePoint, type FitPoint, type UslFit } from "../fit/usl-fit.js";
import { ResultsStore } from "../store/results-store.js";
import { loadRun } from "./run-ref.js";
import { FIT_FORMATS } from "./formats.js";


export interface FitFlags {
  store: string;
  format: string;
  csv?: string;
  key?: string;
  scenario?: string;
  /** Comma-separated N to predict X(N) at. */
  predict?: string;
  force?: boolean;
  confidence?: string;
  /** Residual-bootstrap replicates for percentile intervals. */
  bootstrap?: string;
  seed?: string;
}

/** Where the points came from, as `--format json` says it. */
export type FitSource =
  | { kind: "csv"; file: string }
  | { kind: "run"; runId: number; tag: string | null; suite: string; scenario: string; key: string; trials: Record<string, number> };

/** What `--format json` prints: the fit, its source and the predictions asked for. */
export interface FitReport extends UslFit {
  source: FitSource;
  predictions: { n: number; throughput: number }[];
  notes: string[];
  /** The curve and its band from N = 1 to 2× the largest N measured, for a chart. */
  curve: CurvePoint[];
  /** Percentile intervals from --bootstrap, beside the standard-error ones. */
  bootstrap?: UslBootstrap;
}

function parsePredict(text: string): number[] {
  const values = text.split(",").map((v) => v.trim()).filter((v) => v !== "");
  const ns = values.map(Number);
  if (ns.length === 0 || ns.some((n) => !Number.isFinite(n) || n < 1)) {
    throw new UsageError(`--predict ${text} is not a list of N`, { hint: "write the N to predict at, each ≥ 1, e.g. --predict 24,32" });
  }
  return ns;
}

function parseConfidence(text: string | undefined): number {
  if (text === undefined) return 0.95;
  const pct = /%\s*$/.test(text);
  const value = Number(text.replace(/%\s*$/, "")) / (pct ? 100 : 1);
  if (!(value > 0 && value < 1)) throw new UsageError(`--confidence ${text} is not a level`, { hint: "e.g. --confidence 95% or 0.9" });
  return value;
}

/** The points and where they came from; every flag problem is found before the store is opened. */
async function loadPoints(ref: string | undefined, flags: FitFlags): Promise<{ points: FitPoint[]; source: FitSource; label: string; notes: string[] }> {
  if (flags.csv !== undefined) {
    return { points: readPointsCsv(flags.csv), source: { kind: "csv", file: flags.csv }, label: flags.csv, notes: [] };
  }
  const store = await ResultsStore.open(flags.store, { create: false });
  try {
    const run = await loadRun(store, ref ?? "latest");
    const sweep = sweepPoints(run, flags.key ?? "", flags.scenario);
    return {
      points: sweep.points,
      source: { kind: "run", runId: run.id, tag: run.tag, suite: run.suiteName, scenario: sweep.scenario, key: sweep.key, trials: sweep.trials },
      label: `run ${run.id} scenario ${sweep.scenario} over ${sweep.key} (median of each value's trials)`,
      notes: sweep.notes,
    };
  } finally {
    await store.close();
  }
}

export async function fitCommand(ref: string | undefined, flags: FitFlags): Promise<number> {
  const problems: string[] = [];
  if (!(FIT_FORMATS as readonly string[]).includes(flags.format)) problems.push(`--format ${flags.format} is not a format (table or json)`);
  if (ref !== undefined && flags.csv !== undefined) problems.push(`both a run (${ref}) and --csv ${flags.csv}: fit one or the other`);
  if (ref === undefined && flags.csv === undefined) problems.push("nothing to fit: give a stored run with --key, or --csv FILE");
  if (flags.csv === undefined && flags.key === undefined) problems.push("--key is missing: which swept setting is N");
  if (flags.csv !== undefined && (flags.key !== undefined || flags.scenario !== undefined)) problems.push("--key and --scenario pick from a stored sweep; a CSV's first column is N");
  const replicates = flags.bootstrap === undefined ? undefined : Number(flags.bootstrap);
  if (replicates !== undefined && !(Number.isInteger(replicates) && replicates >= 100 && replicates <= 100_000)) {
    problems.push(`--bootstrap ${flags.bootstrap} is not a number of replicates (100 to 100,000, e.g. 1000)`);
  }
  const seed = Number(flags.seed ?? "1");
  if (!Number.isInteger(seed) || seed < 0) problems.push(`--seed ${flags.seed} is not a whole number ≥ 0`);
  if (problems.length > 0) {
    throw new UsageError(problems.join("; "), { hint: "pipebench fit latest --key load.workers   or   pipebench fit --csv points.csv (lines of N,throughput)" });
  }
  const predictAt = flags.predict === undefined ? [] : parsePredict(flags.predict);
  const confidence = parseConfidence(flags.confidence);

  const { points, source, label, notes } = await loadPoints(ref, flags);
  const fit = fitUsl(points, { confidence });
  // Refused before anything is printed: a prediction too far out is bad input, not a partial answer.
  const predictions = predictAt.map((n) => ({ n, throughput: predictThroughput(fit, n, { force: flags.force === true }) }));
  const bootstrap = replicates === undefined ? undefined : bootstrapUsl(fit, { replicates, seed });
  for (const note of notes) process.stderr.write(`note: ${note}\n`);
  if (flags.format === "json") {
    const report: FitReport = { ...fit, source, predictions, notes, curve: uslCurve(fit, { steps: CURVE_STEPS }), ...(bootstrap === undefined ? {} : { bootstrap }) };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    for (const w of fit.warnings) process.stderr.write(`warning: ${w}\n`);
  } else {
    process.stdout.write(`${renderFit(fit, { source: label, unit: "/s" }, predictions, bootstrap)}\n`);
  }
  return 0;
}
