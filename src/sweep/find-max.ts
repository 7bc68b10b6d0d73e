// `--find-max`: the highest rate an open-loop scenario sustains. Steps at fixed rates, each a
// scenario of its own (stored as `NAME[rate=N]` with variant { "load.rate": N, "find-max": phase }),
// in two stages: short steps find the knee, long steps decide the answer by majority.
//
//   calibrate  one step as fast as the target goes (closed loop, the driver's concurrency): its
//              throughput T places the search, which starts at 0.7 T and climbs by 50 % (skipped
//              with --start-rate, which climbs by doubling from there)
//   ramp       up from the start until a step is unstable (or halving until one is stable)
//   retest     an unstable ramp step is run once more before it is believed (a GC pause or a
//              neighbour's burst is not the target's limit); stable if the retest is
//   confirm    steps twice as long decide. The first candidate is 96 % of what the target completed
//              per second when the ramp overloaded it (a queue serves at its capacity; no rate above
//              that is tried). A rate's verdict is the majority of up to three steps (two agreeing
//              end it), so neither one lucky step nor one disturbed step decides the answer. A
//              rejected rate is followed by one 5–15 % lower (95 % of the most its steps completed
//              per second; 5 % when one of them passed); an accepted and a rejected rate are bisected
//              (geometric midpoints, 3 significant digits) until within the resolution (5 %). Short
//              steps overstate what a target keeps up for longer (a queue absorbs a burst), so only
//              this stage's verdicts make the answer
//
// Why majorities: with single verdicts, one lucky short step raised the bracket and one disturbed
// long step dropped the answer by up to half; three quiet-machine searches agreed within ±10 % only
// two times in three. Against a modelled target with ±5 % noise per step and one step in ten
// disturbed by −30 %, 98 of 100 triples agree within ±10 % (74 before): find-max-search.test.ts.
//
// Stable = the scenario's thresholds and the stability checks (stability.ts) pass. A step whose
// generator ran out of CPU ends the search: that rate is the generator's limit, not the target's.
// The answer is the highest rate the confirmation accepted; it is read back from the stored run by
// src/report/find-max-answer.ts (same majority rule), so `pipebench show` gives the same answer as the run.
import type { ConstantRateLoad } from "../engine/load.js";
import type { ScenarioOutcome, SuiteSession } from "../engine/run-suite.js";
import { UsageError } from "../errors.js";
import type { SuiteScenario } from "../suite/types.js";
import type { z } from "zod";
import { CPU_MAX_PERCENT } from "../engine/generator-health.js";
import { CHECK, completionRate, stabilityChecks } from "./stability.js";

export type FindMaxPhase = "calibrate" | "ramp" | "retest" | "confirm";

/** The search starts at this fraction of the calibrated throughput... */
export const CALIBRATED_START = 0.7;
/**
 * ...and climbs by this factor (by doubling from a given start rate). A closed loop at the driver's
 * concurrency can understate what an open loop sustains (its in-flight count is capped), so the
 * calibration is a starting point, not a ceiling.
 */
export const CALIBRATED_GROWTH = 1.5;

/** A rate is accepted (or rejected) by this many agreeing confirmation steps, of at most 2 × − 1. */
export const CONFIRM_MAJORITY = 2;
/** After a rejected confirmation the next candidate is at least this much lower... */
const STEP_DOWN_MIN = 0.05;
/** ...and at most this much: 95 % of what the rejected rate's steps completed per second, within these. */
const STEP_DOWN_MAX = 0.15;
/** The long steps start at this fraction of what the first overloaded rate completed per second. */
const KEPT_START = 0.96;

export interface FindMaxOptions {
  /** First rate; default the scenario's own. */
  startRate?: number;
  /** Measured length of one step, ms. */
  stepMs: number;
  /** Warm-up before each step, ms (thrown away). The first step takes the scenario's own when longer. */
  warmupMs: number;
  /** Stop bisecting when the rejected rate is within this fraction above the accepted one. */
  resolution?: number;
  /** Most short steps (ramp, retest). */
  maxSteps?: number;
  /** Most confirmation steps (long ones). */
  maxConfirmSteps?: number;
  /**
   * `--max-rate`: no step asks more. The calibration (as fast as it goes) is skipped under a cap, and
   * a target that sustains the cap is answered as "at least" it.
   */
  maxRate?: number;
  /** Calibrate with one as-fast-as-it-goes step first (default, unless startRate or maxRate is given). */
  calibrate?: boolean;
  onStep?(step: FindMaxStep): void;
  /** Called before each step starts. */
  onStepStart?(scenario: SuiteScenario, index: number, phase: FindMaxPhase): void;
}

