// `ramp`: the rate moves linearly from `from` to `to` over `duration`; warm-up holds `from`.
import type { LoadProfile } from "../load.js";
import { rampSchedule } from "../schedule.js";
import { openLoopExecutor } from "./open.js";

export const ramp = openLoopExecutor<Extract<LoadProfile, { executor: "ramp" }>>({
  schedule: (load) => rampSchedule(load.from, load.to, load.duration),
  startRate: (load) => load.from,
});
