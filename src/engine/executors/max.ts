// `max`: as many operations in flight as `concurrency` (else the driver's hint, else 10), each
// replaced as soon as it ends: the highest throughput the target gives at that concurrency.
import type { LoadProfile } from "../load.js";
import { closedLoopExecutor } from "./closed-loop.js";

export const DEFAULT_MAX_CONCURRENCY = 10;

export const max = closedLoopExecutor<Extract<LoadProfile, { executor: "max" }>>((load, hint) => load.concurrency ?? hint ?? DEFAULT_MAX_CONCURRENCY);
