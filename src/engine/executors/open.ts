// What the open-loop executors (constant-rate, ramp, steps) share: operations start on a schedule
// whatever the target does, warm-up first at the profile's starting rate; only the schedule differs.
import type { OpenLoad } from "../load.js";
import { runOpenLoop, type OpenLoopOutcome } from "../open-loop.js";
import { constantRateSchedule, segmentSchedule, type Schedule } from "../schedule.js";
import type { Executor, ExecutorStart, RunningExecutor } from "./executor.js";

export const DEFAULT_MAX_IN_FLIGHT = 10_000;

/** An open-loop executor from its measured schedule and the rate its warm-up holds. */
export function openLoopExecutor<L extends OpenLoad>(shape: { schedule(load: L): Schedule; startRate(load: L): number }): Executor<L> {
  return {
    plan(load) {
      const schedule = shape.schedule(load);
      const warmup = (load.warmup ?? 0) > 0 ? constantRateSchedule(shape.startRate(load), load.warmup ?? 0) : undefined;
      return { schedule, ...(warmup === undefined ? {} : { warmup }), measuredMs: schedule.durationMs, fixedCount: (warmup?.count ?? 0) + schedule.count };
    },
    start: (load, o) => startOpenLoop(load, o),
  };
}

function startOpenLoop(load: OpenLoad, o: ExecutorStart): RunningExecutor {
  const maxInFlight = load.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  const { segment, schedule } = o;
  const warmup = o.warmupMs > 0 ? o.plan.warmup : undefined;
  if (schedule === undefined) throw new TypeError(`${load.executor}: an open loop starts on a schedule`);
  // A segment numbers its operations as the whole schedule does: warm-up first, then measured.
  const phases =
    segment === undefined
      ? [...(warmup === undefined ? [] : [{ startMs: o.t0, schedule: warmup }]), { startMs: o.measureStartMs, schedule }]
      : [
          ...(warmup === undefined
            ? []
            : [{ startMs: o.t0, schedule: segmentSchedule(warmup, segment.index, segment.count), seqOf: (i: number) => segment.index + i * segment.count }]),
          {
            startMs: o.measureStartMs,
            schedule,
            seqOf: (i: number) => (warmup?.count ?? 0) + segment.index + i * segment.count,
          },
        ];
  let outcome: OpenLoopOutcome | undefined;
  const launching = runOpenLoop({ phases, runner: o.runner, inFlight: o.inFlight, clock: o.clock, maxInFlight, stop: o.stop }).then((result) => {
    outcome = result;
  });
  return { launching, openOutcome: () => outcome, maxInFlight, workers: null };
}
