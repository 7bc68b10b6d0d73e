// `constant-rate`: `rate` operations a second for `duration`, started on time whatever the target does.
import type { LoadProfile } from "../load.js";
import { constantRateSchedule } from "../schedule.js";
import { openLoopExecutor } from "./open.js";

export const constantRate = openLoopExecutor<Extract<LoadProfile, { executor: "constant-rate" }>>({
  schedule: (load) => constantRateSchedule(load.rate, load.duration),
  startRate: (load) => load.rate,
});