export interface FindMaxStep {
  phase: FindMaxPhase;
  rate: number;
  stable: boolean;
  generatorBound: boolean;
  /** The checks and thresholds that failed, as `expr (actual)`. */
  failed: string[];
  outcome: ScenarioOutcome;
}

export interface FindMaxResult {
  scenario: string;
  /** The maximum sustainable rate, confirmed; undefined when no rate was. */
  rate?: number;
  /** The lowest rate found unstable above the answer. */
  firstUnstable?: FindMaxStep;
  /** The search stopped at the generator's limit: the target may sustain more. */
  generatorBound: boolean;
  /** The highest stable rate seen, when there is no confirmed answer (e.g. generator-bound). */
  atLeast?: number;
  /** Throughput of the calibration step, when there was one. */
  calibrated?: number;
  steps: FindMaxStep[];
  /** Why the search ended without a confirmed answer, when it did. */
  stopped?: string;
}

type ConstantRate = z.output<typeof ConstantRateLoad>;

/** The one scenario find-max searches: `--scenario`, else the suite's only constant-rate one. */
export function pickFindMaxScenario(scenarios: readonly SuiteScenario[]): SuiteScenario & { load: ConstantRate } {
  const open = scenarios.filter((s): s is SuiteScenario & { load: ConstantRate } => s.load.executor === "constant-rate");
  if (scenarios.length === 1 && open.length === 0) {
    const s = scenarios[0];
    throw new UsageError(`--find-max searches a constant-rate scenario, and ${s?.name} is ${s?.load.executor}`, {
      hint: "give it an open-loop load: { executor: constant-rate, rate: 100, duration: 10s }",
    });
  }
  if (open.length !== 1 || open[0] === undefined) {
    throw new UsageError(
      open.length === 0 ? "--find-max needs a constant-rate scenario, and none is selected" : `--find-max searches one scenario, and ${open.length} constant-rate scenarios are selected`,
      { hint: `name it with --scenario (constant-rate: ${open.map((s) => s.name).join(", ") || "none"})` },
    );
  }
  return open[0];
}

/**
 * The candidate after a rejected one: 95 % of the most its failed steps completed per second (what
 * the target kept up with, the best of them so one disturbed step does not drag the search down),
 * 5–15 % below the rejected rate; 5 % when one of its steps passed (the rate is marginal).
 */
export function stepDown(rejected: number, failedSteps: readonly FindMaxStep[], passes = 0): number | undefined {
  const kept = Math.max(0, ...failedSteps.map((s) => completionRate(s.outcome.result) ?? 0));
  const floor = passes > 0 ? 1 - STEP_DOWN_MIN : 1 - STEP_DOWN_MAX;
  const next = roundRate(Math.min(rejected * (1 - STEP_DOWN_MIN), Math.max(rejected * floor, kept * 0.95)));
  // At a few operations per second 5 % rounds back to the same rate: one lower, then.
  if (next < rejected) return next;
  return rejected > 1 ? rejected - 1 : undefined;
}

/** 3 significant digits: 1131 → 1130, 87.4 → 87.4 → 87 (rates are whole operations per second). */
export function roundRate(rate: number): number {
  if (rate < 100) return Math.max(1, Math.round(rate));
  const step = 10 ** (Math.floor(Math.log10(rate)) - 2);
  return Math.round(rate / step) * step;
}

/** Who ran out of CPU: "the load generator", or with --workers the workers' that did ("… of worker 2/4"). */
export function generatorWords(outcome: Pick<ScenarioOutcome, "result">): string {
  const segments = outcome.result.segments ?? [];
  if (segments.length < 2) return "the load generator";
  const over = segments.filter((s) => (s.busyCpuPercent ?? 0) > CPU_MAX_PERCENT || s.validity?.reasons.some((r) => r.code === "generator-saturated") === true);
  const names = over.map((s) => s.worker).join(", ");
  if (over.length === 0) return `the load generators (${segments.length} workers)`;
  return over.length === 1 ? `the load generator of worker ${names}` : `the load generators of workers ${names}`;
}

/** What to do about it: more generators, on cores the target does not share. */
export function moreGenerators(outcome: Pick<ScenarioOutcome, "result">): string {
  const count = outcome.result.segments?.length ?? 1;
  return count < 2
    ? "run pipebench on a bigger machine, or several: --workers N"
    : `run more workers than ${count} (--workers), on cores or machines the target does not share`;
}

