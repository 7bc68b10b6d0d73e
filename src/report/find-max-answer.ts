// The answer of `--find-max`, read back from a stored run: its steps (scenarios whose variant has
// "find-max"), the confirmed rate, the first unstable rate above it and why it failed. Built from
// the store only, so the run, `pipebench show` and a report say the same thing. The answer's
// interval is computed from the same stored steps (src/sweep/find-max-interval.ts), so runs stored
// before it existed show one too, and nothing new is written to the store.
import { formatCount, formatMs, formatPercent, formatRate, table } from "./format.js";
import { RUN_JSON_UNITS, runDocument, runJson } from "./run-json.js";
import type { StoredRun, StoredScenario, StoredThreshold } from "../store/results-store.js";
import { CALIBRATED_START, CONFIRM_MAJORITY, generatorWords, moreGenerators } from "../sweep/find-max.js";
import { findMaxInterval, type FindMaxInterval, type IntervalStep } from "../sweep/find-max-interval.js";
import { completionRate, isGeneratorCheck, laterSeconds } from "../sweep/stability.js";

export interface FindMaxStepRow {
  index: number;
  phase: string;
  rate: number;
  passed: boolean;
  scenario: StoredScenario;
}

export interface FindMaxAnswer {
  /** The scenario searched, by its written name. */
  scenario: string;
  steps: FindMaxStepRow[];
  /** The maximum sustainable rate: the highest rate its confirmation steps accepted. */
  rate?: number;
  /** The answer's last passing confirmation step. */
  confirmation?: FindMaxStepRow;
  /** The lowest rate above the answer whose last step failed. */
  firstUnstable?: FindMaxStepRow;
  /** A step ran out of generator CPU: the search stopped at the generator's limit. */
  generatorBound?: FindMaxStepRow;
  /** The highest rate whose last step passed (the answer's lower bound when unconfirmed). */
  highestStable?: number;
  /** The as-fast-as-it-goes step the search started from, when it had one. */
  calibration?: StoredScenario;
  /** Around a confirmed answer: the bracket and the step-to-step noise, as a low and a high rate. */
  interval?: FindMaxInterval;
}

function phaseOf(s: StoredScenario): string | undefined {
  const phase = s.variant?.["find-max"];
  return typeof phase === "string" ? phase : undefined;
}

function passed(s: StoredScenario): boolean {
  return s.result.status === "completed" && s.thresholds.every((t) => t.passed);
}

/** The search stored in `run`, or undefined when the run was not a find-max run. */
export function findMaxAnswer(run: StoredRun): FindMaxAnswer | undefined {
  const steps: FindMaxStepRow[] = run.scenarioResults.flatMap((s, index) => {
    const phase = phaseOf(s);
    const rate = s.variant?.["load.rate"];
    return phase === undefined || typeof rate !== "number" ? [] : [{ index, phase, rate, passed: passed(s), scenario: s }];
  });
  const calibration = run.scenarioResults.find((s) => phaseOf(s) === "calibrate");
  const first = calibration ?? steps[0]?.scenario;
  if (first === undefined) return undefined;
  const scenario = first.name.slice(0, first.name.indexOf("["));
  // A rate's verdict: by majority of its confirmation steps when it has them (as the search
  // decided), else its last step's (a retest overrules the step it repeats).
  const byRate = new Map<number, FindMaxStepRow[]>();
  for (const s of steps) byRate.set(s.rate, [...(byRate.get(s.rate) ?? []), s]);
  const verdicts = [...byRate.entries()]
    .map(([rate, at]) => ({ rate, at, verdict: rateVerdict(at) }))
    .sort((a, b) => a.rate - b.rate);
  const accepted = verdicts.filter((v) => v.verdict === "stable" && v.at.some((s) => s.phase === "confirm")).at(-1);
  const answer = accepted?.rate;
  const confirmation = accepted?.at.filter((s) => s.phase === "confirm" && s.passed).at(-1);
  const unstable = verdicts.find((v) => v.verdict === "unstable" && (answer === undefined || v.rate > answer));
  const firstUnstable = unstable?.at.filter((s) => !s.passed).at(-1);
  const generatorBound = steps.find((s) => s.scenario.thresholds.some((t) => isGeneratorCheck(t.expr) && !t.passed));
  const highestStable = verdicts.filter((v) => v.verdict === "stable").at(-1)?.rate;
  const interval = answer === undefined || confirmation === undefined ? undefined : findMaxInterval(steps.map(intervalStep), answer, unstable?.rate);
  return {
    scenario,
    steps,
    ...(answer === undefined || confirmation === undefined ? {} : { rate: answer, confirmation }),
    ...(firstUnstable === undefined ? {} : { firstUnstable }),
    ...(generatorBound === undefined ? {} : { generatorBound }),
    ...(highestStable === undefined ? {} : { highestStable }),
    ...(calibration === undefined ? {} : { calibration }),
    ...(interval === undefined ? {} : { interval }),
  };
}

