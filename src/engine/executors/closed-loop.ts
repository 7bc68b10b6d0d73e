// What the closed-loop executors (closed, max) share: a number of workers, each starting its next
// operation when its last one ends, for a duration or a number of iterations; only how many
// workers differs.
import { runClosedLoop } from "../closed-loop.js";
import type { LoadProfile } from "../load.js";
import { segmentShare } from "../schedule.js";
import type { Executor, ExecutorStart, RunningExecutor } from "./executor.js";

type ClosedLoad = Extract<LoadProfile, { executor: "closed" | "max" }>;

/** A closed-loop executor from the number of workers it runs (the driver's hint given). */
export function closedLoopExecutor<L extends ClosedLoad>(workersOf: (load: L, concurrencyHint: number | undefined) => number): Executor<L> {
  return {
    plan: (load) => ({
      measuredMs: load.duration,
      fixedCount: load.iterations !== undefined && load.duration === undefined && (load.warmup ?? 0) === 0 ? load.iterations : undefined,
    }),
    start: (load, o) => startClosedLoop(load, workersOf(load, o.concurrencyHint), o),
  };
}

function startClosedLoop(load: ClosedLoad, wholeWorkers: number, o: ExecutorStart): RunningExecutor {
  const { segment } = o;
  const workers = segment === undefined ? wholeWorkers : segmentShare(wholeWorkers, segment.index, segment.count);
  // Striped as the operation numbers are (segment k numbers its n-th operation k + n·N): with no
  // warm-up the parts' numbers are then exactly 0 … iterations − 1, as one process's are.
  const iterations =
    segment === undefined || load.iterations === undefined ? load.iterations : stripeShare(load.iterations, segment.index, segment.count);
  let launching: Promise<unknown> = runClosedLoop({
    workers,
    runner: o.runner,
    clock: o.clock,
    measureStartMs: o.measureStartMs,
    measureEndMs: o.measureEndMs,
    iterations,
    stop: o.stop,
    // Globally unique operation numbers across the segments (with gaps, as k6's are).
    ...(segment === undefined ? {} : { seqOf: (n: number) => segment.index + n * segment.count }),
  });
  // Workers blocked in a hung operation must not hold the scenario past its duration.
  if (o.measureEndMs !== undefined) {
    launching = Promise.race([launching, o.clock.sleep(o.measureEndMs - o.clock.now(), o.stop)]);
  }
  return { launching, openOutcome: () => undefined, maxInFlight: null, workers };
}

/** How many of 0 … v − 1 are k modulo n. */
function stripeShare(v: number, k: number, n: number): number {
  return k < v ? Math.floor((v - 1 - k) / n) + 1 : 0;
}
