// `pipebench run --find-max`: a run whose scenarios are the search's steps. Flags are checked before
// anything starts; only the searched scenario's targets are connected; the run passes when a rate
// was confirmed (the steps beyond it fail by design, and are stored with why).
import { SuiteSession, type RunOutcome, type RunSuiteOptions } from "../engine/run-suite.js";
import { UsageError } from "../errors.js";
import { formatRate } from "../format/numbers.js";
import type { Suite } from "../suite/types.js";
import { parseCount, parseDuration } from "../suite/units.js";
import { findMax, pickFindMaxScenario } from "./find-max.js";

export const DEFAULT_STEP_MS = 5000;
export const DEFAULT_STEP_WARMUP_MS = 1000;

export interface FindMaxFlags {
  stepDuration?: string;
  startRate?: string;
}

export type SuiteRunner = (suite: Suite, options: RunSuiteOptions) => Promise<RunOutcome>;

/** Checks the flags now (bad input exits 2 before anything runs) and returns the runner. */
/** `maxRate`: --max-rate, which caps the search (no step asks more). */
export function findMaxRunner(flags: FindMaxFlags, suite: Suite, maxRate?: number): SuiteRunner {
  const scenario = pickFindMaxScenario(suite.scenarios);
  const stepMs = flags.stepDuration === undefined ? DEFAULT_STEP_MS : parseDuration(flags.stepDuration);
  if (stepMs === undefined || stepMs < 1000) {
    throw new UsageError(`--step-duration ${flags.stepDuration ?? ""} is not a step of at least 1 s`, {
      hint: "write e.g. --step-duration 5s (each step also warms up for 1 s; the confirmation runs twice as long)",
    });
  }
  const startRate = flags.startRate === undefined ? undefined : parseCount(flags.startRate);
  if (flags.startRate !== undefined && (startRate === undefined || startRate <= 0)) {
    throw new UsageError(`--start-rate ${flags.startRate} is not a rate`, { hint: "write operations per second, e.g. --start-rate 500" });
  }
  if (startRate !== undefined && maxRate !== undefined && startRate > maxRate) {
    throw new UsageError(`--start-rate ${formatRate(startRate)} is above --max-rate ${formatRate(maxRate)}`, {
      hint: "the search never asks more than --max-rate: start at or below it",
    });
  }
  return async (_suite, options) => {
    // Only what the searched scenario needs is connected.
    const session = await SuiteSession.open({ ...suite, scenarios: [scenario] }, options);
    const log = options.hooks?.log ?? (() => undefined);
    log(
      `find-max ${scenario.name}: steps of ${stepMs / 1000} s after ${DEFAULT_STEP_WARMUP_MS / 1000} s of warm-up, ` +
        `from ${formatRate(startRate ?? scenario.load.rate)}${maxRate === undefined ? "" : `, never above --max-rate ${formatRate(maxRate)}`}`,
    );
    const result = await findMax(session, scenario, {
      ...(startRate === undefined ? {} : { startRate }),
      ...(maxRate === undefined ? {} : { maxRate }),
      stepMs,
      warmupMs: DEFAULT_STEP_WARMUP_MS,
      onStepStart: (step, index) => options.hooks?.scenarioStart?.(step, index, index + 1),
    });
    return session.finish({ passed: result.rate !== undefined });
  };
}
