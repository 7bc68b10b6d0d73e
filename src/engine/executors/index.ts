// The executors, by the name a load profile gives (`load.executor`): each a module of this folder.
import type { ExecutorName, LoadProfile } from "../load.js";
import { closed } from "./closed.js";
import { constantRate } from "./constant-rate.js";
import type { Executor, ExecutorPlan, ExecutorStart, RunningExecutor } from "./executor.js";
import { max } from "./max.js";
import { ramp } from "./ramp.js";
import { steps } from "./steps.js";

export type { Executor, ExecutorPlan, ExecutorStart, RunningExecutor } from "./executor.js";
export { DEFAULT_MAX_IN_FLIGHT } from "./open.js";
export { DEFAULT_MAX_CONCURRENCY } from "./max.js";

const EXECUTORS: { readonly [K in ExecutorName]: Executor<Extract<LoadProfile, { executor: K }>> } = {
  "constant-rate": constantRate,
  ramp,
  steps,
  closed,
  max,
};

/** The executor of `load`'s kind, typed for that load. */
function executorOf<L extends LoadProfile>(load: L): Executor<L> {
  // The map's key and the load's discriminant are the same name: TypeScript cannot follow the pair.
  return EXECUTORS[load.executor] as unknown as Executor<L>;
}

export function planOf(load: LoadProfile): ExecutorPlan {
  return executorOf(load).plan(load);
}

/** Starts launching `load`'s operations: on its schedule, or by its closed loop's workers. */
export function startExecutor(load: LoadProfile, o: ExecutorStart): RunningExecutor {
  return executorOf(load).start(load, o);
}
