// `steps`: piecewise constant rates one after another; warm-up holds the first step's rate.
import type { LoadProfile } from "../load.js";
import { stepsSchedule } from "../schedule.js";
import { openLoopExecutor } from "./open.js";

export const steps = openLoopExecutor<Extract<LoadProfile, { executor: "steps" }>>({
  schedule: (load) => stepsSchedule(load.steps),
  // The schema requires one step at least.
  startRate: (load) => load.steps[0]?.rate ?? 0,
});
