// Open-loop schedules: when the i-th operation is *meant* to start. The engine times every operation
// from this intended start, so a stalled target cannot hide the operations it delayed (coordinated
// omission). Pure functions of the load profile; no clock here.
//
// Each schedule is defined by its cumulative count N(t): how many operations are due by time t. The
// i-th operation (0-based) is due when N(t) = i, so the first is at t = 0, and the schedule holds
// every i with t < duration, i.e. ceil(N(duration)) operations.

export interface Schedule {
  /** Operations in the schedule. */
  readonly count: number;
  readonly durationMs: number;
  /** Intended start of the i-th operation (0 ≤ i < count), in ms from the schedule's start. */
  offsetMs(i: number): number;
  /** Operations due before `ms` from the start: the load asked for up to then. */
  countBefore(ms: number): number;
}

export interface RateStep {
  /** Operations per second. */
  readonly rate: number;
  readonly duration: number;
}

// N(t) is computed in floating point; without slack, 200/s over 4 s could come out as 800.0000001
// operations and schedule an 801st. The error grows with N (194.3/s over a day is off by more than
// 1e-9), so the slack is relative to it.
const SLACK = 1e-9;

function countFromCumulative(n: number, limit: number): number {
  return Math.min(limit, Math.max(0, Math.ceil(n - SLACK * Math.max(1, Math.abs(n)))));
}

function checkRate(rate: number, what: string): void {
  if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`${what} must be a positive rate, got ${rate}`);
}

function checkDuration(ms: number): void {
  if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`duration must be ≥ 0 ms, got ${ms}`);
}

/** `rate` operations per second, evenly spaced: the i-th at i / rate. */
export function constantRateSchedule(rate: number, durationMs: number): Schedule {
  checkRate(rate, "rate");
  checkDuration(durationMs);
  const cumulative = (ms: number): number => (rate * ms) / 1000;
  const count = countFromCumulative(cumulative(durationMs), Infinity);
  return {
    count,
    durationMs,
    offsetMs: (i) => (i * 1000) / rate,
    countBefore: (ms) => countFromCumulative(cumulative(Math.min(ms, durationMs)), count),
  };
}

/**
 * A rate moving linearly from `from` to `to` over the duration. N(t) = from·t + (to − from)·t²/(2D)
 * (t, D in seconds); the i-th start solves N(t) = i. The root is written as 2i / (from + √…), which
 * stays exact when from ≈ to, where the textbook (−b + √…)/2a form divides by almost zero.
 */
export function rampSchedule(from: number, to: number, durationMs: number): Schedule {
  checkRate(from, "from");
  checkRate(to, "to");
  checkDuration(durationMs);
  const seconds = durationMs / 1000;
  const slope = seconds > 0 ? (to - from) / seconds : 0; // rate change per second
  const cumulative = (ms: number): number => {
    const t = ms / 1000;
    return from * t + (slope * t * t) / 2;
  };
  const count = countFromCumulative(cumulative(durationMs), Infinity);
  return {
    count,
    durationMs,
    offsetMs: (i) => (2000 * i) / (from + Math.sqrt(from * from + 2 * slope * i)),
    countBefore: (ms) => countFromCumulative(cumulative(Math.min(ms, durationMs)), count),
  };
}

/** Piecewise constant rates, one after another. */
export function stepsSchedule(steps: readonly RateStep[]): Schedule {
  if (steps.length === 0) throw new RangeError("steps needs at least one step");
  // Start time and cumulative count at the start of each step.
  const starts: { ms: number; n: number; rate: number; duration: number }[] = [];
  let ms = 0;
  let n = 0;
  for (const step of steps) {
    checkRate(step.rate, "step rate");
    checkDuration(step.duration);
    starts.push({ ms, n, rate: step.rate, duration: step.duration });
    ms += step.duration;
    n += (step.rate * step.duration) / 1000;
  }
  const durationMs = ms;
  const cumulative = (at: number): number => {
    let total = 0;
    for (const s of starts) {
      if (at <= s.ms) break;
      total = s.n + (s.rate * Math.min(at - s.ms, s.duration)) / 1000;
    }
    return total;
  };
  const count = countFromCumulative(n, Infinity);
  return {
    count,
    durationMs,
    offsetMs(i) {
      // The step in which the cumulative count reaches i: the last one starting at or below i
      // (zero-length steps add nothing and are skipped by the `n + SLACK` test of the next one).
      let current = starts[0]!;
      for (const s of starts) {
        if (s.n <= i + SLACK && s.duration > 0) current = s;
        else if (s.n > i + SLACK) break;
      }
      return current.ms + ((i - current.n) * 1000) / current.rate;
    },
    countBefore: (at) => countFromCumulative(cumulative(Math.min(at, durationMs)), count),
  };
}

/** One of `count` interleaved parts of a scenario (`--segment index/count`, 0-based index). */
export interface Segment {
  readonly index: number;
  readonly count: number;
}

/**
 * The k-th of n interleaved parts of a schedule (k6's striping for n equal segments): operation i
 * of the whole goes to part i mod n, at the whole schedule's intended time, so the n parts hold
 * every operation exactly once. `globalIndex(j)` is the whole schedule's number of the part's j-th.
 */
export function segmentSchedule(schedule: Schedule, k: number, n: number): Schedule & { globalIndex(j: number): number } {
  checkSegment(k, n);
  // Operations i < m of the whole with i mod n = k: ceil((m − k) / n), never negative.
  const share = (m: number): number => Math.max(0, Math.ceil((m - k) / n));
  return {
    count: share(schedule.count),
    durationMs: schedule.durationMs,
    offsetMs: (j) => schedule.offsetMs(k + j * n),
    countBefore: (ms) => share(schedule.countBefore(ms)),
    globalIndex: (j) => k + j * n,
  };
}

/**
 * Part k of n of a whole number (closed-loop workers, iterations): k6's telescoping Scale,
 * floor(v·(k+1)/n) − floor(v·k/n), so the n parts sum to v exactly and differ by at most one.
 */
export function segmentShare(v: number, k: number, n: number): number {
  checkSegment(k, n);
  return Math.floor((v * (k + 1)) / n) - Math.floor((v * k) / n);
}

function checkSegment(k: number, n: number): void {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(k) || k < 0 || k >= n) {
    throw new RangeError(`segment ${k}/${n}: need whole numbers with 0 ≤ index < count`);
  }
}