function intervalStep(s: FindMaxStepRow): IntervalStep {
  const r = s.scenario.result;
  // A stored result without its per-second series (a hand-built or partial one) measures no noise.
  if (!Array.isArray(r.series)) return { phase: s.phase, rate: s.rate, passed: s.passed, completed: undefined, perSecond: [] };
  return { phase: s.phase, rate: s.rate, passed: s.passed, completed: completionRate(r), perSecond: laterSeconds(r).map((p) => p.ops + p.errors) };
}

/** The interval as the console prints it: both ends, what each means, and the noise behind them. */
export function renderInterval(i: FindMaxInterval): string[] {
  const high =
    i.high === undefined || i.rejected === undefined
      ? "    high open: no rate above the answer was rejected"
      : `    high ${formatRate(i.high)} = the lowest rejected rate ${formatRate(i.rejected)} + ${i.z} × noise: above it no step of this search suggests the target keeps up`;
  return [
    `  interval ${formatRate(i.low)} – ${i.high === undefined ? "open" : formatRate(i.high)} (noise ${formatPercent(i.noise, 1)}):`,
    `    low ${formatRate(i.low)} = the answer ${formatRate(i.answer)} − ${i.z} × noise: kept up with even ${i.z} standard deviations slower than measured; size from this`,
    high,
    `    noise: the larger of the spread between ${i.steps} passing confirmation step(s) at ${i.rates} rate(s) (${formatPercent(i.stepNoise, 1)}) ` +
      `and a step's standard error from its per-second rates (${formatPercent(i.secondNoise, 1)})`,
  ];
}

/** The answer as `--format json` carries it (`findMax`): rates in operations/s, noise a fraction. */
export interface FindMaxDocument {
  scenario: string;
  rate?: number;
  firstUnstable?: number;
  highestStable?: number;
  generatorBound: boolean;
  interval?: FindMaxInterval;
}

export function findMaxDocument(a: FindMaxAnswer): FindMaxDocument {
  return {
    scenario: a.scenario,
    ...(a.rate === undefined ? {} : { rate: a.rate }),
    ...(a.firstUnstable === undefined ? {} : { firstUnstable: a.firstUnstable.rate }),
    ...(a.highestStable === undefined ? {} : { highestStable: a.highestStable }),
    generatorBound: a.generatorBound !== undefined,
    ...(a.interval === undefined ? {} : { interval: a.interval }),
  };
}

const FIND_MAX_UNITS: Readonly<Record<string, string>> = {
  "findMax.rate, .firstUnstable, .highestStable, .interval.low, .high, .answer, .rejected": "operations/s",
  "findMax.interval.noise, .stepNoise, .secondNoise": "fraction of the rate (0.03 = 3 %)",
};

/**
 * The run's JSON (run-json.ts) with its find-max answer beside the steps as `findMax`, when it was a
 * search; an added field, so the schema name stays.
 */
export function runJsonWithFindMax(run: StoredRun): string {
  const a = findMaxAnswer(run);
  if (a === undefined) return runJson(run);
  return `${JSON.stringify({ ...runDocument(run), units: { ...RUN_JSON_UNITS, ...FIND_MAX_UNITS }, findMax: findMaxDocument(a) }, null, 2)}\n`;
}

/**
 * A rate with confirmation steps is decided as the search decides it: CONFIRM_MAJORITY passes (more
 * than its failures) accept it, CONFIRM_MAJORITY failures reject it, and anything short of either is
 * undecided (the search's step budget or an interrupt cut its verdict off). A rate never confirmed
 * goes by its last step (a retest overrules the step it repeats).
 */
function rateVerdict(at: readonly FindMaxStepRow[]): "stable" | "unstable" | "undecided" {
  const confirms = at.filter((s) => s.phase === "confirm");
  if (confirms.length === 0) return at.at(-1)?.passed === true ? "stable" : "unstable";
  const passes = confirms.filter((s) => s.passed).length;
  const failures = confirms.length - passes;
  if (passes >= CONFIRM_MAJORITY && passes > failures) return "stable";
  if (failures >= CONFIRM_MAJORITY && failures > passes) return "unstable";
  return "undecided";
}

