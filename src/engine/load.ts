// Load profiles (executors): when operations start. Validated here, turned into a schedule by the
// executors. Every duration is in milliseconds once parsed.
import { z } from "zod";
import { Duration, Rate, RunDuration } from "../suite/units.js";

const Positive = z.number().int().positive();

/** Why a closed-loop profile (closed, max) cannot end, or undefined when it can. */
export function closedLoopStopProblem(load: {
  executor: string;
  duration?: number | undefined;
  iterations?: number | undefined;
}): { message: string; fix: string } | undefined {
  if (load.executor !== "closed" && load.executor !== "max") return undefined;
  if (load.duration !== undefined || load.iterations !== undefined) return undefined;
  return {
    message: `${load.executor} needs duration or iterations`,
    fix: 'add `duration: "60s"` (run this long) or `iterations: 10000` (run this many operations), or both',
  };
}

// A closed loop without either would run forever: one issue, at the load profile itself.
function requireStopCondition(
  load: { executor: string; duration?: number | undefined; iterations?: number | undefined },
  ctx: z.RefinementCtx,
): void {
  const problem = closedLoopStopProblem(load);
  if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem.message, params: { fix: problem.fix } });
}

const common = {
  /** Run this long first and throw the results away (caches, JIT, connection pools). */
  warmup: Duration.optional(),
};

export const ConstantRateLoad = z.strictObject({
  executor: z.literal("constant-rate"),
  rate: Rate,
  duration: RunDuration,
  /** Most operations in flight at once; beyond it operations queue (their latency still counts). */
  maxInFlight: Positive.optional(),
  ...common,
});

export const RampLoad = z.strictObject({
  executor: z.literal("ramp"),
  from: Rate,
  to: Rate,
  duration: RunDuration,
  maxInFlight: Positive.optional(),
  ...common,
});

export const StepsLoad = z.strictObject({
  executor: z.literal("steps"),
  steps: z.array(z.strictObject({ rate: Rate, duration: RunDuration })).min(1),
  maxInFlight: Positive.optional(),
  ...common,
});

export const ClosedLoad = z.strictObject({
  executor: z.literal("closed"),
  /** Concurrent workers, each starting its next operation when the last one ends. */
  workers: Positive,
  duration: RunDuration.optional(),
  /** Total operations across all workers (warm-up excluded). */
  iterations: Positive.optional(),
  ...common,
}).superRefine(requireStopCondition);

export const MaxLoad = z.strictObject({
  executor: z.literal("max"),
  /** Operations kept in flight; defaults to the driver's concurrency hint, else 10. */
  concurrency: Positive.optional(),
  duration: RunDuration.optional(),
  iterations: Positive.optional(),
  ...common,
}).superRefine(requireStopCondition);

export const LoadProfile = z.discriminatedUnion("executor", [
  ConstantRateLoad,
  RampLoad,
  StepsLoad,
  ClosedLoad,
  MaxLoad,
]);
export type LoadProfile = z.output<typeof LoadProfile>;
export type OpenLoad = Extract<LoadProfile, { executor: "constant-rate" | "ramp" | "steps" }>;
export type ExecutorName = LoadProfile["executor"];
export const EXECUTORS: readonly ExecutorName[] = ["constant-rate", "ramp", "steps", "closed", "max"];
