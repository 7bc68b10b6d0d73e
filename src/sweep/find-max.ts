// `--find-max`: the highest rate an open-loop scenario sustains. Short steps at fixed rates, each a
// scenario of its own (stored as `NAME[rate=N]` with variant { "load.rate": N, "find-max": phase }):
//
//   calibrate  one step as fast as the target goes (closed loop, the driver's concurrency): its
//              throughput T places the search, which starts at 0.7 T and climbs by 50 % (skipped
//              with --start-rate, which climbs by doubling from there)
//   ramp       up from the start until a step is unstable (or halving until one is stable)
//   bisect     between the last stable and the first unstable rate (geometric midpoints, 3
//              significant digits) until they are within the resolution (5 %)
//   retest     an unstable step is run once more before it is believed (a GC pause or a
//              neighbour's burst is not the target's limit); stable if the retest is
//   confirm    the answer is run again for twice the step; if that fails, the next candidate is
//              10 % lower, or 95 % of what the target completed per second in that longer step when
//              less (but not below half); a failed confirmation is run once more first, and at most
//              four rates are confirmed, so a drifting machine cannot make the search run long.
//              Short steps can overstate what a target keeps up for longer (a database absorbs a
//              burst before its WAL and checkpoints catch up): the confirmation is what counts
//
// Stable = the scenario's thresholds and the stability checks (stability.ts) pass. A step whose
// generator ran out of CPU ends the search: that rate is the generator's limit, not the target's.
// The answer is the rate of the last `confirm` step that passed; it is read back from the stored
// run by src/cli/find-max-report.ts, so `pipebench show` gives the same answer as the run.
import type { ConstantRateLoad } from "../engine/load.js";
import type { ScenarioOutcome, SuiteSession } from "../engine/run-suite.js";
import { UsageError } from "../errors.js";
import type { SuiteScenario } from "../suite/types.js";
import type { z } from "zod";
import { CHECK, completionRate, stabilityChecks } from "./stability.js";

export type FindMaxPhase = "calibrate" | "ramp" | "bisect" | "retest" | "confirm";

/** The search starts at this fraction of the calibrated throughput... */
export const CALIBRATED_START = 0.7;
/**
 * ...and climbs by this factor (by doubling from a given start rate). A closed loop at the driver's
 * concurrency can understate what an open loop sustains (its in-flight count is capped), so the
 * calibration is a starting point, not a ceiling.
 */
export const CALIBRATED_GROWTH = 1.5;

export interface FindMaxOptions {
  /** First rate; default the scenario's own. */
  startRate?: number;
  /** Measured length of one step, ms. */
  stepMs: number;
  /** Warm-up before each step, ms (thrown away). The first step takes the scenario's own when longer. */
  warmupMs: number;
  /** Stop bisecting when the unstable rate is within this fraction above the stable one. */
  resolution?: number;
  /** Most steps in all (confirmations included). */
  maxSteps?: number;
  /** Calibrate with one as-fast-as-it-goes step first (default, unless startRate is given). */
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

/** 3 significant digits: 1131 → 1130, 87.4 → 87.4 → 87 (rates are whole operations per second). */
export function roundRate(rate: number): number {
  if (rate < 100) return Math.max(1, Math.round(rate));
  const step = 10 ** (Math.floor(Math.log10(rate)) - 2);
  return Math.round(rate / step) * step;
}

export async function findMax(
  session: SuiteSession,
  scenario: SuiteScenario & { load: ConstantRate },
  options: FindMaxOptions,
): Promise<FindMaxResult> {
  const resolution = options.resolution ?? 0.05;
  const maxSteps = options.maxSteps ?? 16;
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
      stopped = `at ${s.rate}/s the load generator ran out of CPU: that is the generator's limit, not the target's (run pipebench on a bigger machine or several)`;
    } else if (s.stable) {
      good = Math.max(good ?? 0, s.rate);
    } else if (bad === undefined || s.rate < bad.rate) {
      bad = s;
    }
  };

  // Calibrate: as fast as it goes, once; the throughput bounds where the search starts.
  let calibrated: number | undefined;
  if (options.startRate === undefined && options.calibrate !== false) {
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
  let rate = roundRate(calibrated === undefined ? options.startRate ?? scenario.load.rate : calibrated * CALIBRATED_START);
  const growth = calibrated === undefined ? 2 : CALIBRATED_GROWTH;
  while (budgetLeft()) {
    const s = await probe(rate, "ramp");
    if (s === undefined) break;
    judge(s);
    if (stopped !== undefined) break;
    if (s.stable && bad === undefined) rate = roundRate(rate * growth);
    else if (!s.stable && good === undefined) {
      if (rate <= 1) {
        stopped = "even 1 operation per second was not sustained";
        break;
      }
      rate = roundRate(rate / 2);
    } else break;
  }

  // Bisect, then confirm; a failed confirmation confirms 10 % lower next.
  while (budgetLeft() && good !== undefined && bad !== undefined && bad.rate / good > 1 + resolution) {
    const mid = roundRate(Math.sqrt(good * bad.rate));
    if (mid <= good || mid >= bad.rate) break;
    const s = await probe(mid, "bisect");
    if (s === undefined) break;
    judge(s);
  }
  for (let candidates = 0; candidates < 4 && good !== undefined && stopped === undefined && session.canContinue; candidates++) {
    // A failed confirmation is run once more before the answer steps down (as any unstable step is).
    let c = await runStep(good, "confirm", options.stepMs * 2);
    if (c !== undefined && !c.stable && !c.generatorBound && session.canContinue) c = (await runStep(good, "confirm", options.stepMs * 2)) ?? c;
    if (c === undefined) break;
    if (c.generatorBound) {
      judge(c);
      break;
    }
    if (c.stable) {
      return {
        scenario: scenario.name,
        rate: good,
        ...(bad === undefined ? {} : { firstUnstable: bad }),
        generatorBound: false,
        steps,
        ...(calibrated === undefined ? {} : { calibrated }),
      };
    }
    bad = c;
    // Next: 10 % lower, or lower still when the confirmation showed what the target kept up with.
    const kept = completionRate(c.outcome.result);
    // An overloaded step can complete less than the target's capacity (it thrashes): at most half down.
    const next = Math.max(c.rate * 0.5, Math.min(c.rate * 0.9, kept === undefined ? Number.POSITIVE_INFINITY : kept * 0.95));
    good = next >= 1 ? roundRate(next) : undefined;
  }

  if (stopped === undefined && !session.canContinue) stopped = "the run was interrupted or the target failed";
  if (stopped === undefined && steps.length >= maxSteps) stopped = `no confirmed answer within ${maxSteps} steps`;
  if (stopped === undefined) stopped = good === undefined ? "no rate was sustained" : "the answer failed its confirmation three times";
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
