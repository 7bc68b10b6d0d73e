// `closed`: `workers` concurrent workers, each starting its next operation when its last one ends.
import type { LoadProfile } from "../load.js";
import { closedLoopExecutor } from "./closed-loop.js";

export const closed = closedLoopExecutor<Extract<LoadProfile, { executor: "closed" }>>((load) => load.workers);
