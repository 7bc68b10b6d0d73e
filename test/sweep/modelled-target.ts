// A modelled target for find-max's search (find-max-search.test.ts): each step's result made from a
// capacity, with the backlog a real queue builds past it, judged by the real stability checks.
import type { ScenarioOutcome } from "../../src/engine/run-suite.js";
import type { ScenarioResult, SeriesPoint } from "../../src/metrics/summary.js";
import { health, result } from "../diagnose/fixtures.js";
import type { StoredRun, StoredScenario } from "../../src/store/results-store.js";
import type { SuiteScenario } from "../../src/suite/types.js";
import type { findMax, StepSession } from "../../src/sweep/find-max.js";

/**
 * A target that completes at most `capacity` operations per second; a short step (< 10 s) can run
 * 10 % over it for a while (a queue absorbs the burst). Past its capacity the backlog makes latency
 * grow through the step, as a real queue does.
 */
export function stepResult(rate: number, durationS: number, capacity: number): ScenarioResult {
  const effective = durationS < 10 ? capacity * 1.1 : capacity;
  const served = Math.min(rate, effective);
  let backlog = 0;
  const series: SeriesPoint[] = Array.from({ length: durationS }, (_, t) => {
    backlog += rate - served;
    const wait = (backlog / served) * 1000;
    return { t, ops: Math.round(served), errors: 0, records: Math.round(served), bytes: 0, p50: 5 + wait, p99: 20 + wait * 1.2 };
  });
  const ops = series.reduce((s, p) => s + p.ops, 0);
  return result({
    executor: "constant-rate",
    durationS,
    warmupS: 1,
    ops,
    records: ops,
    opsPerSec: ops / durationS,
    throughput: ops / durationS,
    series,
    generator: health({ cpuPercent: 30, askedRate: rate, achievedRate: rate }),
  });
}

/**
 * A session whose target's capacity for the n-th step is `capacityAt(n)`; closed-loop steps run at
 * 0.9 of it. `stored` is the run as the store would give it back (what find-max-answer.ts reads).
 */
export function modelled(capacityAt: (step: number) => number): StepSession & { steps: number; stored: StoredRun } {
  const scenarioResults: StoredScenario[] = [];
  const session = {
    canContinue: true,
    steps: 0,
    stored: { scenarioResults } as unknown as StoredRun,
    runScenario: async (scenario: SuiteScenario, placement: Parameters<StepSession["runScenario"]>[1]): Promise<ScenarioOutcome> => {
      const capacity = capacityAt(session.steps++);
      const durationS = Math.round(("duration" in scenario.load ? scenario.load.duration ?? 5000 : 5000) / 1000);
      const rate = scenario.load.executor === "constant-rate" ? scenario.load.rate : capacity * 0.9;
      const result = stepResult(rate, durationS, capacity);
      const thresholds = placement.judge?.(result, []) ?? [];
      scenarioResults.push({ name: scenario.name, variant: placement.variant, result, thresholds } as unknown as StoredScenario);
      return { name: scenario.name, target: "t", targetKind: "http", trial: placement.trial ?? 0, result, thresholds, probes: [] };
    },
  };
  return session;
}

export const scenario = {
  name: "ingest",
  target: "t",
  workload: { type: "request" },
  load: { executor: "constant-rate", rate: 100, duration: 5000 },
  thresholds: [],
} as unknown as Parameters<typeof findMax>[1];

// xorshift32: the noise is reproducible.
export function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

