// How a scenario's operations are launched: an open loop on its schedule (a segment's share of it,
// numbered as the whole numbers them), or a closed loop's workers (a segment's share of them). Kept
// apart from run-scenario.ts, which owns the scenario's phases, stopping and summarising.
import type { Clock } from "./clock.js";
import { runClosedLoop } from "./closed-loop.js";
import type { InFlight } from "./in-flight.js";
import type { LoadProfile, OpenLoad } from "./load.js";
import type { OpRunner } from "./op-runner.js";
import { runOpenLoop, type OpenLoopOutcome } from "./open-loop.js";
import { scheduleFor, segmentSchedule, segmentShare, warmupScheduleFor, type Schedule, type Segment } from "./schedule.js";

export const DEFAULT_MAX_IN_FLIGHT = 10_000;
export const DEFAULT_MAX_CONCURRENCY = 10;

export interface ExecutorStart {
  load: LoadProfile;
  schedule: Schedule | undefined;
  warmupMs: number;
  t0: number;
  measureStartMs: number;
  measureEndMs: number | undefined;
  runner: OpRunner;
  inFlight: InFlight;
  clock: Clock;
  stop: AbortSignal;
  concurrencyHint: number | undefined;
  segment: Segment | undefined;
}

export interface RunningExecutor {
  /** Settles when no more operations will be launched. */
  launching: Promise<unknown>;
  openOutcome(): OpenLoopOutcome | undefined;
  /** The open loop's cap; null for closed loops. */
  maxInFlight: number | null;
  /** The closed loop's operations kept in flight (max's `concurrency` as chosen); null for open loops. */
  workers: number | null;
}

/** Starts launching operations: the open loop on its schedule, or the closed loop's workers. */
export function startExecutor(o: ExecutorStart): RunningExecutor {
  const { load, runner, inFlight, clock, stop } = o;
  if (isOpen(load) && o.schedule !== undefined) {
    const maxInFlight = load.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    const segment = o.segment;
    const warmup = o.warmupMs > 0 ? warmupScheduleFor(load) : undefined;
    // A segment numbers its operations as the whole schedule does: warm-up first, then measured.
    const phases =
      segment === undefined
        ? [...(warmup === undefined ? [] : [{ startMs: o.t0, schedule: warmup }]), { startMs: o.measureStartMs, schedule: o.schedule }]
        : [
            ...(warmup === undefined
              ? []
              : [{ startMs: o.t0, schedule: segmentSchedule(warmup, segment.index, segment.count), seqOf: (i: number) => segment.index + i * segment.count }]),
            {
              startMs: o.measureStartMs,
              schedule: o.schedule,
              seqOf: (i: number) => (warmup?.count ?? 0) + segment.index + i * segment.count,
            },
          ];
    let outcome: OpenLoopOutcome | undefined;
    const launching = runOpenLoop({ phases, runner, inFlight, clock, maxInFlight, stop }).then((result) => {
      outcome = result;
    });
    return { launching, openOutcome: () => outcome, maxInFlight, workers: null };
  }
  const closed = load as Exclude<LoadProfile, OpenLoad>;
  const wholeWorkers =
    closed.executor === "closed"
      ? closed.workers
      : (closed.concurrency ?? o.concurrencyHint ?? DEFAULT_MAX_CONCURRENCY);
  const segment = o.segment;
  const workers = segment === undefined ? wholeWorkers : segmentShare(wholeWorkers, segment.index, segment.count);
  // Striped as the operation numbers are (segment k numbers its n-th operation k + n·N): with no
  // warm-up the parts' numbers are then exactly 0 … iterations − 1, as one process's are.
  const iterations =
    segment === undefined || closed.iterations === undefined ? closed.iterations : stripeShare(closed.iterations, segment.index, segment.count);
  let launching: Promise<unknown> = runClosedLoop({
    workers,
    runner,
    clock,
    measureStartMs: o.measureStartMs,
    measureEndMs: o.measureEndMs,
    iterations,
    stop,
    // Globally unique operation numbers across the segments (with gaps, as k6's are).
    ...(segment === undefined ? {} : { seqOf: (n: number) => segment.index + n * segment.count }),
  });
  // Workers blocked in a hung operation must not hold the scenario past its duration.
  if (o.measureEndMs !== undefined) {
    launching = Promise.race([launching, clock.sleep(o.measureEndMs - clock.now(), stop)]);
  }
  return { launching, openOutcome: () => undefined, maxInFlight: null, workers };
}

/** How many of 0 … v − 1 are k modulo n. */
function stripeShare(v: number, k: number, n: number): number {
  return k < v ? Math.floor((v - 1 - k) / n) + 1 : 0;
}

/**
 * The operation numbers a scenario's load uses when the load alone fixes them, over all its
 * segments: an open loop's schedule with its warm-up, or a closed loop's iterations with neither
 * warm-up nor duration. Undefined when only the run can tell (a closed loop run for a time).
 */
export function fixedOperationCount(load: LoadProfile): number | undefined {
  if (isOpen(load)) return (load.warmup ?? 0) > 0 ? warmupScheduleFor(load).count + scheduleFor(load).count : scheduleFor(load).count;
  const closed = load as Exclude<LoadProfile, OpenLoad>;
  return closed.iterations !== undefined && closed.duration === undefined && (closed.warmup ?? 0) === 0 ? closed.iterations : undefined;
}

export function isOpen(load: LoadProfile): load is OpenLoad {
  return load.executor === "constant-rate" || load.executor === "ramp" || load.executor === "steps";
}
