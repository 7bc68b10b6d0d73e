// The parts of an operation's latency a result keeps (src/engine/op-runner.ts reads them): service
// time, client wait and, for open loops, start delay. One place maps a part's name, as thresholds
// and compare write it (`client_wait.p99`), to its summary and histogram in a ScenarioResult.
import type { LatencySummary, ScenarioResult } from "./summary.js";

export const OPERATION_TIMINGS = ["service", "client_wait", "start_delay"] as const;
export type OperationTiming = (typeof OPERATION_TIMINGS)[number];

/** The part's summary and histogram; undefined when the result has none (not an open loop, …). */
export function timingOf(
  r: Pick<ScenarioResult, "service" | "serviceHistogram" | "clientWait" | "clientWaitHistogram" | "startDelay" | "startDelayHistogram">,
  timing: OperationTiming,
): { summary: LatencySummary; histogram: string | undefined } | undefined {
  switch (timing) {
    case "service":
      return { summary: r.service, histogram: r.serviceHistogram };
    case "client_wait":
      return r.clientWait === undefined ? undefined : { summary: r.clientWait, histogram: r.clientWaitHistogram };
    case "start_delay":
      return r.startDelay === undefined ? undefined : { summary: r.startDelay, histogram: r.startDelayHistogram };
  }
}