function actualText(t: StoredThreshold): string {
  if (t.actual === null) return t.note ?? "no value";
  if (t.kind === "duration") return formatMs(t.actual);
  if (t.kind === "ratio") return formatPercent(t.actual);
  if (t.kind === "rate") return formatRate(t.actual);
  return formatCount(t.actual);
}

/** Why a step failed: each failed check with its value. */
export function whyFailed(s: StoredScenario): string {
  const failed = s.thresholds.filter((t) => !t.passed).map((t) => `${t.expr} ✗ ${actualText(t)}`);
  if (s.result.status !== "completed") failed.unshift(`scenario ${s.result.status}${s.result.failure ? `: ${s.result.failure}` : ""}`);
  return failed.join("; ");
}

export function renderFindMax(a: FindMaxAnswer): string {
  const lines: string[] = [];
  if (a.rate !== undefined && a.confirmation !== undefined) {
    const r = a.confirmation.scenario.result;
    lines.push(
      a.firstUnstable === undefined
        ? `find-max ${a.scenario}: sustains at least ${formatRate(a.rate)} — no unstable rate was found within the search's steps`
        : `find-max ${a.scenario}: maximum sustainable rate ${formatRate(a.rate)}`,
    );
    lines.push(
      `  confirmed over ${r.durationS.toFixed(0)} s: achieved ${formatRate(r.generator.achievedRate)}, ` +
        `p50 ${formatMs(r.latency.p50)}, p99 ${formatMs(r.latency.p99)}, errors ${formatCount(r.errors)}`,
    );
    if (a.interval !== undefined) lines.push(...renderInterval(a.interval));
  } else if (a.generatorBound !== undefined) {
    const bound = a.generatorBound.scenario;
    const who = generatorWords(bound);
    lines.push(
      `find-max ${a.scenario}: at least ${a.highestStable === undefined ? "–" : formatRate(a.highestStable)} — the search stopped at ${who === "the load generator" ? "the load generator's limit" : `pipebench's limit (${who} ran out of CPU)`}, not the target's`,
    );
    lines.push(`  at ${formatRate(a.generatorBound.rate)}: ${whyFailed(bound)}`);
    lines.push(`  the target may sustain more: ${moreGenerators(bound)}`);
  } else {
    lines.push(`find-max ${a.scenario}: no rate was confirmed sustainable${a.highestStable === undefined ? "" : ` (highest stable step ${formatRate(a.highestStable)})`}`);
  }
  if (a.calibration !== undefined) {
    const r = a.calibration.result;
    lines.push(
      `  calibration: as fast as it goes (closed loop) ${formatRate(r.opsPerSec)} at p50 ${formatMs(r.latency.count > 0 ? r.latency.p50 : null)}; ` +
        `the search started at ${Math.round(CALIBRATED_START * 100)} % of it`,
    );
  }
  if (a.firstUnstable !== undefined) {
    lines.push(`  first unstable rate ${formatRate(a.firstUnstable.rate)}: ${whyFailed(a.firstUnstable.scenario)}`);
  }
  lines.push(
    "  rule: the highest rate whose step met the scenario's thresholds, achieved ≥ 95 % of the asked rate (and completed ≥ 95 % of it per second over the step's last two thirds), kept p50 and p99 " +
      "from both growing across the step (no backlog), kept errors (and consumer lag) in bounds and left the generator CPU; " +
      "an unstable step is retested once; then steps twice as long decide, each rate by the majority of up to three " +
      "(a rejected rate is followed by one 5–15 % lower, by what it completed per second; an accepted and a rejected rate are bisected to 5 %)",
  );
  const rows = a.steps.map((s, i) => {
    const r = s.scenario.result;
    const asked = r.generator.askedRate ?? s.rate;
    return [
      String(i + 1),
      s.phase,
      formatRate(s.rate),
      formatPercent(asked > 0 ? r.generator.achievedRate / asked : 0, 0),
      formatMs(r.latency.count > 0 ? r.latency.p50 : null),
      formatMs(r.latency.count > 0 ? r.latency.p99 : null),
      formatCount(r.errors),
      s.passed ? "✓" : `✗ ${whyFailed(s.scenario)}`,
    ];
  });
  lines.push("  steps:");
  lines.push(...table([["#", "phase", "rate", "achieved", "p50", "p99", "errors", "verdict"], ...rows], new Set([0, 2, 3, 4, 5, 6])).map((l) => `    ${l}`));
  return lines.join("\n");
}
