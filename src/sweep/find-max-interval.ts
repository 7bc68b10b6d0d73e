// The interval around a find-max answer. One answer is one sample of a target whose capacity moves
// (σ 4.4 % between fresh instances of the quickstart service on this VM, docs/decisions.md
// "find-max"), so a plan or a comparison needs to know how far to trust it. Two things bound it,
// both measured by the search itself:
//
//   the bracket  the answer A (the highest rate accepted) and the lowest rate rejected above it, R:
//                with a steady target the capacity the search's rule measures lies in [A, R)
//   the noise    how much the target's pace wandered while it kept up: the pooled standard deviation
//                of what the passing confirmation steps at one rate completed per second (relative
//                to that rate), and at least the standard error of such a step's mean from its
//                per-second rates (two steps that happen to agree would otherwise claim no noise).
//                Failed steps are left out: an overloaded step's completions measure its collapse
//                (a 1 s-step search of the quickstart completed 41 % of 1,940/s in one, 77 % in
//                the next), not how far the capacity moves
//
//   low  = A × (1 − Z × noise)   the rate kept up with even when the target is Z standard deviations
//                                 slower than when it was measured: the safe one to size from
//   high = R × (1 + Z × noise)   above it, no step of this search suggests the target keeps up;
//                                 open (undefined) when no rate above the answer was rejected
//
// Z = 2 (about 95 % of a normal spread). The noise rests on few steps (two to six), so it is itself
// uncertain; the interval says what this search saw, not a guarantee.
import type { FindMaxPhase } from "./find-max.js";

/** Standard deviations of noise each end reaches beyond the bracket. */
export const INTERVAL_Z = 2;

/** One step as the interval reads it; built from a live step or a stored one alike. */
export interface IntervalStep {
  phase: FindMaxPhase | string;
  rate: number;
  passed: boolean;
  /** Operations completed per second over the step's later seconds (undefined: too short to say). */
  completed: number | undefined;
  /** The same later seconds, one count each (ops + errors). */
  perSecond: readonly number[];
}

export interface FindMaxInterval {
  /** Operations/s: the safe end, the answer less Z × noise. */
  low: number;
  /** Operations/s: the lowest rejected rate plus Z × noise; absent when none was rejected above. */
  high?: number;
  /** The answer: the highest accepted rate. */
  answer: number;
  /** The lowest rate rejected above the answer, when there was one. */
  rejected?: number;
  /** The noise used, a fraction of the rate: the larger of the two below. */
  noise: number;
  /** Pooled standard deviation between passing confirmation steps at one rate (fraction of the rate). */
  stepNoise: number;
  /** Standard error of a passing confirmation step's mean from its per-second rates (fraction of the rate). */
  secondNoise: number;
  /** Passing confirmation steps the noise was measured on, and at how many rates. */
  steps: number;
  rates: number;
  z: number;
}

interface Spread {
  sumSquares: number;
  freedom: number;
}

const add = (a: Spread, b: Spread): Spread => ({ sumSquares: a.sumSquares + b.sumSquares, freedom: a.freedom + b.freedom });

/** Squared deviations from the mean, and the degrees of freedom they carry. */
function spread(xs: readonly number[]): Spread {
  if (xs.length < 2) return { sumSquares: 0, freedom: 0 };
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  return { sumSquares: xs.reduce((s, x) => s + (x - mean) ** 2, 0), freedom: xs.length - 1 };
}

const pooled = (s: Spread): number => (s.freedom === 0 ? 0 : Math.sqrt(s.sumSquares / s.freedom));

/** 3 significant digits, rounded towards `direction` (the low end never rounds up). */
function round3(x: number, direction: "down" | "up"): number {
  if (!(x > 0)) return 0;
  const unit = x < 100 ? 1 : 10 ** (Math.floor(Math.log10(x)) - 2);
  return (direction === "down" ? Math.floor(x / unit + 1e-9) : Math.ceil(x / unit - 1e-9)) * unit;
}

/**
 * The interval around `answer` from the search's steps: `rejected` is the lowest rate rejected above
 * it (none: the high end is open). Only passing confirmation steps measure the noise: the short
 * ramp steps overstate what a target keeps up with, the calibration is a closed loop, and a failed
 * step's completions measure its backlog.
 */
export function findMaxInterval(steps: readonly IntervalStep[], answer: number, rejected?: number): FindMaxInterval {
  const byRate = new Map<number, IntervalStep[]>();
  for (const s of steps) {
    if (s.phase !== "confirm" || !s.passed || s.completed === undefined || s.rate <= 0) continue;
    byRate.set(s.rate, [...(byRate.get(s.rate) ?? []), s]);
  }
  let between: Spread = { sumSquares: 0, freedom: 0 };
  let within: Spread = { sumSquares: 0, freedom: 0 };
  let seconds = 0;
  let measured = 0;
  for (const [rate, at] of byRate) {
    between = add(between, spread(at.map((s) => (s.completed ?? 0) / rate)));
    for (const s of at) {
      within = add(within, spread(s.perSecond.map((n) => n / rate)));
      seconds += s.perSecond.length;
      measured++;
    }
  }
  const stepNoise = pooled(between);
  // A step's mean over n seconds varies as 1/√n of its seconds (were they independent; a drifting
  // target varies more, which the between-step spread catches when there are steps enough).
  const perStep = measured === 0 ? 0 : seconds / measured;
  const secondNoise = perStep === 0 ? 0 : pooled(within) / Math.sqrt(perStep);
  const noise = Math.max(stepNoise, secondNoise);
  const reach = Math.min(0.9, INTERVAL_Z * noise);
  return {
    low: round3(answer * (1 - reach), "down"),
    ...(rejected === undefined ? {} : { high: round3(rejected * (1 + reach), "up"), rejected }),
    answer,
    noise,
    stepNoise,
    secondNoise,
    steps: measured,
    rates: byRate.size,
    z: INTERVAL_Z,
  };
}

/** Do the intervals share a rate (every low at or below every high)? Open high ends reach up without bound. */
export function intervalsOverlap(intervals: readonly Pick<FindMaxInterval, "low" | "high">[]): boolean {
  if (intervals.length === 0) return false;
  const lowest = Math.min(...intervals.map((i) => i.high ?? Number.POSITIVE_INFINITY));
  return Math.max(...intervals.map((i) => i.low)) <= lowest;
}