/** What the search needs of a run: SuiteSession, or a simulated target in tests. */
export type StepSession = Pick<SuiteSession, "canContinue" | "runScenario">;

export async function findMax(
  session: StepSession,
  scenario: SuiteScenario & { load: ConstantRate },
  options: FindMaxOptions,
): Promise<FindMaxResult> {
  const resolution = options.resolution ?? 0.05;
  const maxSteps = options.maxSteps ?? 14;
  const maxConfirmSteps = options.maxConfirmSteps ?? 14;
  const steps: FindMaxStep[] = [];
  const runsAt = new Map<number, number>();
  let stopped: string | undefined;
  /** Steps started, the calibration included: their ordinals in the run. */
  let started = 0;
  // The first step also warms the target up from cold (JIT, pools, caches).
  const warmupFor = (index: number): number => (index === 0 ? Math.max(options.warmupMs, scenario.load.warmup ?? 0) : options.warmupMs);

  const runStep = async (rate: number, phase: FindMaxPhase, stepMs: number): Promise<FindMaxStep | undefined> => {
    if (!session.canContinue) return undefined;
    const name = `${scenario.name}[rate=${rate}]`;
    const trial = runsAt.get(rate) ?? 0;
    runsAt.set(rate, trial + 1);
    const step: SuiteScenario = {
      ...scenario,
      name,
      load: { ...scenario.load, rate, duration: stepMs, warmup: warmupFor(started) },
    };
    options.onStepStart?.(step, started, phase);
    const outcome = await session.runScenario(step, {
      ordinal: started++,
      trial,
      variant: { "load.rate": rate, "find-max": phase },
      judge: (result, probes) => stabilityChecks(result, probes, scenario.thresholds),
    });
    if (outcome === undefined) return undefined;
    const failed = outcome.thresholds.filter((t) => !t.passed);
    const done: FindMaxStep = {
      phase,
      rate,
      stable: outcome.result.status === "completed" && failed.length === 0,
      generatorBound: failed.some((t) => t.metric === CHECK.generator),
      failed: failed.map((t) => t.expr),
      outcome,
    };
    steps.push(done);
    options.onStep?.(done);
    return done;
  };

  const budgetLeft = (): boolean => steps.length < maxSteps && session.canContinue && stopped === undefined;

  /** One rate: a step, retested once when unstable. */
  const probe = async (rate: number, phase: FindMaxPhase): Promise<FindMaxStep | undefined> => {
    const first = await runStep(rate, phase, options.stepMs);
    if (first === undefined || first.stable || first.generatorBound || !budgetLeft()) return first;
    return (await runStep(rate, "retest", options.stepMs)) ?? first;
  };

  let good: number | undefined;
  let bad: FindMaxStep | undefined;
  const judge = (s: FindMaxStep): void => {
    if (s.generatorBound) {
      stopped = `at ${s.rate}/s ${generatorWords(s.outcome)} ran out of CPU: that is pipebench's limit, not the target's (${moreGenerators(s.outcome)})`;
    } else if (s.stable) {
      good = Math.max(good ?? 0, s.rate);
    } else if (bad === undefined || s.rate < bad.rate) {
      bad = s;
    }
  };

  // Calibrate: as fast as it goes, once; the throughput bounds where the search starts.
  let calibrated: number | undefined;
  const cap = options.maxRate ?? Number.POSITIVE_INFINITY;
  if (options.startRate === undefined && options.maxRate === undefined && options.calibrate !== false) {
    const name = `${scenario.name}[calibrate]`;
    const step: SuiteScenario = {
      ...scenario,
      name,
      load: { executor: "max", duration: options.stepMs, warmup: warmupFor(0) },
    };
    options.onStepStart?.(step, started, "calibrate");
    const outcome = await session.runScenario(step, { ordinal: started++, variant: { "find-max": "calibrate" } });
    const t = outcome?.result.status === "completed" ? outcome.result.opsPerSec : 0;
    if (t > 0) calibrated = t;
  }

  // Ramp: up from the start rate, or down by halving when the start is too much.
  let rate = Math.min(cap, roundRate(calibrated === undefined ? options.startRate ?? scenario.load.rate : calibrated * CALIBRATED_START));
  const growth = calibrated === undefined ? 2 : CALIBRATED_GROWTH;
  while (budgetLeft()) {
    const s = await probe(rate, "ramp");
    if (s === undefined) break;
    judge(s);
    if (stopped !== undefined) break;
    if (s.stable && bad === undefined) {
      if (rate >= cap) break;
      rate = Math.min(cap, roundRate(rate * growth));
    } else if (!s.stable && good === undefined) {
      if (rate <= 1) {
        stopped = "even 1 operation per second was not sustained";
        break;
      }
      rate = roundRate(rate / 2);
    } else break;
  }

  // Where the long steps start: just under what the target completed per second when the ramp
  // overloaded it (the most of that rate's steps; a queue serves at its capacity). The rate that
  // failed the ramp bounds the search from above: a short step overstates what a target sustains.
  let accepted: number | undefined;
  let rejected = bad?.rate;
  let candidate = good;
  if (bad !== undefined) {
    const overloaded = steps.filter((s) => !s.stable && s.rate === bad?.rate);
    const kept = Math.max(0, ...overloaded.map((s) => completionRate(s.outcome.result) ?? 0));
    const start = roundRate(kept * KEPT_START);
    if (start > (good ?? 0) && start < bad.rate) candidate = start;
  }
  // Rates are rounded to 3 significant digits (up to 0.5 % each): an accepted and a rejected rate
  // that far past the resolution are within it (2,150 and 2,270 are 5.6 % apart).
  const within = (lo: number, hi: number): boolean => hi / lo <= (1 + resolution) * 1.01;

  // Confirm with long steps: a verdict per rate by majority, walking down until one is accepted,
  // then bisecting between it and the lowest rejected rate.
  let confirmSteps = 0;
  const confirmLeft = (): boolean => confirmSteps < maxConfirmSteps && session.canContinue && stopped === undefined;
  const verdict = async (rate: number): Promise<{ stable: boolean; passes: number; failedSteps: FindMaxStep[] } | undefined> => {
    let passes = 0;
    const failedSteps: FindMaxStep[] = [];
    while (passes < CONFIRM_MAJORITY && failedSteps.length < CONFIRM_MAJORITY) {
      if (!confirmLeft()) return undefined;
      confirmSteps++;
      const c = await runStep(rate, "confirm", options.stepMs * 2);
      if (c === undefined) return undefined;
      if (c.generatorBound) {
        judge(c);
        return undefined;
      }
      if (c.stable) passes++;
      else failedSteps.push(c);
    }
    return { stable: passes >= CONFIRM_MAJORITY, passes, failedSteps };
  };
  let climb = 1;
  while (candidate !== undefined && stopped === undefined) {
    const v = await verdict(candidate);
    if (v === undefined) break;
    if (v.stable) accepted = candidate;
    else {
      rejected = Math.min(rejected ?? candidate, candidate);
      const last = v.failedSteps.at(-1);
      if (last !== undefined && (bad === undefined || candidate <= bad.rate)) bad = last;
    }
    let next: number | undefined;
    if (accepted !== undefined && rejected !== undefined) {
      // Above an accepted rate: a resolution step up (the start sits near the capacity), doubling
      // with each step up accepted in a row, never past the midpoint to the lowest rejected rate.
      const up = roundRate(Math.min(accepted * (1 + resolution * climb), Math.sqrt(accepted * rejected)));
      climb = v.stable ? climb * 2 : 1;
      next = !within(accepted, rejected) && up > accepted && up < rejected ? up : undefined;
    } else if (accepted === undefined) {
      next = stepDown(candidate, v.failedSteps, v.passes);
    }
    candidate = next;
  }
  if (accepted !== undefined) {
    return {
      scenario: scenario.name,
      rate: accepted,
      ...(bad === undefined ? {} : { firstUnstable: bad }),
      generatorBound: false,
      steps,
      ...(calibrated === undefined ? {} : { calibrated }),
    };
  }
  if (stopped === undefined && !session.canContinue) stopped = "the run was interrupted or the target failed";
  if (stopped === undefined && confirmSteps >= maxConfirmSteps) stopped = `no rate confirmed within ${maxConfirmSteps} confirmation steps`;
  if (stopped === undefined) stopped = good === undefined ? "no rate was sustained" : "no rate was confirmed";
  const generatorBound = steps.some((s) => s.generatorBound);
  return {
    scenario: scenario.name,
    ...(bad === undefined ? {} : { firstUnstable: bad }),
    generatorBound,
    ...(good === undefined ? {} : { atLeast: good }),
    ...(calibrated === undefined ? {} : { calibrated }),
    steps,
    stopped,
  };
}
