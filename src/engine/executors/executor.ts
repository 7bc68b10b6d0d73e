// An executor: how a load profile starts its operations. Each is a module of this folder, looked up
// by name in index.ts. `plan` reads the profile alone (its schedules, its measured length, the
// operations it fixes); `start` launches them, for one segment of the whole when given one.
import type { Clock } from "../clock.js";
import type { InFlight } from "../in-flight.js";
import type { LoadProfile } from "../load.js";
import type { OpRunner } from "../op-runner.js";
import type { OpenLoopOutcome } from "../open-loop.js";
import type { Schedule, Segment } from "../schedule.js";

export interface ExecutorPlan {
  /** An open loop's measured schedule, whole (a segment takes its share at start). */
  readonly schedule?: Schedule;
  /** An open loop's warm-up: its starting rate held for `warmup`. */
  readonly warmup?: Schedule;
  /** The measured interval's length; undefined when iterations alone end it. */
  readonly measuredMs: number | undefined;
  /**
   * The operation numbers the profile alone fixes over all segments (an open loop's schedule with
   * its warm-up, closed-loop iterations with neither warm-up nor duration); undefined when only the
   * run can tell.
   */
  readonly fixedCount: number | undefined;
}

/** What the scenario gives an executor to start with. */
export interface ExecutorStart {
  plan: ExecutorPlan;
  /** The measured schedule this process runs: the plan's, or a segment's share of it. */
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

export interface Executor<L extends LoadProfile> {
  plan(load: L): ExecutorPlan;
  start(load: L, o: ExecutorStart): RunningExecutor;
}
